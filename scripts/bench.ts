// `npm run bench`: plan and apply a synthetic 100,000-person HRIS export through the real stack
// (the worker under workerd, sqld over HTTP, both on 127.0.0.1), against the same work done the
// straightforward per-row way, in the same run. Options:
//   --rows N           export size (default 100000)
//   --scaling          plan and apply at 1k, 10k, 100k and 250k rows; the table goes into README.md
//   --baseline-rows M  rows the per-row baseline really runs (default 2000; it is extrapolated)
//   --events K         HRIS events to time (default 1000)
//   --no-baseline      skip the baseline (ratios are then null)
//   --no-first-sync    skip the first sync and its write floor (their figures are then null)
// The last line printed is `BENCH {json}`.
import { parseArgs } from "node:util";
import { type BaselineFigures, measureBaseline } from "./bench/baseline-run.ts";
import { generateExports } from "./bench/data.ts";
import { type EngineFigures, engineInput, measureEngine } from "./bench/engine-run.ts";
import { measureWriteFloor, type WriteFloor } from "./bench/floor.ts";
import { untilIdle } from "./bench/idle.ts";
import { measureApply, measureEvents, measurePlan, waitForMail } from "./bench/measure.ts";
import { residentMb, sampleResident, workerdPid } from "./bench/memory.ts";
import { type ScalingRow, scalingTable, writeReadme } from "./bench/report.ts";
import {
  type BenchStack,
  type BenchTenant,
  benchTenant,
  seedTenant,
  startBenchStack,
} from "./bench/setup.ts";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "100000" },
    scaling: { type: "boolean", default: false },
    "baseline-rows": { type: "string", default: "2000" },
    events: { type: "string", default: "1000" },
    "no-baseline": { type: "boolean", default: false },
    "no-first-sync": { type: "boolean", default: false },
  },
});
const ROWS = Number(values.rows);
const BASELINE_ROWS = Math.min(ROWS, Number(values["baseline-rows"]));
const EVENTS = Number(values.events);
const SCALING = [1_000, 10_000, 100_000, 250_000];

const log = (line: string) => console.log(line);
const round = (value: number, digits = 3) => Number(value.toFixed(digits));
const ratio = (baseline: number | null, ours: number) =>
  baseline === null ? null : round(baseline / ours, 1);

interface SizeRun {
  rows: number;
  tenant: BenchTenant;
  steady: string[];
  /** The engine's input (export and members before the plan), for its own measurement. */
  engineInput: string;
  actions: number;
  summary: Record<string, number>;
  planSeconds: number;
  applySeconds: number;
  workerPeakMb: number;
}

