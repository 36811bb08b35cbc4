// The auto-apply policy, against a real (in-process) libSQL.
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { planActions } from "../../../db/schema.ts";
import { evaluateGuard } from "../../../worker/engine/guard.ts";
import type { PlannedAction } from "../../../worker/engine/types.ts";
import { savePlan } from "../../../worker/store/plans.ts";
import { autoApprove, POLICY_APPROVER, policyApprovalStatement } from "../../../worker/store/policy.ts";
import { createHub, createTenant, getTenant } from "../../../worker/store/tenants.ts";
import { type TestDb, testDb } from "../../helpers/db.ts";
import { memberAction } from "../../helpers/tenant.ts";

let t: TestDb;
afterEach(() => t.close());
beforeEach(async () => {
  t = await testDb();
});

async function plan(tenantId: string, actions: PlannedAction[], active = 100) {
  const hubId = (await createHub(t.db, tenantId, `H${Math.random()}`)).id;
  const saved = await savePlan(
    t.db,
    {
      tenantId,
      hubId,
      source: "cron",
      filename: null,
      partial: false,
      columns: [],
      rowCount: 0,
      issues: [],
      createdBy: "cron",
    },
    {
      mappingVersion: null,
      guard: evaluateGuard(actions, active, { percent: 10, floor: 10, ceiling: 500 }),
      actions,
    },
  );
  return saved.id;
}

async function approved(planId: string) {
  const rows = await t.db
    .select()
    .from(planActions)
    .where(eq(planActions.planId, planId))
    .orderBy(planActions.seq);
  return rows.filter((r) => r.approved).map((r) => [r.kind, r.approvedBy]);
}

describe("autoApprove", () => {
  it("approves the kinds the tenant's policy allows, and only those", async () => {
    const tenantId = (await createTenant(t.db, "T", { autoApply: ["update", "invite"] })).id;
    const planId = await plan(tenantId, [
      memberAction("invite", 1),
      memberAction("update", 2),
      memberAction("deactivate", 3),
    ]);
    expect(await autoApprove(t.db, tenantId, planId)).toBe(2);
    expect(await approved(planId)).toEqual([
      ["invite", POLICY_APPROVER],
      ["update", POLICY_APPROVER],
    ]);
  });

  it("narrows to the kinds asked for, never widening the policy", async () => {
    const tenantId = (await createTenant(t.db, "T")).id; // default policy: updates only
    const planId = await plan(tenantId, [memberAction("invite", 1), memberAction("update", 2)]);
    expect(await autoApprove(t.db, tenantId, planId, ["invite"])).toBe(0);
    expect(await autoApprove(t.db, tenantId, planId, ["invite", "update"])).toBe(1);
    expect(await approved(planId)).toEqual([["update", POLICY_APPROVER]]);
  });

  it("never approves anything in a plan the deprovisioning guard blocked", async () => {
    const tenantId = (await createTenant(t.db, "T", { autoApply: ["update", "deactivate"] })).id;
    const leavers = Array.from({ length: 20 }, (_, i) => memberAction("deactivate", i + 10));
    const planId = await plan(tenantId, [memberAction("update", 1), ...leavers], 30);
    expect(await autoApprove(t.db, tenantId, planId)).toBe(0);
    expect(await approved(planId)).toEqual([]);
  });
});

describe("policyApprovalStatement", () => {
  async function approveInBatch(tenantId: string, planId: string): Promise<number> {
    const { settings } = await getTenant(t.db, tenantId);
    const statement = policyApprovalStatement(tenantId, planId, settings, new Date());
    if (!statement) return 0;
    return (await t.db.$client.batch([statement], "write"))[0]?.rowsAffected ?? 0;
  }

  it("approves what autoApprove would: the policy's kinds, as the policy", async () => {
    const tenantId = (await createTenant(t.db, "T", { autoApply: ["update", "invite"] })).id;
    const planId = await plan(tenantId, [
      memberAction("invite", 1),
      memberAction("update", 2),
      memberAction("deactivate", 3),
    ]);
    expect(await approveInBatch(tenantId, planId)).toBe(2);
    expect(await approved(planId)).toEqual([
      ["invite", POLICY_APPROVER],
      ["update", POLICY_APPROVER],
    ]);
  });

  it("approves nothing in a blocked plan, and is no statement for an empty policy", async () => {
    const tenantId = (await createTenant(t.db, "T", { autoApply: ["update", "deactivate"] })).id;
    const leavers = Array.from({ length: 20 }, (_, i) => memberAction("deactivate", i + 10));
    const blocked = await plan(tenantId, [memberAction("update", 1), ...leavers], 30);
    expect(await approveInBatch(tenantId, blocked)).toBe(0);
    expect(await approved(blocked)).toEqual([]);

    const none = (await createTenant(t.db, "T", { autoApply: [] })).id;
    const { settings } = await getTenant(t.db, none);
    expect(
      policyApprovalStatement(none, await plan(none, [memberAction("update", 1)]), settings, new Date()),
    ).toBeNull();
  });
});
