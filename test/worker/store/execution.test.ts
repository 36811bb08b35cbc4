// Execution against a real (in-process) libSQL: exactly once, stale detection, per-kind effects.
import { eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { members, planActions } from "../../../db/schema.ts";
import { evaluateGuard } from "../../../worker/engine/guard.ts";
import type { PlannedAction } from "../../../worker/engine/types.ts";
import { type ExecutionContext, executeBatch } from "../../../worker/store/execution.ts";
import { getPlan, savePlan, setApproval } from "../../../worker/store/plans.ts";
import { createHub, createTenant } from "../../../worker/store/tenants.ts";
import { type TestDb, testDb } from "../../helpers/db.ts";

let t: TestDb;
let tenantId: string;
let hubId: string;
let ctx: ExecutionContext;

beforeEach(async () => {
  t = await testDb();
  tenantId = (await createTenant(t.db, "T")).id;
  hubId = (await createHub(t.db, tenantId, "H")).id;
  ctx = {
    tenantId,
    hubId,
    actor: { type: "admin", id: "test" },
    acceptUrl: "https://x.test/accept?t=",
    now: new Date(),
  };
});

afterEach(() => t.close());

function invite(n: number): PlannedAction {
  const email = `p${n}@acme.test`;
  return {
    kind: "invite",
    row: n + 1,
    memberId: null,
    memberVersion: null,
    email,
    employeeId: `E${n}`,
    name: `Person ${n}`,
    changes: [],
    payload: {
      memberId: `m${n}`,
      core: { email, employeeId: `E${n}`, firstName: `Person${n}` },
      profile: {},
    },
    reason: "new",
    warnings: [],
  };
}

async function storePlan(actions: PlannedAction[]) {
  const plan = await savePlan(
    t.db,
    {
      tenantId,
      hubId,
      source: "api",
      filename: null,
      partial: false,
      columns: [],
      rowCount: 0,
      issues: [],
      createdBy: "t",
    },
    {
      mappingVersion: null,
      guard: evaluateGuard(actions, 100, { percent: 10, floor: 10, ceiling: 500 }),
      actions,
    },
  );
  await setApproval(t.db, tenantId, plan.id, { approved: true, all: true, by: "t" });
  return plan.id;
}

async function count(table: string) {
  const rows = await t.db.all<{ n: number }>(sql.raw(`select count(*) as n from ${table}`));
  return Number(rows[0]?.n);
}

describe("executeBatch", () => {
  it("runs each action once even when batches race and repeat", async () => {
    const planId = await storePlan(Array.from({ length: 30 }, (_, i) => invite(i)));
    await Promise.all([executeBatch(t.db, planId, ctx, 10), executeBatch(t.db, planId, ctx, 10)]);
    while ((await executeBatch(t.db, planId, ctx, 7)) > 0) {}
    await executeBatch(t.db, planId, ctx, 100);
    expect(await count("members")).toBe(30);
    expect(await count("invitations")).toBe(30);
    expect(await count("outbox")).toBe(30);
    expect(await count("audit_log")).toBe(30);
    expect((await getPlan(t.db, tenantId, planId)).progress).toMatchObject({
      done: 30,
      pending: 0,
      complete: true,
    });
  });

  it("marks an invite stale when someone with that email joined meanwhile, writing nothing", async () => {
    const planId = await storePlan([invite(1)]);
    await t.db
      .insert(members)
      .values({ id: "other", tenantId, email: "p1@acme.test", status: "active", source: "manual" });
    await executeBatch(t.db, planId, ctx, 10);
    const [action] = await t.db.select().from(planActions).where(eq(planActions.planId, planId));
    expect(action?.status).toBe("stale");
    expect(action?.message).toContain("p1@acme.test");
    expect(await count("invitations")).toBe(0);
    expect(await count("audit_log")).toBe(0);
  });

  it("marks an update stale when the member changed after planning", async () => {
    await t.db
      .insert(members)
      .values({ id: "m1", tenantId, email: "a@acme.test", status: "active", source: "hris", version: 1 });
    const update: PlannedAction = {
      ...invite(1),
      kind: "update",
      memberId: "m1",
      memberVersion: 1,
      payload: { core: { jobTitle: "CTO" }, profile: {}, mapped: ["jobTitle"] },
    };
    const planId = await storePlan([update]);
    await t.db.update(members).set({ version: 2, jobTitle: "Changed by hand" }).where(eq(members.id, "m1"));
    await executeBatch(t.db, planId, ctx, 10);
    const [row] = await t.db.select().from(members).where(eq(members.id, "m1"));
    expect(row?.jobTitle).toBe("Changed by hand");
    const [action] = await t.db.select().from(planActions).where(eq(planActions.planId, planId));
    expect(action?.status).toBe("stale");
  });

  it("applies an update and bumps the member's version", async () => {
    await t.db
      .insert(members)
      .values({ id: "m1", tenantId, email: "a@acme.test", status: "active", source: "hris", version: 1 });
    const planId = await storePlan([
      {
        ...invite(1),
        kind: "update",
        memberId: "m1",
        memberVersion: 1,
        payload: { core: { jobTitle: "CTO" }, mapped: ["jobTitle"] },
      },
    ]);
    await executeBatch(t.db, planId, ctx, 10);
    const [row] = await t.db.select().from(members).where(eq(members.id, "m1"));
    expect(row).toMatchObject({ jobTitle: "CTO", version: 2 });
  });

  it("refuses to run a plan the deprovisioning guard blocked", async () => {
    const deactivations = Array.from({ length: 11 }, (_, i) => ({
      ...invite(i),
      kind: "deactivate" as const,
    }));
    const planId = await storePlan(deactivations);
    await expect(executeBatch(t.db, planId, ctx, 10)).rejects.toMatchObject({ code: "deprovisioning_guard" });
  });
});
