// The engine alone, in a Node process of its own (run with --expose-gc): parse → map → index the
// members → match/derive/plan → the actions serialised as storage takes them, from an export file
// and the members' pages as storage sends them (one file per page, read as it would arrive), with
// no other I/O. Prints one JSON line: seconds per step, the peak of the V8 heap plus the export's
// bytes (what a Worker's 128 MB limits), and the growth of the resident set. `--objects` measures
// the straightforward way instead (the text decoded whole, rows as Papa's header objects, the
// members as objects), for comparison. DEBUG_STEPS=1 prints the heap after each step to stderr
// (to see which one a capped heap runs out in).
import { closeSync, openSync, readdirSync, readFileSync, readSync } from "node:fs";
import { join } from "node:path";
import { StringDecoder } from "node:string_decoder";
import { parseArgs } from "node:util";
import v8 from "node:v8";
import Papa from "papaparse";
import { memberIndexBuilder } from "../../worker/engine/member-index.ts";
import { openCsv } from "../../worker/engine/parse.ts";
import { planRoster } from "../../worker/engine/plan-roster.ts";
import { buildRoster } from "../../worker/engine/roster.ts";
import type { MemberSnapshot } from "../../worker/engine/types.ts";
import { MAPPING } from "./data.ts";
import { residentMb } from "./memory.ts";

const { values } = parseArgs({
  options: {
    csv: { type: "string" },
    pages: { type: "string" },
    objects: { type: "boolean", default: false },
  },
});

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --expose-gc");
const files = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => join(dir, f));
const pageFiles = files(join(values.pages as string, "index"));
const snapshotFiles = files(join(values.pages as string, "snapshots"));
const readPages = function* (which = pageFiles) {
  for (const file of which) yield readFileSync(file, "utf8");
};
gc();
const baseHeap = usedHeap();
// The export's bytes, as the worker reads the request's body; dropped once the rows are read.
let bytes: Uint8Array | null = new Uint8Array(readFileSync(values.csv as string));
const byteLength = bytes.byteLength;
const baseRss = residentMb(process.pid)?.rss ?? 0;
const profiler = new v8.GCProfiler();
profiler.start();
const times: Record<string, number> = {};
let last = performance.now();
const lap = (step: string) => {
  const now = performance.now();
  times[step] = Number(((now - last) / 1000).toFixed(3));
  if (process.env.DEBUG_STEPS) console.error(step, (v8.getHeapStatistics().used_heap_size / 1e6).toFixed(0));
  last = now;
};

let actions = 0;
let storedBytes = 0;
if (values.objects) {
  // Rows as objects, members as objects: what the straightforward implementation holds.
  const text = new TextDecoder().decode(bytes);
  bytes = null;
  const rows = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true }).data;
  lap("parse");
  const members = [...readPages(snapshotFiles)].flatMap((page) =>
    page
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line.slice(line.indexOf("\t") + 1)) as MemberSnapshot),
  );
  const byEmail = new Map(members.map((m) => [m.email, m]));
  lap("members");
  const planned = rows.map((row) => ({
    row,
    member: byEmail.get((row["Work Email"] ?? "").toLowerCase()) ?? null,
  }));
  actions = planned.filter((p) => !p.member).length;
  lap("plan");
} else {
  const roster = buildRoster(openCsv(bytes), MAPPING, null);
  bytes = null;
  lap("parse+map");
  const builder = memberIndexBuilder(roster.layout);
  for (const page of readPages()) builder.add(JSON.parse(page) as unknown[][]);
  const members = builder.finish();
  lap("members");
  const plan = planRoster(roster, members, {
    newId: () => crypto.randomUUID(),
    regions: {},
    today: new Date().toISOString().slice(0, 10),
    hubId: "hub",
    partial: false,
  });
  lap("match+derive+plan");
  // The members acted on are read whole, as storage answers them: only those. The files hold
  // everyone's; they are read a line at a time so that the harness holds no more than storage's
  // answer would.
  // As in storage's answer, each is kept as its JSON text and read when planning asks for it.
  const needed = new Set(plan.needed.map((i) => members.ids[i] as string));
  const texts = new Map<string, string>();
  for (const file of snapshotFiles) {
    for (const line of lines(file)) {
      const tab = line.indexOf("\t");
      // Copies, key and text: a slice would keep the whole chunk of the file it came from.
      if (tab > 0 && needed.has(line.slice(0, tab))) {
        texts.set(Buffer.from(line.slice(0, tab)).toString(), Buffer.from(line.slice(tab + 1)).toString());
      }
    }
  }
  const snapshots = {
    size: texts.size,
    get: (id: string) => {
      const text = texts.get(id);
      return text === undefined ? undefined : (JSON.parse(text) as MemberSnapshot);
    },
  };
  lap("snapshots");
  for (const action of plan.actions(snapshots)) {
    actions++;
    storedBytes += JSON.stringify(action).length;
  }
  lap("actions");
}
const stats = profiler.stop();
const peakGc = Math.max(...stats.statistics.map((s) => s.beforeGC.heapStatistics.usedHeapSize), 0);
// After a full (mark-compact) collection, what is used is what the engine holds.
const peakLive = Math.max(
  ...stats.statistics
    .filter((s) => s.gcType === "MarkSweepCompact")
    .map((s) => s.afterGC.heapStatistics.usedHeapSize),
  0,
);
// ArrayBuffers (the export's bytes, held while the rows are read) are outside the heap the GC
// reports on; a Worker counts them.
const peakHeap = Math.max(peakGc, usedHeap()) + byteLength;
console.log(
  JSON.stringify({
    seconds: Number(
      Object.values(times)
        .reduce((a, b) => a + b, 0)
        .toFixed(3),
    ),
    steps: times,
    actions,
    storedMb: Number((storedBytes / 1e6).toFixed(1)),
    heapPeakMb: Number(((peakHeap - baseHeap) / 1e6).toFixed(1)),
    liveAfterGcMb: Number(((peakLive - baseHeap + byteLength) / 1e6).toFixed(1)),
    rssGrowthMb: Number(((residentMb(process.pid)?.hwm ?? 0) - baseRss).toFixed(1)),
  }),
);

/** A file's lines, read through a small buffer (the harness's own I/O, not measured work). */
function* lines(file: string): Generator<string> {
  const fd = openSync(file, "r");
  const buffer = Buffer.alloc(1 << 16);
  const decoder = new StringDecoder("utf8");
  let rest = "";
  try {
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) {
      const text = rest + decoder.write(buffer.subarray(0, n));
      const parts = text.split("\n");
      rest = parts.pop() ?? "";
      yield* parts;
    }
    if (rest) yield rest;
  } finally {
    closeSync(fd);
  }
}

function usedHeap(): number {
  return v8.getHeapStatistics().used_heap_size;
}
