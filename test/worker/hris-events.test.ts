// HRIS events against a real (in-process) libSQL: the sync log and webhooks an applied event leaves,
// duplicates, a redelivery finishing an apply cut short, and the deprovisioning guard judged
// without counting the hub unless the verdict depends on it.
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { TenantSettings } from "../../db/schema.ts";
import { AppError } from "../../worker/errors.ts";
import { receiveHrisEvent } from "../../worker/hris-events.ts";
import { setApproval } from "../../worker/store/plans.ts";
import { updateSettings } from "../../worker/store/settings.ts";
import { createWebhook } from "../../worker/store/webhooks.ts";
import { type TestDb, testDb } from "../helpers/db.ts";
import { tenantWithHub } from "../helpers/tenant.ts";

let t: TestDb;
let tenantId: string;
let hubId: string;
let counter = 0;

async function setUp(settings: Partial<TenantSettings> = {}) {
  ({ tenantId, hubId } = await tenantWithHub(t.db, { autoApply: ["invite", "update"], ...settings }));
}

beforeEach(async () => {
  t = await testDb();
  await setUp();
});
afterEach(() => t.close());

type Employee = Record<string, string | null>;
type EventType = "employee.created" | "employee.updated" | "employee.deactivated" | "employee.deleted";

function event(type: EventType, employee: Employee, id = `evt_${++counter}`) {
  return { id, type, occurredAt: new Date().toISOString(), hubId, employee };
}

function send(body: ReturnType<typeof event>) {
  return receiveHrisEvent(t.db, tenantId, body, {
    acceptUrl: "https://x.test/accept?token=",
    now: new Date(),
    budgetMs: 10_000,
  });
}

/** n people invited through events: E1 … En. */
async function people(n: number) {
  for (let i = 1; i <= n; i++) {
    await send(
      event("employee.created", { employeeId: `E${i}`, email: `p${i}@acme.test`, firstName: `P${i}` }),
    );
  }
}

async function runsOf(planId: string) {
  const rows = await t.db.all<{
    id: string;
    trigger: string;
    status: string;
    counts: string;
    error: string | null;
  }>(
    sql`select id, trigger, status, counts, error from sync_runs where plan_id = ${planId} order by started_at, id`,
  );
  return rows.map((r) => ({ ...r, counts: JSON.parse(r.counts) }));
}

/** Another member takes `email` just before the event's second batch (the one storing its plan). */
function takeEmailBeforeStoring(email: string) {
  const client = t.db.$client;
  const batch = client.batch.bind(client);
  const spy = vi.spyOn(client, "batch").mockImplementation(async (statements, mode) => {
    if (spy.mock.calls.length === 2) {
      await client.execute({
        sql: `INSERT INTO members (id, tenant_id, email, status, source, created_at, updated_at)
              VALUES ('m-other', ?, ?, 'active', 'manual', 'now', 'now')`,
        args: [tenantId, email],
      });
    }
    return batch(statements, mode);
  });
  return spy;
}

async function scalar(query: ReturnType<typeof sql>): Promise<number> {
  const rows = await t.db.all<{ n: number }>(query);
  return Number(rows[0]?.n);
}

