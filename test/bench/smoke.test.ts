// The benchmark still runs: `npm run bench` on 1,000 rows (a tiny per-row baseline, a few events),
// through the real stack, ending with a well-formed BENCH line. Its figures are not judged here.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/stack.ts";

const run = promisify(execFile);

const KEYS = [
  "rows",
  "plan_s",
  "apply_s",
  "first_sync_s",
  "first_sync_floor_s",
  "event_p50_ms",
  "event_p99_ms",
  "engine_peak_mb",
  "worker_peak_mb",
  "plan_speedup_vs_baseline",
  "apply_speedup_vs_baseline",
];

describe("npm run bench", () => {
  it("plans and applies 1,000 rows through the real stack and prints the BENCH line last", async () => {
    const { stdout } = await run(
      process.execPath,
      [join(ROOT, "scripts", "bench.ts"), "--rows", "1000", "--events", "20", "--baseline-rows", "100"],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024, timeout: 600_000 },
    );
    const lines = stdout.trim().split("\n");
    const last = lines.at(-1) ?? "";
    expect(last.startsWith("BENCH {")).toBe(true);
    const bench = JSON.parse(last.slice("BENCH ".length)) as Record<string, unknown>;
    for (const key of KEYS) expect(typeof bench[key], key).toBe("number");
    expect(bench.rows).toBe(1000);
    expect(Number.isFinite(bench.plan_s)).toBe(true);
    expect(bench.actions).toBeGreaterThan(0);
    // At 1,000 rows the engine fits a Worker's 128 MB with room to spare.
    expect(bench.engine_fits_128mb).toBe(true);
    expect(lines.some((l) => l.includes("baseline"))).toBe(true);
  }, 600_000);
});
