// Runs scripts/bench/engine.ts in a Node child of its own, on the same export and the same
// members (their pages as storage sends them, read from the seeded tenant), for the engine's time
// and memory alone; and once more the per-row-objects way, for comparison.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { rosterLayout } from "../../worker/engine/roster.ts";
import { memberPages, snapshotsByIds } from "../../worker/store/members.ts";
import { ROOT } from "../stack.ts";
import { COLUMNS, MAPPING } from "./data.ts";
import type { BenchStack, BenchTenant } from "./setup.ts";

export interface EngineFigures {
  seconds: number;
  steps: Record<string, number>;
  actions: number;
  heapPeakMb: number;
  rssGrowthMb: number;
}

const run = promisify(execFile);

async function child(args: string[], heapCapMb?: number): Promise<EngineFigures> {
  const cap = heapCapMb ? [`--max-old-space-size=${heapCapMb}`] : [];
  const { stdout } = await run(
    process.execPath,
    ["--expose-gc", ...cap, join(ROOT, "scripts", "bench", "engine.ts"), ...args],
    { cwd: ROOT, maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout.trim().split("\n").at(-1) as string) as EngineFigures;
}

/**
 * The engine with V8's heap capped at `mb` less the export's bytes (an ArrayBuffer, outside the
 * heap the cap counts): a Worker isolate's 128 MB holds both. Null when it runs out of memory.
 * Uncapped, V8 lets garbage pile up before collecting, so an uncapped peak says how lazy the
 * collector was, not what the engine needs; the capped run is the one a Worker would see.
 */
async function capped(args: string[], mb: number, exportMb: number): Promise<EngineFigures | null> {
  try {
    return await child(args, Math.max(16, Math.floor(mb - exportMb)));
  } catch {
    return null;
  }
}

/** The export and the members' pages the tenant holds now, written for the engine's child. */
export async function engineInput(stack: BenchStack, tenant: BenchTenant, csv: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "profile-sync-engine-"));
  writeFileSync(join(dir, "export.csv"), csv);
  mkdirSync(join(dir, "pages", "index"), { recursive: true });
  mkdirSync(join(dir, "pages", "snapshots"));
  const layout = rosterLayout([...COLUMNS], MAPPING);
  let n = 0;
  for await (const page of memberPages(stack.db, tenant.tenantId, tenant.hubId, layout)) {
    const rows = JSON.parse(page) as [string][];
    writeFileSync(join(dir, "pages", "index", `${String(n).padStart(4, "0")}.json`), page);
    const snapshots = await snapshotsByIds(
      stack.db,
      tenant.tenantId,
      tenant.hubId,
      rows.map((r) => r[0]),
    );
    const lines = rows.map(([id]) => `${id}\t${JSON.stringify(snapshots.get(id))}`);
    writeFileSync(join(dir, "pages", "snapshots", `${String(n++).padStart(4, "0")}.json`), lines.join("\n"));
  }
  return dir;
}

/**
 * The engine alone on an engineInput: ours, then rows and members as objects, each uncapped and
 * capped to 128 MB. Removes the input.
 */
export async function measureEngine(dir: string): Promise<{
  ours: EngineFigures;
  objects: EngineFigures;
  ours128: EngineFigures | null;
  objects128: EngineFigures | null;
}> {
  try {
    const csv = join(dir, "export.csv");
    const args = ["--csv", csv, "--pages", join(dir, "pages")];
    const exportMb = statSync(csv).size / 1024 / 1024;
    const ours = await child(args);
    const objects = await child([...args, "--objects"]);
    const ours128 = await capped(args, 128, exportMb);
    const objects128 = await capped([...args, "--objects"], 128, exportMb);
    return { ours, objects, ours128, objects128 };
  } finally {
    // BENCH_KEEP_ENGINE_INPUT=1 keeps it, to run scripts/bench/engine.ts on it by hand.
    if (process.env.BENCH_KEEP_ENGINE_INPUT) console.log(`  (engine input kept in ${dir})`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