describe("an auto-applied event", () => {
  it("answers its plan as executed, and logs the plan and the execution with no running line left", async () => {
    await people(1);
    const receipt = await send(event("employee.updated", { employeeId: "E1", jobTitle: "Lead" }));
    expect(receipt.duplicate).toBe(false);
    expect(receipt.plan).toMatchObject({ summary: { update: 1 }, progress: { done: 1, complete: true } });
    expect(receipt.actions).toEqual([
      expect.objectContaining({ kind: "update", status: "done", approved: true, message: null }),
    ]);
    expect(await scalar(sql`select count(*) as n from members where job_title = 'Lead'`)).toBe(1);
    const runs = await runsOf(receipt.plan?.id as string);
    expect(runs.map(({ trigger, status, counts, error }) => ({ trigger, status, counts, error }))).toEqual([
      { trigger: "event", status: "done", counts: { update: 1 }, error: null },
      {
        trigger: "event",
        status: "done",
        counts: { approved: 1, pending: 0, done: 1, failed: 0, stale: 0, skipped: 0 },
        error: null,
      },
    ]);
  });

  it("costs two round trips to the database: claim and read, then plan, approve and run in one batch", async () => {
    await people(2);
    const client = t.db.$client;
    const calls = [vi.spyOn(client, "execute"), vi.spyOn(client, "batch")];
    // No email: the member's is planned with; a manager by email: read with the claim too.
    const receipt = await send(
      event("employee.updated", { employeeId: "E1", manager: "P2@acme.test", jobTitle: "Lead" }),
    );
    expect(receipt.plan?.progress).toMatchObject({ done: 1, complete: true });
    expect(calls.reduce((n, spy) => n + spy.mock.calls.length, 0)).toBe(2);
    for (const spy of calls) spy.mockRestore();
    // The execution's line in the sync log was closed in the same round trip as the actions ran.
    const runs = await runsOf(receipt.plan?.id as string);
    expect(runs.map((r) => [r.trigger, r.status])).toEqual([
      ["event", "done"],
      ["event", "done"],
    ]);
  });

  it("leaves an invite stale when another member took the email since its claim", async () => {
    const spy = takeEmailBeforeStoring("taken@acme.test");
    const receipt = await send(event("employee.created", { employeeId: "E9", email: "taken@acme.test" }));
    spy.mockRestore();
    expect(receipt.plan?.summary).toEqual({ invite: 1 });
    expect(receipt.actions).toEqual([
      expect.objectContaining({ kind: "invite", approved: true, status: "stale" }),
    ]);
    expect(await scalar(sql`select count(*) as n from invitations`)).toBe(0);
    expect((await runsOf(receipt.plan?.id as string)).map((r) => r.status)).toEqual(["done", "done"]);
  });

  it("stores its plan and fails only the update when the new email was taken since its claim", async () => {
    await people(1);
    const spy = takeEmailBeforeStoring("taken@acme.test");
    const receipt = await send(event("employee.updated", { employeeId: "E1", email: "taken@acme.test" }));
    spy.mockRestore();
    // The batch that would have stored and run the plan broke the unique email: stored, then run alone.
    expect(receipt.plan?.summary).toEqual({ update: 1 });
    expect(receipt.actions).toEqual([
      expect.objectContaining({
        kind: "update",
        approved: true,
        status: "failed",
        message: expect.stringMatching(/already has this email/),
      }),
    ]);
    expect(await scalar(sql`select count(*) as n from members where email = 'p1@acme.test'`)).toBe(1);
    const runs = await runsOf(receipt.plan?.id as string);
    expect(runs.map((r) => [r.status, r.counts.failed])).toEqual([
      ["done", undefined],
      ["done", 1],
    ]);
  });

  it("leaves an action the policy does not allow waiting, with no execution logged", async () => {
    await updateSettings(t.db, tenantId, { autoApply: ["update"] });
    const waiting = await send(event("employee.created", { email: "wait@acme.test" }));
    expect(waiting.actions).toEqual([
      expect.objectContaining({ kind: "invite", approved: false, status: "pending" }),
    ]);
    expect((await runsOf(waiting.plan?.id as string)).map((r) => r.status)).toEqual(["done"]);
  });

  it("announces the plan, the member change and the execution to subscribed endpoints", async () => {
    await people(1);
    await createWebhook(t.db, tenantId, { url: "https://h.test/all", events: ["*"], description: null });
    await createWebhook(t.db, tenantId, {
      url: "https://h.test/plans",
      events: ["plan.*"],
      description: null,
    });
    const receipt = await send(event("employee.updated", { employeeId: "E1", jobTitle: "Lead" }));
    const planId = receipt.plan?.id as string;
    const rows = await t.db.all<{ subject: string; text: string }>(
      sql`select subject, text from outbox where channel = 'webhook' order by subject, recipient`,
    );
    expect(rows.map((r) => r.subject)).toEqual([
      "member.updated",
      "plan.created",
      "plan.created",
      "plan.executed",
      "plan.executed",
    ]);
    const [updated, created, , executed] = rows.map((r) => JSON.parse(r.text));
    expect(updated.data).toMatchObject({ employeeId: "E1", planId, hubId, actionId: receipt.actions[0]?.id });
    expect(created.data).toMatchObject({ planId, summary: { update: 1 } });
    expect(executed.data.progress).toMatchObject({ approved: 1, done: 1, complete: true });
  });
});

