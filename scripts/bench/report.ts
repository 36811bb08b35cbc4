// The scaling table, as printed and as kept in the README's "Performance" section between its
// markers (only that part of the README is ever rewritten).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../stack.ts";

export interface ScalingRow {
  rows: number;
  actions: number;
  planSeconds: number;
  applySeconds: number;
  workerPeakMb: number;
  baselinePlanSeconds: number;
  baselineApplySeconds: number;
}

const START = "<!-- bench:scaling -->";
const END = "<!-- /bench -->";

const n = (value: number) => value.toLocaleString("en-US");
const s = (value: number) => (value < 10 ? value.toFixed(2) : value.toFixed(1));
const x = (value: number) => `${value.toFixed(0)}×`;

export function scalingTable(rows: ScalingRow[], baselineRows: number): string {
  const lines = [
    "| rows | actions | plan (s) | rows/s | apply (s) | worker RSS peak (MB) | per-row baseline plan / apply (s) | speed-up plan / apply |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${n(r.rows)} | ${n(r.actions)} | ${s(r.planSeconds)} | ${n(Math.round(r.rows / r.planSeconds))} | ` +
        `${s(r.applySeconds)} | ${r.workerPeakMb.toFixed(0)} | ${s(r.baselinePlanSeconds)} / ${s(r.baselineApplySeconds)} | ` +
        `${x(r.baselinePlanSeconds / r.planSeconds)} / ${x(r.baselineApplySeconds / r.applySeconds)} |`,
    ),
    "",
    `Baseline: one query per row, rows as objects (scripts/bench/baseline.ts), measured on ${n(baselineRows)} rows ` +
      "in the same run and extrapolated linearly.",
  ];
  return lines.join("\n");
}

/** Replaces the table between the markers; adds a Performance section at the end when there is none. */
export function writeReadme(table: string, when: Date): void {
  const path = join(ROOT, "README.md");
  const readme = readFileSync(path, "utf8");
  const block = `${START}\n${table}\n\n_Measured ${when.toISOString().slice(0, 10)} by \`npm run bench -- --scaling\`._\n${END}`;
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start >= 0 && end > start) {
    writeFileSync(path, readme.slice(0, start) + block + readme.slice(end + END.length));
    return;
  }
  const section = readme.includes("\n## Performance\n") ? "" : "\n## Performance\n\n";
  writeFileSync(path, `${readme.trimEnd()}\n${section}${block}\n`);
}
