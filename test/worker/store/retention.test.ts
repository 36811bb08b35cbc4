// Restore within the window, and the purge after it, against a real (in-process) libSQL.
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditLog, hubMemberships, invitations, members, outbox, planActions } from "../../../db/schema.ts";
import { evaluateGuard } from "../../../worker/engine/guard.ts";
import type { PlannedAction } from "../../../worker/engine/types.ts";
import { DEFAULT_INVITE_TEMPLATE } from "../../../worker/mail/template.ts";
import { executeBatch } from "../../../worker/store/execution.ts";
import { savePlan, setApproval } from "../../../worker/store/plans.ts";
import { purgeDeleted, restoreMember } from "../../../worker/store/retention.ts";
import { createHub, createTenant } from "../../../worker/store/tenants.ts";
import { type TestDb, testDb } from "../../helpers/db.ts";
import { handMadeImport } from "../../helpers/tenant.ts";

const DAY = 86_400_000;
const admin = { type: "api_key" as const, id: "key1" };
let t: TestDb;
let tenantId: string;
let hubId: string;

beforeEach(async () => {
  t = await testDb();
  tenantId = (await createTenant(t.db, "Acme")).id;
  hubId = (await createHub(t.db, tenantId, "Mentoring")).id;
});
afterEach(() => t.close());

/** Invites `id` and then deletes them from the tenant, both through plans, at `deletedAt`. */
async function invitedThenDeleted(id: string, deletedAt: Date) {
  const email = `${id}@acme.test`;
  const inviteAction: PlannedAction = {
    kind: "invite",
    row: 2,
    memberId: null,
    memberVersion: null,
    email,
    employeeId: null,
    name: "Ada Lovelace",
    changes: [],
    payload: { memberId: id, core: { email, firstName: "Ada", lastName: "Lovelace" }, profile: {} },
    reason: "new",
    warnings: [],
  };
  await run([inviteAction], deletedAt);
  const deleteAction: PlannedAction = {
    ...inviteAction,
    kind: "delete_from_tenant",
    memberId: id,
    memberVersion: 1,
    payload: null,
  };
  await run([deleteAction], deletedAt);
}

async function run(actions: PlannedAction[], now: Date) {
  const plan = await savePlan(t.db, handMadeImport(tenantId, hubId), {
    mappingVersion: null,
    guard: evaluateGuard(actions, 100, { percent: 10, floor: 10, ceiling: 500 }),
    actions,
  });
  await setApproval(t.db, tenantId, plan.id, { approved: true, all: true, by: "t" });
  const ctx = {
    tenantId,
    hubId,
    actor: admin,
    acceptUrl: "https://x.test/?token=",
    now,
    tenantName: "Acme",
    hubName: "Mentoring",
    inviteTemplate: DEFAULT_INVITE_TEMPLATE,
  };
  await executeBatch(t.db, plan.id, ctx, 100);
}

async function memberRow(id: string) {
  const [row] = await t.db.select().from(members).where(eq(members.id, id));
  return row;
}

describe("restore", () => {
  it("gives back the status the member had before the delete, within 30 days, once", async () => {
    const deletedAt = new Date("2026-03-01T00:00:00Z");
    await invitedThenDeleted("m1", deletedAt);
    expect(await memberRow("m1")).toMatchObject({ status: "deleted" });
    const restored = await restoreMember(t.db, tenantId, "m1", {
      actor: admin,
      now: new Date(deletedAt.getTime() + 29 * DAY),
    });
    expect(restored).toMatchObject({ status: "invited", deletedAt: null });
    await expect(
      restoreMember(t.db, tenantId, "m1", { actor: admin, now: new Date() }),
    ).rejects.toMatchObject({
      code: "conflict",
    });
    const entry = await t.db.query.auditLog.findFirst({ where: eq(auditLog.change, "restore") });
    expect(entry).toMatchObject({ actorType: "api_key", actorId: "key1", actionId: null, memberId: "m1" });
  });

  it("refuses after 30 days with 410 and a date", async () => {
    const deletedAt = new Date("2026-03-01T00:00:00Z");
    await invitedThenDeleted("m1", deletedAt);
    const late = restoreMember(t.db, tenantId, "m1", {
      actor: admin,
      now: new Date(deletedAt.getTime() + 31 * DAY),
    });
    await expect(late).rejects.toMatchObject({
      code: "gone",
      message: expect.stringContaining("2026-03-01"),
    });
    expect(await memberRow("m1")).toMatchObject({ status: "deleted" });
  });
});

describe("purge", () => {
  it("removes the person's data after 30 days and scrubs their audit entries, once", async () => {
    const deletedAt = new Date("2026-03-01T00:00:00Z");
    await invitedThenDeleted("m1", deletedAt);
    await invitedThenDeleted("m2", new Date(deletedAt.getTime() + 20 * DAY));
    const now = new Date(deletedAt.getTime() + 31 * DAY);
    expect(await purgeDeleted(t.db, now)).toBe(1);
    expect(await purgeDeleted(t.db, now)).toBe(0);

    expect(await memberRow("m1")).toBeUndefined();
    expect(await t.db.$count(hubMemberships, eq(hubMemberships.memberId, "m1"))).toBe(0);
    expect(await t.db.$count(invitations, eq(invitations.memberId, "m1"))).toBe(0);
    expect(await t.db.$count(outbox, eq(outbox.recipient, "m1@acme.test"))).toBe(0);
    const entries = await t.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.memberId, "m1"))
      .orderBy(auditLog.id);
    expect(entries.map((e) => e.change)).toEqual(["invite", "delete_from_tenant", "purge"]);
    expect(JSON.stringify(entries)).not.toMatch(/Ada|Lovelace|m1@acme/);
    expect(entries[1]?.after).toEqual({ scrubbed: true, status: "deleted" });
    const actions = await t.db.select().from(planActions);
    expect(JSON.stringify(actions.filter((a) => a.email === null))).not.toMatch(/Ada|m1@acme/);

    // The member deleted 11 days ago is untouched.
    expect(await memberRow("m2")).toMatchObject({ status: "deleted" });
    expect(await t.db.$count(invitations, eq(invitations.memberId, "m2"))).toBe(1);
  });
});