describe("a redelivered event", () => {
  it("is answered with the first plan and runs nothing again", async () => {
    await people(1);
    const body = event("employee.updated", { employeeId: "E1", jobTitle: "Lead" });
    const first = await send(body);
    const audit = await scalar(sql`select count(*) as n from audit_log`);
    const again = await send(body);
    expect(again).toMatchObject({ duplicate: true, plan: { id: first.plan?.id } });
    expect(again.actions).toEqual(first.actions);
    expect(await scalar(sql`select count(*) as n from audit_log`)).toBe(audit);
    expect(await runsOf(first.plan?.id as string)).toHaveLength(2);
  });

  it("finishes an apply the first delivery was cut off in, and logs the cut-off run as interrupted", async () => {
    await people(1);
    // The first delivery approved the update and died: its line still reads running.
    await updateSettings(t.db, tenantId, { autoApply: [] });
    const body = event("employee.updated", { employeeId: "E1", jobTitle: "Lead" });
    const first = await send(body);
    const planId = first.plan?.id as string;
    await setApproval(t.db, tenantId, planId, { approved: true, kinds: ["update"], by: "policy:autoApply" });
    await t.db.run(
      sql`insert into sync_runs (id, tenant_id, hub_id, trigger, status, plan_id, started_at)
          values ('cut-off', ${tenantId}, ${hubId}, 'event', 'running', ${planId}, ${new Date(Date.now() - 60_000).toISOString()})`,
    );

    const again = await send(body);
    expect(again.duplicate).toBe(true);
    expect(again.actions).toEqual([expect.objectContaining({ kind: "update", status: "done" })]);
    expect(await scalar(sql`select count(*) as n from members where job_title = 'Lead'`)).toBe(1);
    const runs = await runsOf(planId);
    expect(runs.find((r) => r.id === "cut-off")).toMatchObject({
      status: "interrupted",
      error: expect.any(String),
    });
    expect(runs.filter((r) => r.status === "running")).toEqual([]);
    expect(runs.at(-1)).toMatchObject({ status: "done", counts: { done: 1, pending: 0 } });
  });

  it("is told to come back while the first delivery still runs", async () => {
    const body = event("employee.created", { email: "x@acme.test" });
    await t.db.run(
      sql`insert into processed_events (tenant_id, event_id, status, received_at)
          values (${tenantId}, ${body.id}, 'processing', ${new Date().toISOString()})`,
    );
    await expect(send(body)).rejects.toMatchObject({ code: "idempotency_in_progress" });
  });

  it("may run again after a first delivery refused before planning (an unknown hub)", async () => {
    const body = { ...event("employee.created", { email: "x@acme.test" }), hubId: "nope" };
    const refused = await send(body).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: "not_found" });
    const retried = await send({ ...body, hubId });
    expect(retried.duplicate).toBe(false);
  });
});

describe("the deprovisioning guard on events", () => {
  it("does not count the hub for a leaver the floor allows, and applies it when the policy says so", async () => {
    await updateSettings(t.db, tenantId, { autoApply: ["invite", "update", "deactivate"] });
    await people(3);
    const receipt = await send(event("employee.deactivated", { employeeId: "E1" }));
    // Judged against no one: the floor's limit, which already allows it.
    expect(receipt.plan?.guard).toEqual({ deprovisions: 1, active: 0, limit: 10, blocked: false });
    expect(receipt.actions).toEqual([expect.objectContaining({ kind: "deactivate", status: "done" })]);
  });

  it("counts the hub when the floor does not allow a leaver, and blocks or passes as the count says", async () => {
    await setUp({
      autoApply: ["invite", "update", "deactivate"],
      guard: { percent: 50, floor: 0, ceiling: 500 },
    });
    await people(3);
    const passed = await send(event("employee.deactivated", { employeeId: "E1" }));
    expect(passed.plan?.guard).toEqual({ deprovisions: 1, active: 3, limit: 1, blocked: false });
    expect(passed.actions[0]?.status).toBe("done");

    await updateSettings(t.db, tenantId, { guard: { percent: 10, floor: 0, ceiling: 500 } });
    const blocked = await send(event("employee.deactivated", { employeeId: "E2" }));
    expect(blocked.plan).toMatchObject({ status: "blocked", guard: { active: 2, limit: 0, blocked: true } });
    expect(blocked.actions).toEqual([expect.objectContaining({ kind: "deactivate", approved: false })]);
  });

  it("judges a deletion added to a plan with no deprovisions against the count", async () => {
    await setUp({
      autoApply: ["invite", "update", "deactivate"],
      guard: { percent: 50, floor: 0, ceiling: 500 },
    });
    await people(4);
    for (const employeeId of ["E1", "E2"]) {
      expect((await send(event("employee.deactivated", { employeeId }))).actions[0]?.status).toBe("done");
    }
    const allowed = await send(event("employee.deleted", { employeeId: "E1" }));
    expect(allowed.plan?.summary).toEqual({ delete_from_tenant: 1 });
    expect(allowed.plan?.guard).toEqual({ deprovisions: 1, active: 2, limit: 1, blocked: false });

    await updateSettings(t.db, tenantId, { guard: { percent: 10, floor: 0, ceiling: 500 } });
    const blocked = await send(event("employee.deleted", { employeeId: "E2" }));
    expect(blocked.plan).toMatchObject({
      status: "blocked",
      guard: { deprovisions: 1, active: 2, limit: 0, blocked: true },
    });
  });
});
