// The sync log's execution runs: a running line ended in SQL (endedRunStatement) must read exactly
// as the run executionRunStatement writes from the plan read back.
import { eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { plans } from "../../../db/schema.ts";
import { evaluateGuard } from "../../../worker/engine/guard.ts";
import { getPlan, savePlan } from "../../../worker/store/plans.ts";
import { endedRunStatement, executionRunStatement } from "../../../worker/store/sync-runs.ts";
import { type TestDb, testDb } from "../../helpers/db.ts";
import { handMadeImport, memberAction, tenantWithHub } from "../../helpers/tenant.ts";

let t: TestDb;
let tenantId: string;
let hubId: string;

beforeEach(async () => {
  t = await testDb();
  ({ tenantId, hubId } = await tenantWithHub(t.db));
});
afterEach(() => t.close());

/** A plan of six updates: approved ones in `statuses` (in order), the rest left unapproved. */
async function planWith(statuses: string[]) {
  const actions = Array.from({ length: 6 }, (_, i) => memberAction("update", i));
  const plan = await savePlan(
    t.db,
    handMadeImport(tenantId, hubId, { source: "event", partial: true, rowCount: 6 }),
    {
      mappingVersion: null,
      guard: evaluateGuard(actions, 100, { percent: 10, floor: 10, ceiling: 500 }),
      actions,
    },
  );
  for (const [seq, status] of statuses.entries()) {
    await t.db.run(
      sql`update plan_actions set approved = 1, status = ${status} where plan_id = ${plan.id} and seq = ${seq}`,
    );
  }
  return plan.id;
}

async function runs() {
  const rows = await t.db.all<{
    id: string;
    trigger: string;
    status: string;
    counts: string;
    error: string | null;
  }>(sql`select id, trigger, status, counts, error from sync_runs order by id`);
  return rows.map((r) => ({ ...r, counts: JSON.parse(r.counts) }));
}

async function bothWays(planId: string) {
  const startedAt = new Date();
  await t.db.$client.execute(
    executionRunStatement(await getPlan(t.db, tenantId, planId), "event", startedAt),
  );
  await t.db.run(
    sql`insert into sync_runs (id, tenant_id, hub_id, trigger, status, plan_id, started_at, error)
        values ('zz-line', ${tenantId}, ${hubId}, 'event', 'running', ${planId}, ${startedAt.toISOString()}, 'was cut')`,
  );
  await t.db.$client.execute(endedRunStatement(tenantId, "zz-line", planId, new Date()));
  const [recorded, ended] = await runs();
  expect(ended).toMatchObject({ id: "zz-line", trigger: "event", error: null });
  expect({ status: ended?.status, counts: ended?.counts }).toEqual({
    status: recorded?.status,
    counts: recorded?.counts,
  });
  return ended;
}

describe("endedRunStatement", () => {
  it("ends a run with nothing pending as done, with the progress counts", async () => {
    const ended = await bothWays(await planWith(["done", "done", "stale", "failed", "skipped"]));
    expect(ended).toMatchObject({
      status: "done",
      counts: { approved: 5, pending: 0, done: 2, failed: 1, stale: 1, skipped: 1 },
    });
  });

  it("ends a run with approved actions pending as interrupted", async () => {
    expect(await bothWays(await planWith(["done", "pending"]))).toMatchObject({ status: "interrupted" });
  });

  it("ends a run of a blocked plan as blocked, and one of a plan with nothing approved as done", async () => {
    const blocked = await planWith(["pending"]);
    await t.db.update(plans).set({ status: "blocked" }).where(eq(plans.id, blocked));
    expect(await bothWays(blocked)).toMatchObject({ status: "blocked" });
    await t.db.run(sql`delete from sync_runs`);
    expect(await bothWays(await planWith([]))).toMatchObject({
      status: "done",
      counts: { approved: 0, pending: 0, done: 0, failed: 0, stale: 0, skipped: 0 },
    });
  });
});
