// Runs the per-row baseline on a subset of the export, in the same run and on the same sqld as the
// measured stack, and extrapolates its per-row cost to the full size (per-row cost is flat: every
// row costs the same indexed queries, so it grows linearly).

import { baselineApply, baselineEvent, baselinePlan } from "./baseline.ts";
import { generateExports } from "./data.ts";
import { type BenchStack, benchTenant, seedTenant } from "./setup.ts";

export interface BaselineFigures {
  rows: number;
  /** Per row of the export, seconds. */
  planPerRow: number;
  applyPerRow: number;
  firstSyncPerRow: number;
  eventP50: number;
  eventP99: number;
}

export async function measureBaseline(
  stack: BenchStack,
  rows: number,
  events: number,
): Promise<BaselineFigures> {
  const data = generateExports(rows, 7);
  const seeded = await benchTenant(stack, `Baseline ${rows}`);
  await seedTenant(stack, seeded, data.previous);

  let started = performance.now();
  const planId = await baselinePlan(stack.client, seeded, data.current);
  const plan = (performance.now() - started) / 1000;
  started = performance.now();
  await baselineApply(stack.client, seeded, planId);
  const apply = (performance.now() - started) / 1000;

  const empty = await benchTenant(stack, `Baseline first ${rows}`);
  started = performance.now();
  const firstPlan = await baselinePlan(stack.client, empty, data.previous);
  await baselineApply(stack.client, empty, firstPlan);
  const firstSync = (performance.now() - started) / 1000;

  const times: number[] = [];
  for (let i = 0; i < events; i++) {
    const at = performance.now();
    await baselineEvent(stack.client, seeded, data.steady[i % data.steady.length] as string, `Title ${i}`);
    times.push(performance.now() - at);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  const total = data.current.split("\n").length - 1;
  return {
    rows: total,
    planPerRow: plan / total,
    applyPerRow: apply / total,
    firstSyncPerRow: firstSync / rows,
    eventP50: at(0.5),
    eventP99: at(0.99),
  };
}
