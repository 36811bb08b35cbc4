// Choosing delete instead of deactivate for an absent member, against a real (in-process) libSQL.
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hubMemberships, members, planActions } from "../../../db/schema.ts";
import { evaluateGuard } from "../../../worker/engine/guard.ts";
import type { PlannedAction } from "../../../worker/engine/types.ts";
import { DEFAULT_INVITE_TEMPLATE } from "../../../worker/mail/template.ts";
import { chooseKind } from "../../../worker/store/alternatives.ts";
import { executeBatch } from "../../../worker/store/execution.ts";
import { getPlan, savePlan, setApproval } from "../../../worker/store/plans.ts";
import { createHub, createTenant } from "../../../worker/store/tenants.ts";
import { type TestDb, testDb } from "../../helpers/db.ts";
import { handMadeImport } from "../../helpers/tenant.ts";

let t: TestDb;
let tenantId: string;
let hubId: string;
let planId: string;
let actionId: string;

function absent(id: string, alternatives: string[]): PlannedAction {
  return {
    kind: "deactivate",
    row: null,
    memberId: id,
    memberVersion: 1,
    email: `${id}@acme.test`,
    employeeId: null,
    name: null,
    changes: [],
    payload: { alternatives },
    reason: "Not in this full HRIS export",
    warnings: [],
  };
}

beforeEach(async () => {
  t = await testDb();
  tenantId = (await createTenant(t.db, "Acme")).id;
  hubId = (await createHub(t.db, tenantId, "Mentoring")).id;
  for (const id of ["a", "b"]) {
    await t.db
      .insert(members)
      .values({ id, tenantId, email: `${id}@acme.test`, status: "active", source: "hris" });
    await t.db.insert(hubMemberships).values({ tenantId, hubId, memberId: id });
  }
  const actions = [absent("a", ["delete_from_hub", "delete_from_tenant"]), absent("b", [])];
  const plan = await savePlan(t.db, handMadeImport(tenantId, hubId), {
    mappingVersion: null,
    guard: evaluateGuard(actions, 100, { percent: 10, floor: 10, ceiling: 500 }),
    actions,
  });
  planId = plan.id;
  const rows = await t.db
    .select()
    .from(planActions)
    .where(eq(planActions.planId, planId))
    .orderBy(planActions.seq);
  actionId = rows[0]?.id ?? "";
});
afterEach(() => t.close());

describe("chooseKind", () => {
  it("switches to an offered alternative, moves the plan's counts, and can switch back", async () => {
    const changed = await chooseKind(t.db, tenantId, planId, actionId, "delete_from_hub");
    expect(changed.kind).toBe("delete_from_hub");
    expect((await getPlan(t.db, tenantId, planId)).summary).toEqual({ deactivate: 1, delete_from_hub: 1 });
    await chooseKind(t.db, tenantId, planId, actionId, "deactivate");
    expect((await getPlan(t.db, tenantId, planId)).summary).toEqual({ deactivate: 2 });
  });

  it("executes the chosen kind once approved", async () => {
    await chooseKind(t.db, tenantId, planId, actionId, "delete_from_hub");
    await setApproval(t.db, tenantId, planId, { approved: true, actionIds: [actionId], by: "t" });
    const ctx = {
      tenantId,
      hubId,
      actor: { type: "admin" as const, id: "t" },
      acceptUrl: "https://x.test/?token=",
      now: new Date(),
      tenantName: "Acme",
      hubName: "Mentoring",
      inviteTemplate: DEFAULT_INVITE_TEMPLATE,
    };
    await executeBatch(t.db, planId, ctx, 10);
    expect(await t.db.$count(hubMemberships, eq(hubMemberships.memberId, "a"))).toBe(0);
    const [a] = await t.db.select().from(members).where(eq(members.id, "a"));
    expect(a?.status).toBe("active");
  });

  it("refuses a kind the action does not offer, and an approved action", async () => {
    const other = (
      await t.db.select().from(planActions).where(eq(planActions.planId, planId)).orderBy(planActions.seq)
    )[1];
    await expect(
      chooseKind(t.db, tenantId, planId, other?.id ?? "", "delete_from_tenant"),
    ).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringContaining("alternatives are: none"),
    });
    await setApproval(t.db, tenantId, planId, { approved: true, actionIds: [actionId], by: "t" });
    await expect(chooseKind(t.db, tenantId, planId, actionId, "delete_from_tenant")).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringContaining("unapprove"),
    });
    expect((await getPlan(t.db, tenantId, planId)).summary).toEqual({ deactivate: 2 });
  });
});
