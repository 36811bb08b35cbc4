// Execution against a real (in-process) libSQL: exactly once, stale detection, per-kind effects,
// plan status, segment options, the invitation email and the audit entry.
import { eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  auditLog,
  fieldOptions,
  fields,
  hubMemberships,
  members,
  outbox,
  planActions,
  plans,
} from "../../../db/schema.ts";
import { evaluateGuard } from "../../../worker/engine/guard.ts";
import type { PlannedAction } from "../../../worker/engine/types.ts";
import { DEFAULT_INVITE_TEMPLATE } from "../../../worker/mail/template.ts";
import {
  type ExecutionContext,
  executeBatch,
  executionContext,
  runBatch,
} from "../../../worker/store/execution.ts";
import { getPlan, savePlan, setApproval } from "../../../worker/store/plans.ts";
import { type TestDb, testDb } from "../../helpers/db.ts";
import { handMadeImport, tenantWithHub } from "../../helpers/tenant.ts";

let t: TestDb;
let tenantId: string;
let hubId: string;
let ctx: ExecutionContext;

beforeEach(async () => {
  t = await testDb();
  ({ tenantId, hubId } = await tenantWithHub(t.db));
  ctx = {
    tenantId,
    hubId,
    actor: { type: "admin", id: "test" },
    acceptUrl: "https://x.test/accept?t=",
    now: new Date(),
    tenantName: "T",
    hubName: "H",
    inviteTemplate: DEFAULT_INVITE_TEMPLATE,
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

async function storePlan(actions: PlannedAction[], approve = true) {
  const plan = await savePlan(t.db, handMadeImport(tenantId, hubId), {
    mappingVersion: null,
    guard: evaluateGuard(actions, 100, { percent: 10, floor: 10, ceiling: 500 }),
    actions,
  });
  if (approve) await setApproval(t.db, tenantId, plan.id, { approved: true, all: true, by: "t" });
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

async function member(id: string, values: Partial<typeof members.$inferInsert> = {}) {
  await t.db.insert(members).values({
    id,
    tenantId,
    email: `${id}@acme.test`,
    status: "active",
    source: "hris",
    version: 1,
    ...values,
  });
  await t.db.insert(hubMemberships).values({ tenantId, hubId, memberId: id });
}

function update(memberId: string, payload: Record<string, unknown>): PlannedAction {
  return { ...invite(0), kind: "update", email: null, employeeId: null, memberId, memberVersion: 1, payload };
}

/** A run as executePlan drives it: each batch after the last one's seq, the next read meanwhile. */
async function runToEnd(planId: string, limit: number, run: ExecutionContext = { ...ctx }) {
  let after = -1;
  for (;;) {
    const batch = await runBatch(t.db, planId, run, limit, after);
    after = batch.lastSeq;
    if (!batch.more) return;
  }
}

describe("runBatch", () => {
  it("runs a plan batch after batch, reading each batch while the one before is written: each action once", async () => {
    await member("x1", { jobTitle: "Engineer" });
    await member("x2", { jobTitle: "Engineer" });
    const actions = [
      ...Array.from({ length: 7 }, (_, i) => invite(i)),
      update("x1", { core: { jobTitle: "CTO" }, mapped: ["jobTitle"] }),
      update("x2", { core: { jobTitle: "CFO" }, mapped: ["jobTitle"] }),
    ];
    const planId = await storePlan(actions);
    await runToEnd(planId, 2);
    expect(await count("members")).toBe(9);
    expect(await count("invitations")).toBe(7);
    expect(await count("outbox")).toBe(7);
    expect(await count("audit_log")).toBe(9);
    const titles = await t.db
      .select({ id: members.id, jobTitle: members.jobTitle, version: members.version })
      .from(members);
    expect(titles.filter((m) => m.id === "x1" || m.id === "x2")).toEqual([
      { id: "x1", jobTitle: "CTO", version: 2 },
      { id: "x2", jobTitle: "CFO", version: 2 },
    ]);
    expect((await getPlan(t.db, tenantId, planId)).progress).toMatchObject({ done: 9, complete: true });
  });

  it("ends stale an action whose member the batch before changed, though it was read before that change", async () => {
    await member("m1", { jobTitle: "Engineer" });
    const planId = await storePlan([
      update("m1", { core: { jobTitle: "CTO" }, mapped: ["jobTitle"] }),
      update("m1", { core: { jobTitle: "Intern" }, mapped: ["jobTitle"] }),
    ]);
    await runToEnd(planId, 1);
    const [row] = await t.db.select().from(members).where(eq(members.id, "m1"));
    expect(row).toMatchObject({ jobTitle: "CTO", version: 2 });
    const statuses = await t.db
      .select({ status: planActions.status })
      .from(planActions)
      .where(eq(planActions.planId, planId))
      .orderBy(planActions.seq);
    expect(statuses.map((a) => a.status)).toEqual(["done", "stale"]);
    expect(await count("audit_log")).toBe(1);
  });

  it("writes a changed email and employee id, and leaves unchanged ones as they are", async () => {
    await member("m1", { employeeId: "E1", jobTitle: "Engineer" });
    await member("m2", { employeeId: "E2", jobTitle: "Engineer" });
    const planId = await storePlan([
      update("m1", {
        core: { email: "m1@acme.test", employeeId: "E1", jobTitle: "CTO" },
        mapped: ["email", "employeeId", "jobTitle"],
      }),
      update("m2", {
        core: { email: "new@acme.test", employeeId: "E20", jobTitle: "CFO" },
        mapped: ["email", "employeeId", "jobTitle"],
      }),
    ]);
    await runToEnd(planId, 10);
    const rows = await t.db
      .select({
        id: members.id,
        email: members.email,
        employeeId: members.employeeId,
        jobTitle: members.jobTitle,
      })
      .from(members);
    expect(rows).toEqual([
      { id: "m1", email: "m1@acme.test", employeeId: "E1", jobTitle: "CTO" },
      { id: "m2", email: "new@acme.test", employeeId: "E20", jobTitle: "CFO" },
    ]);
  });
});

describe("plan status", () => {
  it("moves ready → executing → done as the approved actions finish", async () => {
    const planId = await storePlan(Array.from({ length: 5 }, (_, i) => invite(i)));
    expect((await getPlan(t.db, tenantId, planId)).status).toBe("ready");
    await executeBatch(t.db, planId, ctx, 2);
    expect((await getPlan(t.db, tenantId, planId)).status).toBe("executing");
    while ((await executeBatch(t.db, planId, ctx, 2)) > 0) {}
    const plan = await getPlan(t.db, tenantId, planId);
    expect(plan.status).toBe("done");
    expect(plan.progress).toMatchObject({ approved: 5, done: 5, complete: true });
  });

  it("runs actions approved after the plan was done, and ends done again", async () => {
    const planId = await storePlan([invite(1), invite(2)], false);
    const [first, second] = await t.db.select().from(planActions).where(eq(planActions.planId, planId));
    await setApproval(t.db, tenantId, planId, { approved: true, actionIds: [first?.id ?? ""], by: "t" });
    while ((await executeBatch(t.db, planId, ctx, 10)) > 0) {}
    expect((await getPlan(t.db, tenantId, planId)).status).toBe("done");
    await setApproval(t.db, tenantId, planId, { approved: true, actionIds: [second?.id ?? ""], by: "t" });
    await executeBatch(t.db, planId, ctx, 1);
    const [row] = await t.db.select().from(plans).where(eq(plans.id, planId));
    expect(row?.status).toBe("done");
    expect((await getPlan(t.db, tenantId, planId)).progress).toMatchObject({ done: 2 });
  });
});

describe("audit", () => {
  it("records the actor, who approved, the action, and before/after", async () => {
    await member("m1", { jobTitle: "Engineer" });
    const planId = await storePlan([update("m1", { core: { jobTitle: "CTO" }, mapped: ["jobTitle"] })]);
    await executeBatch(t.db, planId, ctx, 10);
    const [entry] = await t.db.select().from(auditLog);
    const [action] = await t.db.select().from(planActions).where(eq(planActions.planId, planId));
    expect(entry).toMatchObject({
      tenantId,
      actorType: "admin",
      actorId: "test",
      approvedBy: "t",
      actionId: action?.id,
      memberId: "m1",
      change: "update",
      before: { jobTitle: "Engineer" },
      after: { core: { jobTitle: "CTO" } },
    });
  });
});

describe("invitation email", () => {
  it("renders the tenant's template with the tenant and hub names, escaping values in HTML", async () => {
    const loaded = await executionContext(t.db, { ...ctx });
    expect(loaded).toMatchObject({ tenantName: "T", hubName: "H" });
    const planId = await storePlan([{ ...invite(1), name: "Ada <b>Lovelace</b>" }]);
    await executeBatch(t.db, planId, { ...loaded, tenantName: "Acme & Co", hubName: "Mentoring" }, 10);
    const [mail] = await t.db.select().from(outbox);
    expect(mail?.subject).toBe("Acme & Co invites you to Mentoring");
    expect(mail?.text).toContain("Hello Ada <b>Lovelace</b>,");
    expect(mail?.text).toMatch(/https:\/\/x\.test\/accept\?t=[\w-]{40,}/);
    expect(mail?.html).toContain("Hello Ada &#60;b&#62;Lovelace&#60;/b&#62;,");
    expect(mail?.html).toContain("Acme &#38; Co");
  });
});

describe("segment options", () => {
  it("adds new values as options, de-duplicated by their folded form, creating the field once", async () => {
    const people = [
      {
        ...invite(1),
        payload: {
          memberId: "n1",
          core: { email: "p1@acme.test" },
          profile: { team: "Sales & Marketing", roles: ["Mentor"] },
        },
      },
      {
        ...invite(2),
        payload: { memberId: "n2", core: { email: "p2@acme.test" }, profile: { team: "marketing, sales" } },
      },
      {
        ...invite(3),
        payload: {
          memberId: "n3",
          core: { email: "p3@acme.test" },
          profile: { team: "Finance", roles: ["Mentor", "Mentee"] },
        },
      },
    ];
    const planId = await storePlan(people);
    await executeBatch(t.db, planId, ctx, 2);
    await executeBatch(t.db, planId, ctx, 2);
    const rows = await t.db.select().from(fields).orderBy(fields.key);
    expect(rows.map((f) => [f.key, f.kind, f.visibility])).toEqual([
      ["roles", "role", "private"],
      ["team", "segment", "private"],
    ]);
    const options = await t.db.select().from(fieldOptions).orderBy(fieldOptions.value);
    expect(options.map((o) => o.value)).toEqual(["Finance", "Mentee", "Mentor", "Sales & Marketing"]);
  });

  it("adds nothing for an action that went stale", async () => {
    const planId = await storePlan([
      {
        ...invite(1),
        payload: { memberId: "n1", core: { email: "p1@acme.test" }, profile: { team: "Ops" } },
      },
    ]);
    await t.db
      .insert(members)
      .values({ id: "x", tenantId, email: "p1@acme.test", status: "active", source: "manual" });
    await executeBatch(t.db, planId, ctx, 10);
    expect(await count("fields")).toBe(0);
    expect(await count("field_options")).toBe(0);
  });
});

describe("failures", () => {
  it("fails only the action whose change collides with another member, with a sentence, and runs the rest", async () => {
    await member("m1");
    await member("m2");
    const planId = await storePlan([
      update("m1", { core: { email: "m2@acme.test" }, mapped: ["email"] }),
      invite(5),
    ]);
    await executeBatch(t.db, planId, ctx, 10);
    const actions = await t.db
      .select()
      .from(planActions)
      .where(eq(planActions.planId, planId))
      .orderBy(planActions.seq);
    expect(actions.map((a) => a.status)).toEqual(["failed", "done"]);
    expect(actions[0]?.message).toMatch(/already has this email address/);
    const [m1] = await t.db.select().from(members).where(eq(members.id, "m1"));
    expect(m1?.email).toBe("m1@acme.test");
    expect(await count("audit_log")).toBe(1);
    expect((await getPlan(t.db, tenantId, planId)).status).toBe("done");
  });
});

describe("deprovisioning kinds", () => {
  it("deactivates keeping the hub membership, deletes from hub, soft-deletes from tenant", async () => {
    await member("a");
    await member("b");
    await member("c");
    const absent = (id: string, kind: PlannedAction["kind"]): PlannedAction => ({
      ...update(id, {}),
      kind,
      payload: { alternatives: [] },
    });
    const planId = await storePlan([
      absent("a", "deactivate"),
      absent("b", "delete_from_hub"),
      absent("c", "delete_from_tenant"),
    ]);
    await executeBatch(t.db, planId, ctx, 10);
    const rows = await t.db.select().from(members).orderBy(members.id);
    expect(rows.map((r) => [r.id, r.status, r.deletedAt !== null])).toEqual([
      ["a", "inactive", false],
      ["b", "active", false],
      ["c", "deleted", true],
    ]);
    const memberships = await t.db.select().from(hubMemberships).orderBy(hubMemberships.memberId);
    expect(memberships.map((m) => m.memberId)).toEqual(["a", "c"]);
  });
});
