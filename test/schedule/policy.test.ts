// The scheduled sync's approval policy against a real (in-process) libSQL: the autoApply kinds
// (never deletions), starters whose earlier plan scheduled them, leavers a row names; people merely
// absent wait; a blocked plan gets nothing.
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { planActions, type TenantSettings } from "../../db/schema.ts";
import { evaluateGuard } from "../../worker/engine/guard.ts";
import type { PlannedAction } from "../../worker/engine/types.ts";
import { approveScheduled, SCHEDULE_APPROVER } from "../../worker/schedule/policy.ts";
import { savePlan } from "../../worker/store/plans.ts";
import { POLICY_APPROVER } from "../../worker/store/policy.ts";
import { createHub, createTenant } from "../../worker/store/tenants.ts";
import { type TestDb, testDb } from "../helpers/db.ts";
import { memberAction, tenantWithHub } from "../helpers/tenant.ts";

let t: TestDb;
beforeEach(async () => {
  t = await testDb();
});
afterEach(() => t.close());

function action(kind: PlannedAction["kind"], email: string, row: number | null): PlannedAction {
  const memberId = kind === "invite" || kind === "scheduled" ? null : `m-${email}`;
  return memberAction(kind, row ?? 0, { row, memberId, email });
}

async function plan(tenantId: string, hubId: string, actions: PlannedAction[], active = 100) {
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
  return rows.filter((r) => r.approved).map((r) => [r.kind, r.email, r.approvedBy]);
}

async function setUp(settings: Partial<TenantSettings> = {}) {
  const { tenantId, hubId } = await tenantWithHub(t.db, settings);
  // Last week's plan scheduled Sam to start today.
  await plan(tenantId, hubId, [action("scheduled", "sam@x.test", 5)]);
  const planId = await plan(tenantId, hubId, [
    action("update", "ada@x.test", 2),
    action("invite", "new@x.test", 3),
    action("invite", "sam@x.test", 4),
    action("deactivate", "ken@x.test", 5),
    action("deactivate", "gone@x.test", null),
  ]);
  return { tenantId, hubId, planId };
}

describe("approveScheduled", () => {
  it("by default applies updates, starters and leavers; new hires and the absent wait", async () => {
    const { tenantId, planId } = await setUp();
    expect(await approveScheduled(t.db, tenantId, planId)).toBe(3);
    expect(await approved(planId)).toEqual([
      ["update", "ada@x.test", POLICY_APPROVER],
      ["invite", "sam@x.test", SCHEDULE_APPROVER],
      ["deactivate", "ken@x.test", SCHEDULE_APPROVER],
    ]);
  });

  it("follows a tenant that invites every new hire and deactivates the absent too", async () => {
    const { tenantId, planId } = await setUp({ autoApply: ["update", "invite", "deactivate"] });
    expect(await approveScheduled(t.db, tenantId, planId)).toBe(5);
  });

  it("follows a tenant that turned the scheduled rules off", async () => {
    const { tenantId, planId } = await setUp({ scheduledAutoApply: [] });
    expect(await approved(planId)).toEqual([]);
    expect(await approveScheduled(t.db, tenantId, planId)).toBe(1);
    expect((await approved(planId)).map((a) => a[0])).toEqual(["update"]);
  });

  it("never approves a deletion, even when autoApply names it", async () => {
    const { tenantId, hubId } = await tenantWithHub(t.db, {
      autoApply: ["delete_from_hub", "delete_from_tenant"],
    });
    const planId = await plan(tenantId, hubId, [
      action("delete_from_hub", "a@x.test", null),
      action("delete_from_tenant", "b@x.test", null),
    ]);
    expect(await approveScheduled(t.db, tenantId, planId)).toBe(0);
  });

  it("approves nothing in a plan the guard blocked", async () => {
    const { tenantId, hubId } = await tenantWithHub(t.db);
    const leavers = Array.from({ length: 12 }, (_, i) => action("deactivate", `l${i}@x.test`, i + 2));
    const planId = await plan(tenantId, hubId, [action("update", "ada@x.test", 1), ...leavers], 20);
    expect(await approveScheduled(t.db, tenantId, planId)).toBe(0);
    expect(await approved(planId)).toEqual([]);
  });

  it("counts as a starter only someone another plan of the same hub scheduled", async () => {
    const tenantId = (await createTenant(t.db, "T")).id;
    const hub = (await createHub(t.db, tenantId, "H")).id;
    const other = (await createHub(t.db, tenantId, "Other")).id;
    await plan(tenantId, other, [action("scheduled", "sam@x.test", 2)]);
    const planId = await plan(tenantId, hub, [action("invite", "sam@x.test", 2)]);
    expect(await approveScheduled(t.db, tenantId, planId)).toBe(0);
  });
});