/** Seeds a tenant with the previous export, then plans and applies the current one over HTTP. */
async function planAndApply(stack: BenchStack, rows: number, pid: number): Promise<SizeRun> {
  const data = generateExports(rows);
  const tenant = await benchTenant(stack, `Bench ${rows}`);
  let started = performance.now();
  await seedTenant(stack, tenant, data.previous);
  log(
    `  setup: tenant seeded with the previous export (${rows} people) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const input = await engineInput(stack, tenant, data.current);
  await settle(stack);
  const sampler = sampleResident(pid);
  const plan = await measurePlan(tenant, new TextEncoder().encode(data.current));
  const actions = Object.values(plan.summary).reduce((a, b) => a + b, 0);
  log(
    `  plan:  ${plan.seconds.toFixed(3)} s  (${Math.round(rows / plan.seconds).toLocaleString("en-US")} rows/s)  ${JSON.stringify(plan.summary)}`,
  );
  const apply = await measureApply(tenant, plan.planId);
  const workerPeakMb = sampler.stop();
  log(`  apply: ${apply.seconds.toFixed(3)} s  ${JSON.stringify(apply.progress)}`);
  started = performance.now();
  const left = await waitForMail(stack, tenant.tenantId);
  log(
    `  (waited ${((performance.now() - started) / 1000).toFixed(1)} s for background mail delivery${left ? `; ${left} left for the cron` : ""})`,
  );
  return {
    rows,
    tenant,
    steady: data.steady,
    engineInput: input,
    actions,
    summary: plan.summary,
    planSeconds: plan.seconds,
    applySeconds: apply.seconds,
    workerPeakMb,
  };
}

/** Waits for sqld to finish what earlier writes left it to do in the background (see idle.ts). */
async function settle(stack: BenchStack): Promise<void> {
  const seconds = await untilIdle(stack.sqld.process.pid as number);
  if (seconds > 1.5) log(`  (waited ${seconds.toFixed(1)} s for sqld to go idle)`);
}

async function warmUp(stack: BenchStack): Promise<void> {
  const tenant = await benchTenant(stack, "Warm-up");
  const data = generateExports(200, 3);
  const plan = await measurePlan(tenant, new TextEncoder().encode(data.previous));
  await measureApply(tenant, plan.planId);
}

/** The first sync's rows written with nothing else done, on the same sqld (see floor.ts). */
async function writeFloor(stack: BenchStack, csv: string, firstSync: number): Promise<WriteFloor> {
  const tenant = await benchTenant(stack, `Write floor ${ROWS}`);
  await settle(stack);
  const floor = await measureWriteFloor(stack.client, tenant, csv);
  const total = floor.planSeconds + floor.applySeconds;
  log(
    `  first sync's write floor (its ${floor.people.toLocaleString("en-US")} people's rows alone, set-based, nothing read or checked): ` +
      `${total.toFixed(3)} s (plan actions ${floor.planSeconds.toFixed(3)} s + members, memberships, invitations, emails, audit ` +
      `${floor.applySeconds.toFixed(3)} s); the first sync takes ${(firstSync / total).toFixed(1)}× that`,
  );
  return floor;
}

async function baselineOf(stack: BenchStack, events: number): Promise<BaselineFigures | null> {
  if (values["no-baseline"]) return null;
  const started = performance.now();
  const figures = await measureBaseline(stack, BASELINE_ROWS, events);
  log(
    `baseline (per-row, ${BASELINE_ROWS} rows, ${((performance.now() - started) / 1000).toFixed(1)} s): ` +
      `plan ${(figures.planPerRow * 1e3).toFixed(2)} ms/row, apply ${(figures.applyPerRow * 1e3).toFixed(2)} ms/row, ` +
      `first sync ${(figures.firstSyncPerRow * 1e3).toFixed(2)} ms/row, event p50 ${figures.eventP50.toFixed(1)} ms`,
  );
  return figures;
}

async function main(stack: BenchStack, pid: number) {
  log(
    `profile-sync benchmark: ${ROWS.toLocaleString("en-US")} rows, worker ${stack.worker.url} (workerd pid ${pid}), sqld ${stack.sqld.url}`,
  );
  const idleMb = residentMb(pid)?.rss ?? 0;
  await warmUp(stack);
  const run = await planAndApply(stack, ROWS, pid);

  let events = { p50: 0, p99: 0, applied: 0 };
  if (EVENTS > 0) {
    await settle(stack);
    events = await measureEvents(run.tenant, run.steady, EVENTS);
    log(
      `  event: p50 ${events.p50.toFixed(1)} ms, p99 ${events.p99.toFixed(1)} ms over ${EVENTS} employee.updated events (${events.applied} applied at once), tenant of ${ROWS.toLocaleString("en-US")} members`,
    );
  }

  let firstSync = Number.NaN;
  let firstPeak = 0;
  let floor: WriteFloor | null = null;
  if (!values["no-first-sync"]) {
    const empty = await benchTenant(stack, `First sync ${ROWS}`);
    const data = generateExports(ROWS);
    await settle(stack);
    const sampler = sampleResident(pid);
    const first = await measurePlan(empty, new TextEncoder().encode(data.previous));
    const firstApply = await measureApply(empty, first.planId);
    firstPeak = sampler.stop();
    firstSync = first.seconds + firstApply.seconds;
    log(
      `  first sync: ${firstSync.toFixed(3)} s (plan ${first.seconds.toFixed(3)} s + apply ${firstApply.seconds.toFixed(3)} s) ${JSON.stringify(firstApply.progress)}`,
    );
    floor = await writeFloor(stack, data.previous, firstSync);
  }

  const { ours: engine, objects, ours128, objects128 } = await measureEngine(run.engineInput);
  // The peak that counts is the one under a Worker's cap; uncapped, V8 collects lazily.
  const peak = (capped: EngineFigures | null, uncapped: EngineFigures) =>
    capped
      ? `${capped.heapPeakMb.toFixed(0)} MB, fits in 128 MB`
      : `does NOT fit in 128 MB (uncapped ${uncapped.heapPeakMb.toFixed(0)} MB)`;
  log(
    `  engine alone (parse → plan in a Node child, ${engine.actions} actions): ${engine.seconds.toFixed(3)} s ${JSON.stringify(engine.steps)}; ` +
      `peak heap ${peak(ours128, engine)}, uncapped ${engine.heapPeakMb.toFixed(0)} MB (RSS +${engine.rssGrowthMb.toFixed(0)} MB); ` +
      `rows and members as objects: peak heap ${peak(objects128, objects)}`,
  );
  const enginePeak = (ours128 ?? engine).heapPeakMb;
  const baselinePeak = (objects128 ?? objects).heapPeakMb;
  const workerPeak = residentMb(pid)?.hwm ?? Math.max(run.workerPeakMb, firstPeak);
  log(
    `  worker (workerd) RSS: ${idleMb.toFixed(0)} MB idle, peak ${workerPeak.toFixed(0)} MB (plan+apply ${run.workerPeakMb.toFixed(0)} MB, first sync ${firstPeak.toFixed(0)} MB)`,
  );

  const baseline = await baselineOf(stack, Math.min(EVENTS, 200));
  const scale = (perRow: number | undefined) => (perRow === undefined ? null : perRow * ROWS);
  const bPlan = scale(baseline?.planPerRow);
  const bApply = scale(baseline?.applyPerRow);
  const bFirst = scale(baseline?.firstSyncPerRow);
  if (baseline) {
    log(
      `  baseline extrapolated to ${ROWS.toLocaleString("en-US")} rows: plan ${bPlan?.toFixed(1)} s, apply ${bApply?.toFixed(1)} s, first sync ${bFirst?.toFixed(1)} s`,
    );
  }
  return {
    rows: ROWS,
    actions: run.actions,
    plan_s: round(run.planSeconds),
    plan_rows_per_s: Math.round(ROWS / run.planSeconds),
    apply_s: round(run.applySeconds),
    first_sync_s: round(firstSync),
    first_sync_floor_s: floor && round(floor.planSeconds + floor.applySeconds),
    first_sync_vs_floor: floor && ratio(firstSync, floor.planSeconds + floor.applySeconds),
    event_p50_ms: round(events.p50, 2),
    event_p99_ms: round(events.p99, 2),
    engine_peak_mb: round(enginePeak, 1),
    engine_uncapped_peak_mb: round(engine.heapPeakMb, 1),
    engine_s: engine.seconds,
    engine_rss_growth_mb: round(engine.rssGrowthMb, 1),
    engine_fits_128mb: ours128 !== null,
    baseline_engine_fits_128mb: objects128 !== null,
    worker_peak_mb: round(workerPeak, 1),
    worker_idle_mb: round(idleMb, 1),
    baseline_rows: baseline ? BASELINE_ROWS : null,
    baseline_extrapolated: baseline !== null,
    baseline_plan_s: bPlan === null ? null : round(bPlan, 1),
    baseline_apply_s: bApply === null ? null : round(bApply, 1),
    baseline_first_sync_s: bFirst === null ? null : round(bFirst, 1),
    baseline_event_p50_ms: baseline ? round(baseline.eventP50, 2) : null,
    baseline_engine_peak_mb: round(baselinePeak, 1),
    plan_speedup_vs_baseline: ratio(bPlan, run.planSeconds),
    apply_speedup_vs_baseline: ratio(bApply, run.applySeconds),
    first_sync_speedup_vs_baseline: ratio(bFirst, firstSync),
    event_speedup_vs_baseline: baseline ? round(baseline.eventP50 / events.p50, 2) : null,
    engine_memory_ratio_vs_baseline: round(baselinePeak / enginePeak, 1),
  };
}

async function scaling(stack: BenchStack, pid: number) {
  log("profile-sync benchmark: scaling (plan and apply at 1k, 10k, 100k, 250k rows)");
  await warmUp(stack);
  const baseline = await baselineOf(stack, 0);
  const table: ScalingRow[] = [];
  for (const rows of SCALING) {
    log(`${rows.toLocaleString("en-US")} rows:`);
    const run = await planAndApply(stack, rows, pid);
    table.push({
      rows,
      actions: run.actions,
      planSeconds: run.planSeconds,
      applySeconds: run.applySeconds,
      workerPeakMb: run.workerPeakMb,
      baselinePlanSeconds: (baseline?.planPerRow ?? Number.NaN) * rows,
      baselineApplySeconds: (baseline?.applyPerRow ?? Number.NaN) * rows,
    });
  }
  const markdown = scalingTable(table, BASELINE_ROWS);
  log("");
  log(markdown);
  writeReadme(markdown, new Date());
  log("\n(README.md's Performance section updated.)");
  const last = table.at(-1) as ScalingRow;
  return {
    rows: last.rows,
    scaling: table.map((r) => ({
      rows: r.rows,
      plan_s: round(r.planSeconds),
      apply_s: round(r.applySeconds),
    })),
    plan_s: round(last.planSeconds),
    apply_s: round(last.applySeconds),
    plan_speedup_vs_baseline: baseline ? round(last.baselinePlanSeconds / last.planSeconds, 1) : null,
    apply_speedup_vs_baseline: baseline ? round(last.baselineApplySeconds / last.applySeconds, 1) : null,
  };
}

const stack = await startBenchStack();
let result: Record<string, unknown>;
try {
  // Miniflare spawned workerd as a child of this process.
  const pid = workerdPid(process.pid);
  if (pid === null) throw new Error("workerd was not found under the benchmark");
  result = values.scaling ? await scaling(stack, pid) : await main(stack, pid);
} finally {
  await stack.stop();
}
console.log(`BENCH ${JSON.stringify(result)}`);
