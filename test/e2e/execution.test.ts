// Execution over the real stack (sqld + the worker under workerd), driven over HTTP: exactly once
// under repeats, concurrency, retries and crashes; invitations accepted, re-sent, revoked; restore;
// the audit log; the dev-only outbox. Rows are counted in sqld itself.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import type { AuditPage } from "../../worker/contract/audit.ts";
import type { Problem } from "../../worker/contract/common.ts";
import type { ImportResult } from "../../worker/contract/imports.ts";
import type { AcceptResult, InvitationResult } from "../../worker/contract/invitations.ts";
import type { OutboxPage } from "../../worker/contract/outbox.ts";
import type { Action, ActionPage, Plan } from "../../worker/contract/plans.ts";
import type { RestoredMember } from "../../worker/contract/retention.ts";
import { createApiKey, createHub, createTenant } from "../../worker/store/tenants.ts";
import { type Stack, startStack } from "../helpers/stack.ts";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

type Api = (path: string, init?: RequestInit) => Promise<Response>;

interface Tenant {
  tenantId: string;
  hubId: string;
  api: Api;
}

/** A tenant of its own per scenario, so row counts are exact. */
async function newTenant(name: string): Promise<Tenant> {
  const tenant = await createTenant(stack.db, name);
  const hub = await createHub(stack.db, tenant.id, "Mentoring");
  const { key } = await createApiKey(stack.db, tenant.id, "e2e", "admin");
  const api: Api = (path, init = {}) =>
    fetch(`${stack.url}${path}`, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${key}` },
    });
  return { tenantId: tenant.id, hubId: hub.id, api };
}

async function read<S extends z.ZodType>(response: Response, _schema?: S): Promise<z.infer<S>> {
  return (await response.json()) as z.infer<S>;
}

const post = (body?: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: body === undefined ? undefined : JSON.stringify(body),
});

const FIRST_NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken"];

/** Names read as names (auto-map looks at the values): "Ada Bd" for person 29. */
function nameOf(n: number): string {
  let letters = "";
  for (let rest = n; rest > 0; rest = Math.floor(rest / 26))
    letters = String.fromCharCode(97 + (rest % 26)) + letters;
  return `${FIRST_NAMES[n % FIRST_NAMES.length]},${letters.charAt(0).toUpperCase()}${letters.slice(1)}`;
}

function csv(people: { n: number; email?: string }[]): string {
  const rows = people.map(
    ({ n, email }) => `E${n},${nameOf(n)},${email ?? `person${n}@acme.test`},2020-01-01,Active`,
  );
  return ["Employee ID,First Name,Last Name,Work Email,Start Date,Status", ...rows].join("\n");
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ({ n: from + i }));

async function importCsv(t: Tenant, body: string) {
  const response = await t.api(`/v1/hubs/${t.hubId}/imports`, {
    method: "POST",
    headers: { "content-type": "text/csv" },
    body,
  });
  expect(response.status).toBe(201);
  return (await read<typeof ImportResult>(response)).plan;
}

async function approveAll(t: Tenant, planId: string) {
  const response = await t.api(`/v1/plans/${planId}/approvals`, post({ all: true }));
  expect(response.status).toBe(200);
}

async function execute(t: Tenant, planId: string, headers: Record<string, string> = {}) {
  return t.api(`/v1/plans/${planId}/execute`, post(undefined, headers));
}

/** Executes until no approved action is pending (each call runs within the worker's time budget). */
async function executeToEnd(t: Tenant, planId: string): Promise<z.infer<typeof Plan>> {
  for (;;) {
    const response = await execute(t, planId);
    expect(response.status).toBe(200);
    const plan = await read<typeof Plan>(response);
    if (plan.progress.complete) return plan;
  }
}

async function scalar(query: ReturnType<typeof sql>): Promise<number> {
  const rows = await stack.db.all<{ n: number }>(query);
  return Number(rows[0]?.n);
}

/** Rows of the tenant in each table an executed invite writes, and duplicates per action. */
async function tally(tenantId: string, planId: string) {
  const count = (table: string) =>
    scalar(sql`select count(*) as n from ${sql.raw(table)} where tenant_id = ${tenantId}`);
  const duplicated = (table: string, column: string) =>
    scalar(
      sql`select count(*) as n from (select ${sql.raw(column)} from ${sql.raw(table)} where tenant_id = ${tenantId}
          group by ${sql.raw(column)} having count(*) > 1)`,
    );
  return {
    members: await count("members"),
    hubMemberships: await count("hub_memberships"),
    invitations: await count("invitations"),
    outboxEmails: await count("outbox"),
    auditEntries: await count("audit_log"),
    actionsDone: await scalar(
      sql`select count(*) as n from plan_actions where plan_id = ${planId} and status = 'done'`,
    ),
    actionsNotDone: await scalar(
      sql`select count(*) as n from plan_actions where plan_id = ${planId} and status <> 'done'`,
    ),
    auditEntriesPerActionOverOne: await duplicated("audit_log", "action_id"),
    invitationsPerActionOverOne: await duplicated("invitations", "action_id"),
    emailsPerDedupeKeyOverOne: await duplicated("outbox", "dedupe_key"),
    doneActionsWithoutAudit: await scalar(
      sql`select count(*) as n from plan_actions a where a.plan_id = ${planId} and a.status = 'done'
          and not exists (select 1 from audit_log l where l.action_id = a.id)`,
    ),
    doneInvitesWithoutMember: await scalar(
      sql`select count(*) as n from plan_actions a where a.plan_id = ${planId} and a.status = 'done'
          and not exists (select 1 from members m where m.id = json_extract(a.payload, '$.memberId'))`,
    ),
  };
}

const EXACTLY_ONCE = {
  auditEntriesPerActionOverOne: 0,
  invitationsPerActionOverOne: 0,
  emailsPerDedupeKeyOverOne: 0,
  doneActionsWithoutAudit: 0,
  doneInvitesWithoutMember: 0,
};

describe("exactly once over HTTP", () => {
  let t: Tenant;
  let planId: string;

  beforeAll(async () => {
    t = await newTenant("Once Co");
    planId = (await importCsv(t, csv(range(1, 41)))).id;
    await approveAll(t, planId);
  });

  it("runs each action once when four executions race", async () => {
    const responses = await Promise.all([1, 2, 3, 4].map(() => execute(t, planId)));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const plan = await read<typeof Plan>(await t.api(`/v1/plans/${planId}`));
    expect(plan).toMatchObject({ status: "done", progress: { approved: 40, done: 40, complete: true } });
    expect(await tally(t.tenantId, planId)).toMatchObject({
      members: 40,
      invitations: 40,
      outboxEmails: 40,
      auditEntries: 40,
      actionsDone: 40,
      ...EXACTLY_ONCE,
    });
  });

  it("writes nothing more when executed again, or retried with the same idempotency key", async () => {
    const again = await execute(t, planId);
    expect(again.status).toBe(200);
    const key = { "idempotency-key": crypto.randomUUID() };
    const first = await execute(t, planId, key);
    const retry = await execute(t, planId, key);
    expect([first.status, retry.status]).toEqual([200, 200]);
    expect((await read<typeof Plan>(retry)).progress).toMatchObject({ done: 40, pending: 0 });
    expect(await tally(t.tenantId, planId)).toMatchObject({
      members: 40,
      invitations: 40,
      outboxEmails: 40,
      auditEntries: 40,
      ...EXACTLY_ONCE,
    });
  });

  it("records who approved and who executed in the audit log, newest first, page by page", async () => {
    const first = await read<typeof AuditPage>(await t.api("/v1/audit?limit=30"));
    expect(first.entries).toHaveLength(30);
    expect(first.entries[0]).toMatchObject({ actorType: "api_key", change: "invite" });
    expect(first.entries[0]?.approvedBy).toMatch(/^api_key:/);
    const ids = first.entries.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const second = await read<typeof AuditPage>(await t.api(`/v1/audit?limit=30&cursor=${first.nextCursor}`));
    expect(second.entries).toHaveLength(10);
    expect(second.nextCursor).toBeNull();
    expect(new Set([...ids, ...second.entries.map((e) => e.id)]).size).toBe(40);
  });
});

describe("invitations, restore and the outbox over HTTP", () => {
  let t: Tenant;

  beforeAll(async () => {
    t = await newTenant("Invite Co");
    const plan = await importCsv(t, csv(range(1, 4)));
    await approveAll(t, plan.id);
    await executeToEnd(t, plan.id);
  });

  async function memberId(email: string): Promise<string> {
    const rows = await stack.db.all<{ id: string }>(
      sql`select id from members where tenant_id = ${t.tenantId} and email = ${email}`,
    );
    return rows[0]?.id ?? "";
  }

  /** The newest email to `email`, once the worker has delivered it to the local outbox. */
  async function deliveredTo(email: string) {
    for (;;) {
      const page = await read<typeof OutboxPage>(
        await t.api(`/v1/outbox?recipient=${encodeURIComponent(email)}`),
      );
      const newest = page.messages[0];
      if (newest?.status === "sent") return { newest, count: page.messages.length };
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  function tokenOf(text: string | null): string {
    const match = /\/invitations\/accept\?token=([\w-]+)/.exec(text ?? "");
    expect(match?.[1]).toBeTruthy();
    return match?.[1] ?? "";
  }

  const accept = (token: string) => fetch(`${stack.url}/invitations/accept`, post({ token }));

  it("delivers the invitation to the local outbox, with a link to this worker that a browser can open", async () => {
    const { newest } = await deliveredTo("person1@acme.test");
    expect(newest.subject).toBe("Invite Co invites you to Mentoring");
    expect(newest.html).toContain("Hello Grace B,");
    const link = /(http:\/\/[^\s]+)/.exec(newest.text ?? "")?.[1] ?? "";
    expect(link.startsWith(`${stack.url}/invitations/accept?token=`)).toBe(true);
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain("Accept invitation");
    // Opening the page accepts nothing: mail scanners open links too.
    const status = await scalar(
      sql`select count(*) as n from members where tenant_id = ${t.tenantId} and status = 'invited'`,
    );
    expect(status).toBe(3);
  });

  it("accepts once; the second time says so with a 410 problem", async () => {
    const { newest } = await deliveredTo("person1@acme.test");
    const token = tokenOf(newest.text);
    const first = await accept(token);
    expect(first.status).toBe(200);
    expect(await read<typeof AcceptResult>(first)).toMatchObject({ status: "accepted" });
    const second = await accept(token);
    expect(second.status).toBe(410);
    expect(second.headers.get("content-type")).toContain("application/problem+json");
    expect((await read<typeof Problem>(second)).detail).toMatch(/already been accepted/);
    const unknown = await accept("not-a-token");
    expect(unknown.status).toBe(404);
  });

  it("re-sends once per idempotency key; the old link stops working, the new one works", async () => {
    const id = await memberId("person2@acme.test");
    const old = tokenOf((await deliveredTo("person2@acme.test")).newest.text);
    const key = { "idempotency-key": crypto.randomUUID() };
    const first = await t.api(`/v1/members/${id}/invitation/resend`, post(undefined, key));
    const retry = await t.api(`/v1/members/${id}/invitation/resend`, post(undefined, key));
    expect([first.status, retry.status]).toEqual([200, 200]);
    expect((await read<typeof InvitationResult>(first)).invitation?.status).toBe("pending");
    const { newest, count } = await deliveredTo("person2@acme.test");
    expect(count).toBe(2);
    const fresh = tokenOf(newest.text);
    expect(fresh).not.toBe(old);
    expect((await accept(old)).status).toBe(410);
    expect((await accept(fresh)).status).toBe(200);
  });

  it("revokes a pending invitation: its link is then gone; revoking twice is a 409", async () => {
    const id = await memberId("person3@acme.test");
    const token = tokenOf((await deliveredTo("person3@acme.test")).newest.text);
    const revoked = await t.api(`/v1/members/${id}/invitation/revoke`, post());
    expect(revoked.status).toBe(200);
    expect((await read<typeof InvitationResult>(revoked)).invitation?.status).toBe("revoked");
    expect((await accept(token)).status).toBe(410);
    expect((await t.api(`/v1/members/${id}/invitation/revoke`, post())).status).toBe(409);
  });

  it("deletes an absent member from the tenant when chosen instead of deactivate, and restores them", async () => {
    // A full export without person1: they are proposed for deactivation, with alternatives.
    const plan = await importCsv(t, csv([{ n: 2 }, { n: 3 }]));
    const page = await read<typeof ActionPage>(await t.api(`/v1/plans/${plan.id}/actions?kind=deactivate`));
    const absent = page.actions.find((a) => a.email === "person1@acme.test");
    expect(absent).toBeDefined();
    const chosen = await t.api(
      `/v1/plans/${plan.id}/actions/${absent?.id}/kind`,
      post({ kind: "delete_from_tenant" }),
    );
    expect(chosen.status).toBe(200);
    expect((await read<typeof Action>(chosen)).kind).toBe("delete_from_tenant");
    await t.api(`/v1/plans/${plan.id}/approvals`, post({ actionIds: [absent?.id] }));
    await executeToEnd(t, plan.id);

    const id = await memberId("person1@acme.test");
    const restored = await t.api(`/v1/members/${id}/restore`, post());
    expect(restored.status).toBe(200);
    expect(await read<typeof RestoredMember>(restored)).toMatchObject({ status: "active", deletedAt: null });
    const again = await t.api(`/v1/members/${id}/restore`, post());
    expect(again.status).toBe(409);

    const audit = await read<typeof AuditPage>(await t.api(`/v1/audit?memberId=${id}`));
    expect(audit.entries.map((e) => e.change)).toEqual([
      "restore",
      "delete_from_tenant",
      "invitation_accept",
      "invite",
    ]);
    expect(audit.entries[0]).toMatchObject({ actorType: "api_key", actionId: null });
    expect(audit.entries[2]).toMatchObject({ actorType: "member", actorId: id });
  });

  it("filters the audit log by time", async () => {
    const all = await read<typeof AuditPage>(await t.api("/v1/audit?limit=500"));
    const newest = all.entries[0]?.at ?? "";
    const page = await read<typeof AuditPage>(await t.api(`/v1/audit?from=${encodeURIComponent(newest)}`));
    expect(page.entries.length).toBeGreaterThan(0);
    expect(page.entries.every((e) => e.at >= newest)).toBe(true);
    const none = await read<typeof AuditPage>(await t.api("/v1/audit?to=2000-01-01"));
    expect(none.entries).toEqual([]);
  });

  it("serves the outbox only in development", async () => {
    const production = await stack.extraWorker({ ENVIRONMENT: "production" });
    const response = await fetch(`${production.url}/v1/outbox`, {
      headers: { authorization: `Bearer ${stack.apiKey}` },
    });
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
  });
});

describe("a 5,000-action plan survives a killed worker and a killed sqld", () => {
  const PEOPLE = 5_000;

  it("ends with every action run once and no invitation or email duplicated or lost", async () => {
    const t = await newTenant("Crash Co");
    const plan = await importCsv(t, csv(range(1, PEOPLE + 1)));
    expect(plan.summary).toEqual({ invite: PEOPLE });
    await approveAll(t, plan.id);
    const done = () =>
      scalar(sql`select count(*) as n from plan_actions where plan_id = ${plan.id} and status = 'done'`);

    /**
     * Starts an execution and kills `what` once at least `atLeast` actions are done (if that
     * execution ends first, another starts). Returns the done count seen at the kill and after restart.
     */
    async function killDuring(what: "worker" | "sqld", atLeast: number) {
      let running: Promise<unknown> | null = null;
      let seen = await done();
      while (seen < atLeast) {
        running ??= execute(t, plan.id)
          .then(
            // Shown so a reader sees how the interrupted request ended (a 500 when sqld died under it).
            async (r) => console.log(`execute request ended ${r.status}: ${(await r.text()).slice(0, 200)}`),
            () => undefined,
          )
          .finally(() => {
            running = null;
          });
        await new Promise((r) => setTimeout(r, 20));
        seen = await done();
      }
      if (what === "worker") stack.killWorker();
      else stack.killSqld();
      await running;
      if (what === "worker") await stack.restartWorker();
      else await stack.restartSqld();
      return { atKill: seen, afterRestart: await done() };
    }

    const workerKill = await killDuring("worker", 1_000);
    expect(workerKill.afterRestart).toBeLessThan(PEOPLE);
    const sqldKill = await killDuring("sqld", workerKill.afterRestart + 1_000);
    expect(sqldKill.afterRestart).toBeLessThan(PEOPLE);

    const finished = await executeToEnd(t, plan.id);
    expect(finished).toMatchObject({
      status: "done",
      progress: { approved: PEOPLE, done: PEOPLE, failed: 0, stale: 0, pending: 0, complete: true },
    });
    const counts = await tally(t.tenantId, plan.id);
    console.log(
      `kill-and-rerun: worker SIGKILLed with ${workerKill.atKill} actions done (${workerKill.afterRestart} after restart), ` +
        `sqld SIGKILLed with ${sqldKill.atKill} done (${sqldKill.afterRestart} after restart); after re-run to the end:`,
      counts,
    );
    expect(counts).toEqual({
      members: PEOPLE,
      hubMemberships: PEOPLE,
      invitations: PEOPLE,
      outboxEmails: PEOPLE,
      auditEntries: PEOPLE,
      actionsDone: PEOPLE,
      actionsNotDone: 0,
      ...EXACTLY_ONCE,
    });
  }, 120_000);
});
