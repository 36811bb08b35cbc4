import { generateExports, MAPPING } from "/work/main/scripts/bench/data.ts";
import { parseCsv } from "/work/main/worker/engine/parse.ts";
import { applyMapping } from "/work/main/worker/engine/mapping.ts";
import { indexMembers, matchRecords } from "/work/main/worker/engine/match.ts";
import { deriveFields } from "/work/main/worker/engine/derive.ts";
import { planActions } from "/work/main/worker/engine/plan.ts";
import { executionOf } from "/work/main/worker/engine/execute.ts";
import type { MemberSnapshot } from "/work/main/worker/engine/types.ts";
const N = Number(process.argv[2] ?? 100000);
let t = performance.now();
const lap = (l: string) => { const n = performance.now(); global.gc?.(); console.log(l, (n - t).toFixed(0), "ms heap", (process.memoryUsage().heapUsed/1e6).toFixed(0)); t = performance.now(); };
const ex = generateExports(N);
console.log("sizes", ex.previous.length/1e6, ex.current.length/1e6, ex.expected);
lap("gen");
function run(text: string, members: MemberSnapshot[]) {
  const { table, issues } = parseCsv(new TextEncoder().encode(text)); lap("parse");
  const mapped = applyMapping(table, MAPPING, null, issues); lap("map");
  const idx = indexMembers(members); const m = matchRecords(mapped.records, idx); lap("match");
  const d = deriveFields(m, members, { newId: () => crypto.randomUUID(), regions: {}, today: "2026-11-01" }); lap("derive");
  const a = planActions(d, mapped.rejected, members.filter(x=>x.inHub), { hubId: "h", today: "2026-11-01", partial: false }); lap("plan");
  const s: Record<string, number> = {}; for (const x of a) s[x.kind] = (s[x.kind] ?? 0) + 1; console.log(s);
  return a;
}
const first = run(ex.previous, []);
const members: MemberSnapshot[] = first.filter(a => a.kind === "invite").map(a => {
  const e = executionOf({ ...a, id: "x" } as any, null, "now");
  if (!e.ok) throw new Error();
  const f = (e.effects[0] as any).fields;
  return { id: (a.payload as any).memberId, employeeId: a.employeeId, email: a.email!, status: "active", source: "hris", version: 1, inHub: true,
    core: Object.fromEntries(Object.entries(f.core).filter(([k]) => k !== "approverId" && k !== "contentRegion")) as any,
    derived: { approverId: f.core.approverId ?? null, contentRegion: f.core.contentRegion ?? null }, profile: f.profile };
});
lap("members");
run(ex.current, members);
