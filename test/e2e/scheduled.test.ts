// Scheduled syncs over the real stack: sqld, the worker under wrangler dev (workerd) with its
// scheduled handler triggered at chosen times (`/cdn-cgi/handler/scheduled?time=<ms>`, which
// wrangler dev answers after the handler and its waitUntil work are done), and Google's OAuth
// token endpoint, the Sheets API and CSV URLs served by a local fake that verifies the service
// account's JWT. Each scenario has its own tenant and a schedule that fires only on its own
// dates, so ticks for one scenario leave the others alone. All dates are in 2030: the admin's
// own imports (seeds) run at today's real date, when these dates are still in the future.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import type { TenantSettings } from "../../db/schema.ts";
import { freePort, type Service, startWorker } from "../../scripts/stack.ts";
import type { ImportResult } from "../../worker/contract/imports.ts";
import type { ActionPage, Plan } from "../../worker/contract/plans.ts";
import type { Settings } from "../../worker/contract/settings.ts";
import type { SyncRunPage } from "../../worker/contract/sync-runs.ts";
import { createApiKey, createHub, createTenant } from "../../worker/store/tenants.ts";
import { type Stack, startStack } from "../helpers/stack.ts";
import { type FakeGoogle, startFakeGoogle } from "../schedule/fake-google.ts";

let stack: Stack;
let google: FakeGoogle;
let worker: Service;

interface Tenant {
  id: string;
  hubId: string;
  key: string;
}

const HEADER =
  "Employee #,First Name,Last Name,Work Email,Job Title,Hire Date,Termination Date,Employment Status";

beforeAll(async () => {
  [stack, google] = await Promise.all([startStack(), startFakeGoogle()]);
  const port = await freePort();
  worker = await startWorker({
    port,
    databaseUrl: stack.sqld.url,
    testScheduled: true,
    vars: {
      GOOGLE_SERVICE_ACCOUNT_JSON: google.serviceAccountJson,
      GOOGLE_TOKEN_URL: google.tokenUrl,
      SHEETS_API_URL: google.origin,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
    },
  });
});

afterAll(async () => {
  await worker?.stop();
  await stack?.stop();
  await google?.close();
});

async function newTenant(name: string, settings: Partial<TenantSettings> = {}): Promise<Tenant> {
  const tenant = await createTenant(stack.db, name, settings);
  const hub = await createHub(stack.db, tenant.id, "Mentoring");
  const { key } = await createApiKey(stack.db, tenant.id, "e2e", "admin");
  return { id: tenant.id, hubId: hub.id, key };
}

async function call<T>(
  tenant: Tenant,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${worker.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${tenant.key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** The admin's own import, approved in full and executed: the people the scenario starts with. */
async function seed(tenant: Tenant, rows: string[]) {
  const imported = await fetch(`${worker.url}/v1/hubs/${tenant.hubId}/imports`, {
    method: "POST",
    headers: { authorization: `Bearer ${tenant.key}`, "content-type": "text/csv" },
    body: [HEADER, ...rows].join("\n"),
  });
  expect(imported.status).toBe(201);
  const { plan } = (await imported.json()) as z.infer<typeof ImportResult>;
  await call(tenant, "POST", `/v1/plans/${plan.id}/approvals`, { all: true });
  const executed = await call<z.infer<typeof Plan>>(tenant, "POST", `/v1/plans/${plan.id}/execute`);
  expect(executed.body.progress.complete).toBe(true);
  return plan.id;
}

async function configure(tenant: Tenant, patch: Record<string, unknown>) {
  const response = await call<z.infer<typeof Settings>>(tenant, "PATCH", "/v1/settings", patch);
  expect(response.status).toBe(200);
  return response.body;
}

/** Runs the worker's cron as Cloudflare would at `iso`. */
async function tick(iso: string) {
  const response = await fetch(
    `${worker.url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent("*/15 * * * *")}&time=${Date.parse(iso)}`,
  );
  expect(response.status).toBe(200);
}

async function plansOf(tenant: Tenant) {
  return stack.db.all<{ id: string; status: string; created_by: string }>(
    sql`select id, status, created_by from plans where tenant_id = ${tenant.id} order by created_at, rowid`,
  );
}

async function cronPlans(tenant: Tenant) {
  return (await plansOf(tenant)).filter((p) => p.created_by.startsWith("cron:"));
}

async function actionsOf(tenant: Tenant, planId: string) {
  const { body } = await call<z.infer<typeof ActionPage>>(
    tenant,
    "GET",
    `/v1/plans/${planId}/actions?limit=500`,
  );
  return body.actions;
}

async function member(tenant: Tenant, email: string) {
  const rows = await stack.db.all<{ id: string; status: string; job_title: string | null }>(
    sql`select id, status, job_title from members where tenant_id = ${tenant.id} and email = ${email}`,
  );
  return rows[0];
}

async function runsOf(tenant: Tenant) {
  const { body } = await call<z.infer<typeof SyncRunPage>>(tenant, "GET", "/v1/sync-runs?limit=100");
  return body.runs;
}

function csvRequests(name: string) {
  return google.requests.filter((r) => r.path === `/csv/${name}`).length;
}

describe("a tenant's schedule, sheet source and policy (weekdays 08:00 UTC)", () => {
  let policy: Tenant;
  const sheetRows = [
    HEADER.split(","),
    ["E1", "Ada", "Lovelace", "ada@acme.test", "Chief Engineer", "2020-01-15", "", "Active"],
    ["E3", "Ken", "Thompson", "ken@acme.test", "Engineer", "2020-01-01", "2030-03-01", "Active"],
    ["E4", "Linus", "Torvalds", "linus@acme.test", "Engineer", "2021-01-01", "", "Active"],
    ["E5", "Margaret", "Hamilton", "margaret@acme.test", "Engineer", "2030-03-11", "", "Active"],
    ["E6", "No", "Email", "", "Engineer", "2020-01-01", "", "Active"],
  ];

  beforeAll(async () => {
    policy = await newTenant("Policy Co");
    await seed(policy, [
      "E1,Ada,Lovelace,ada@acme.test,Engineer,2020-01-15,,Active",
      "E2,Grace,Hopper,grace@acme.test,Engineer,2020-02-01,,Active",
      "E3,Ken,Thompson,ken@acme.test,Engineer,2020-01-01,2030-03-01,Active",
    ]);
    google.sheets.set("policy-sheet", { access: "writer", tabs: new Map([["Export", sheetRows]]) });
    const settings = await configure(policy, {
      sources: [{ type: "sheet", hubId: policy.hubId, spreadsheetId: "policy-sheet", range: "Export!A1:H" }],
    });
    expect(settings.sheetsServiceAccount).toBe(google.clientEmail);
    expect(settings.scheduledAutoApply).toEqual(["starters", "leavers"]);
    expect(settings.cron).toBe("0 8 * * 1-5");
  });

  it("is not due before its first scheduled time (Friday 07:45 UTC)", async () => {
    await tick("2030-03-08T07:45:00Z");
    expect(await cronPlans(policy)).toEqual([]);
    expect(google.requests.filter((r) => r.path.includes("policy-sheet"))).toEqual([]);
  });

  it("is due at 08:00: applies the update and the leaver, leaves the new hire and the absent pending, writes back", async () => {
    const refusalsBefore = google.refusals.length;
    await tick("2030-03-08T08:00:00Z");
    const [plan] = await cronPlans(policy);
    expect(plan?.status).toBe("done");
    const actions = await actionsOf(policy, plan?.id ?? "");
    const byEmail = (email: string) => actions.find((a) => a.email === email);
    expect(byEmail("ada@acme.test")).toMatchObject({ kind: "update", status: "done", approved: true });
    expect(byEmail("ken@acme.test")).toMatchObject({ kind: "deactivate", row: 3, status: "done" });
    expect(byEmail("linus@acme.test")).toMatchObject({ kind: "invite", status: "pending", approved: false });
    expect(byEmail("grace@acme.test")).toMatchObject({ kind: "deactivate", row: null, approved: false });
    expect(byEmail("margaret@acme.test")).toMatchObject({ kind: "scheduled", status: "pending" });
    expect((await member(policy, "ada@acme.test"))?.job_title).toBe("Chief Engineer");
    expect((await member(policy, "ken@acme.test"))?.status).toBe("inactive");
    expect((await member(policy, "grace@acme.test"))?.status).toBe("invited");
    expect(await member(policy, "linus@acme.test")).toBeUndefined();

    // One batchUpdate wrote the status column (I) beside rows 1–6, as RAW text.
    const writes = google.batchUpdates.filter((b) => b.spreadsheetId === "policy-sheet");
    expect(writes).toHaveLength(1);
    expect(writes[0]?.body.valueInputOption).toBe("RAW");
    expect(writes[0]?.body.data?.map((d) => d.range)).toEqual(["Export!I1:I6"]);
    const status = (row: number) => google.cell("policy-sheet", "Export", "I", row);
    expect(status(1)).toBe("profile-sync status");
    expect(status(2)).toBe("Updated");
    expect(status(3)).toBe("Deactivated");
    expect(status(4)).toMatch(/^Waiting for approval \(invite\)/);
    expect(status(5)).toBe("Scheduled: Starts on 2030-03-11: invited on that day.");
    expect(status(6)).toMatch(/^Error: /);
    expect(google.refusals.length).toBe(refusalsBefore);

    // The sync log, as the API and the add-on's Log read it.
    const runs = (await runsOf(policy)).filter((r) => r.planId === plan?.id);
    expect(runs.map((r) => [r.trigger, r.status]).sort()).toEqual([
      ["cron", "done"],
      ["cron", "done"],
    ]);
    expect(runs.find((r) => "invite" in r.counts)?.counts).toMatchObject({
      update: 1,
      deactivate: 2,
      invite: 1,
    });
    expect(runs.find((r) => "approved" in r.counts)?.counts).toMatchObject({
      approved: 2,
      done: 2,
      pending: 0,
    });
  });

  it("is not due again at 08:15 nor on Saturday", async () => {
    await tick("2030-03-08T08:15:00Z");
    await tick("2030-03-09T08:00:00Z");
    expect(await cronPlans(policy)).toHaveLength(1);
  });

  it("invites the scheduled starter on her start date (Monday) and still waits for the new hire", async () => {
    await tick("2030-03-11T08:00:00Z");
    const plans = await cronPlans(policy);
    expect(plans).toHaveLength(2);
    const actions = await actionsOf(policy, plans[1]?.id ?? "");
    expect(actions.find((a) => a.email === "margaret@acme.test")).toMatchObject({
      kind: "invite",
      status: "done",
    });
    expect(actions.find((a) => a.email === "linus@acme.test")).toMatchObject({
      kind: "invite",
      approved: false,
    });
    expect((await member(policy, "margaret@acme.test"))?.status).toBe("invited");
    expect(google.cell("policy-sheet", "Export", "I", 5)).toBe("Invited");
    const mail = await stack.db.all<{ n: number }>(
      sql`select count(*) as n from outbox where tenant_id = ${policy.id} and recipient = 'margaret@acme.test'`,
    );
    expect(Number(mail[0]?.n)).toBe(1);
  });
});

describe("overlapping runs", () => {
  let leased: Tenant;

  beforeAll(async () => {
    leased = await newTenant("Lease Co", { cron: "0 6 15,16 3 *" });
    google.csv.set("lease.csv", {
      body: `${HEADER}\nE1,Lin,Lee,lin@acme.test,Engineer,2020-01-01,,Active\n`,
    });
    await configure(leased, {
      sources: [{ type: "csv", hubId: leased.hubId, url: google.csvUrl("lease.csv") }],
    });
  });

  it("skips a tenant whose lease another run holds", async () => {
    const until = new Date(Date.now() + 3_600_000).toISOString();
    await stack.db.run(
      sql`insert into leases (tenant_id, name, holder, expires_at) values (${leased.id}, 'scheduled-sync', 'another-run', ${until})`,
    );
    await tick("2030-03-15T06:00:00Z");
    expect(await cronPlans(leased)).toEqual([]);
    expect(csvRequests("lease.csv")).toBe(0);
  });

  it("runs once the lease has expired, and records the occurrence it ran for", async () => {
    await stack.db.run(
      sql`update leases set expires_at = '2000-01-01T00:00:00.000Z' where tenant_id = ${leased.id}`,
    );
    await tick("2030-03-15T06:00:00Z");
    expect(await cronPlans(leased)).toHaveLength(1);
    const [lease] = await stack.db.all<{ holder: string | null; last_run_at: string }>(
      sql`select holder, last_run_at from leases where tenant_id = ${leased.id}`,
    );
    expect(lease).toEqual({ holder: null, last_run_at: "2030-03-15T06:00:00.000Z" });
  });

  it("runs a tenant once when two ticks for the same time overlap", async () => {
    const fetched = csvRequests("lease.csv");
    await Promise.all([tick("2030-03-16T06:00:00Z"), tick("2030-03-16T06:00:00Z")]);
    expect(await cronPlans(leased)).toHaveLength(2);
    expect(csvRequests("lease.csv")).toBe(fetched + 1);
  });
});

describe("the deprovisioning guard", () => {
  it("reports a truncated sheet as blocked and applies nothing from it, not even its update", async () => {
    const guarded = await newTenant("Guard Co", { cron: "0 6 17 3 *" });
    const people = Array.from(
      { length: 20 },
      (_, i) => `E${i + 1},P${i + 1},Person,p${i + 1}@acme.test,Engineer,2020-01-01,,Active`,
    );
    await seed(guarded, people);
    google.sheets.set("truncated", {
      access: "writer",
      tabs: new Map([
        [
          "Export",
          [
            HEADER.split(","),
            ["E1", "P1", "Person", "p1@acme.test", "Director", "2020-01-01", "", "Active"],
            ["E2", "P2", "Person", "p2@acme.test", "Engineer", "2020-01-01", "", "Active"],
          ],
        ],
      ]),
    });
    await configure(guarded, {
      sources: [{ type: "sheet", hubId: guarded.hubId, spreadsheetId: "truncated", range: "Export" }],
    });
    await tick("2030-03-17T06:00:00Z");
    const [plan] = await cronPlans(guarded);
    expect(plan?.status).toBe("blocked");
    const actions = await actionsOf(guarded, plan?.id ?? "");
    expect(actions.filter((a) => a.kind === "deactivate")).toHaveLength(18);
    expect(actions.filter((a) => a.approved)).toEqual([]);
    expect((await member(guarded, "p1@acme.test"))?.job_title).toBe("Engineer");
    const runs = (await runsOf(guarded)).filter((r) => r.planId === plan?.id);
    expect(runs.map((r) => [r.trigger, r.status])).toEqual([["cron", "blocked"]]);
    expect(google.cell("truncated", "Export", "I", 2)).toMatch(/^Blocked: /);
  });
});

describe("tenant isolation", () => {
  let bad: Tenant;
  let corrupt: Tenant;
  let good: Tenant;
  let reader: Tenant;

  beforeAll(async () => {
    // Created in this order, so the failing tenants run before the good one.
    bad = await newTenant("Bad Co", { cron: "0 6 18 3 *" });
    corrupt = await newTenant("Corrupt Co", { cron: "0 6 18 3 *" });
    good = await newTenant("Good Co", { cron: "0 6 18 3 *" });
    reader = await newTenant("Reader Co", { cron: "0 6 18 3 *" });
    google.sheets.set("read-only", {
      access: "reader",
      tabs: new Map([
        [
          "Export",
          [
            HEADER.split(","),
            ["E1", "Rae", "Reader", "rae@reader.test", "Engineer", "2020-01-01", "", "Active"],
          ],
        ],
      ]),
    });
    await configure(reader, {
      sources: [{ type: "sheet", hubId: reader.hubId, spreadsheetId: "read-only", range: "Export" }],
    });
    google.csv.set("broken.csv", { body: "oops", status: 500 });
    google.csv.set("good.csv", {
      body: `${HEADER}\nE1,Gus,Good,gus@good.test,Engineer,2020-01-01,,Active\nE2,Gia,Good,gia@good.test,Engineer,2020-01-01,,Active\n`,
      bearer: "s3cret-token",
    });
    google.csv.set("corrupt.csv", { body: `${HEADER}\n` });
    google.sheets.set("not-shared", { access: "none", tabs: new Map([["Export", [HEADER.split(",")]]]) });
    await configure(bad, {
      sources: [
        { type: "csv", hubId: bad.hubId, url: google.csvUrl("broken.csv") },
        { type: "sheet", hubId: bad.hubId, spreadsheetId: "not-shared", range: "Export" },
      ],
    });
    const goodSettings = await configure(good, {
      sources: [
        { type: "csv", hubId: good.hubId, url: google.csvUrl("good.csv"), bearerToken: "s3cret-token" },
      ],
    });
    expect(goodSettings.sources).toEqual([
      expect.objectContaining({ type: "csv", hasBearerToken: true, partial: false, id: expect.any(String) }),
    ]);
    expect(JSON.stringify(goodSettings)).not.toContain("s3cret-token");
    await configure(corrupt, {
      sources: [{ type: "csv", hubId: corrupt.hubId, url: google.csvUrl("corrupt.csv") }],
    });
    // Settings are checked when saved; this one was edited behind the API's back.
    await stack.db.run(
      sql`update tenants set settings = json_set(settings, '$.timeZone', 'Mars/Olympus') where id = ${corrupt.id}`,
    );
  });

  it("stores the CSV bearer token only encrypted", async () => {
    const [row] = await stack.db.all<{ settings: string }>(
      sql`select settings from tenants where id = ${good.id}`,
    );
    expect(row?.settings).not.toContain("s3cret-token");
    expect(JSON.parse(row?.settings ?? "{}").sources[0].bearer).toEqual({
      iv: expect.any(String),
      data: expect.any(String),
    });
  });

  it("records a bad source's failure on its sync run and still syncs the other tenants", async () => {
    await tick("2030-03-18T06:00:00Z");
    const failed = await runsOf(bad);
    expect(failed.map((r) => [r.trigger, r.status, r.hubId])).toEqual([
      ["cron", "failed", bad.hubId],
      ["cron", "failed", bad.hubId],
    ]);
    const errors = failed.map((r) => r.error ?? "");
    expect(errors).toContainEqual(`The CSV at ${google.csvUrl("broken.csv")} answered HTTP 500.`);
    expect(errors.some((e) => e.includes(`share the sheet with it as an editor`))).toBe(true);
    expect(await cronPlans(bad)).toEqual([]);

    expect(await cronPlans(corrupt)).toEqual([]);
    expect(csvRequests("corrupt.csv")).toBe(0);

    const [plan] = await cronPlans(good);
    expect(plan?.status).toBe("ready");
    expect((await actionsOf(good, plan?.id ?? "")).map((a) => [a.kind, a.approved])).toEqual([
      ["invite", false],
      ["invite", false],
    ]);
    expect((await runsOf(good)).map((r) => [r.trigger, r.status, r.counts])).toEqual([
      ["cron", "done", { invite: 2 }],
    ]);
  });

  it("notes a write-back the sheet refused on the sync run, and keeps the plan", async () => {
    const [plan] = await cronPlans(reader);
    expect((await actionsOf(reader, plan?.id ?? "")).map((a) => a.kind)).toEqual(["invite"]);
    const [run] = (await runsOf(reader)).filter((r) => r.planId === plan?.id);
    expect(run?.status).toBe("done");
    expect(run?.error).toBe(
      `Statuses were not written back to the sheet: The service account ${google.clientEmail} may not write to ` +
        "spreadsheet read-only (The caller does not have permission): share the sheet with it as an editor.",
    );
  });

  it("keeps a stored token when a source is saved again by id, and refuses it for another host", async () => {
    const [source] = (await call<z.infer<typeof Settings>>(good, "GET", "/v1/settings")).body.sources;
    const again = await configure(good, {
      sources: [
        { id: source?.id, type: "csv", hubId: good.hubId, url: google.csvUrl("good.csv"), partial: true },
      ],
    });
    expect(again.sources).toEqual([
      expect.objectContaining({ id: source?.id, hasBearerToken: true, partial: true }),
    ]);
    const moved = await call<{ errors?: { field: string }[] }>(good, "PATCH", "/v1/settings", {
      sources: [
        { id: source?.id, type: "csv", hubId: good.hubId, url: "https://elsewhere.example/good.csv" },
      ],
    });
    expect(moved.status).toBe(422);
    expect(moved.body.errors?.[0]?.field).toBe("json.sources.0.bearerToken");
    const unknown = await call<{ errors?: { field: string }[] }>(good, "PATCH", "/v1/settings", {
      sources: [{ id: "nope", type: "csv", hubId: good.hubId, url: google.csvUrl("good.csv") }],
    });
    expect(unknown.body.errors?.[0]?.field).toBe("json.sources.0.id");
    const plain = await call<{ errors?: { field: string }[] }>(good, "PATCH", "/v1/settings", {
      sources: [{ type: "csv", hubId: good.hubId, url: "http://hris.example/x.csv" }],
    });
    expect(plain.status).toBe(400);
    expect(plain.body.errors?.[0]?.field).toBe("json.sources.0.url");
  });

  it("counts a failed run as run: the bad tenant is not retried every tick", async () => {
    const [lease] = await stack.db.all<{ last_run_at: string }>(
      sql`select last_run_at from leases where tenant_id = ${bad.id}`,
    );
    expect(lease?.last_run_at).toBe("2030-03-18T06:00:00.000Z");
    await tick("2030-03-18T06:15:00Z");
    expect(await runsOf(bad)).toHaveLength(2);
  });
});

describe("time-based work without a new import", () => {
  let term: Tenant;

  beforeAll(async () => {
    // 23:00 and 01:00 on 18–19 March, Los Angeles time (UTC−7 in March).
    term = await newTenant("Term Co", { cron: "0 1,23 18,19 3 *", timeZone: "America/Los_Angeles" });
    await seed(term, [
      "E1,Tom,Leaver,tom@term.test,Engineer,2020-01-01,2030-03-18,Active",
      "E2,Tess,Stays,tess@term.test,Engineer,2020-01-01,,Active",
      "E3,Sam,Starter,sam@term.test,Engineer,2030-03-19,,Active",
    ]);
    for (const [email, deletedAt] of [
      ["dee@term.test", "2030-02-10T00:00:00.000Z"],
      ["dan@term.test", "2030-02-20T00:00:00.000Z"],
    ]) {
      await stack.db.run(
        sql`insert into members (id, tenant_id, email, status, source, deleted_at)
            values (${crypto.randomUUID()}, ${term.id}, ${email}, 'deleted', 'hris', ${deletedAt})`,
      );
    }
  });

  it("purges soft deletions past 30 days, and waits for the dates in the tenant's zone (UTC is a day ahead)", async () => {
    // 06:00 UTC on the 19th is 23:00 on the 18th in Los Angeles: Tom's last day, Sam's eve.
    await tick("2030-03-19T06:00:00Z");
    expect(await member(term, "dee@term.test")).toBeUndefined();
    expect((await member(term, "dan@term.test"))?.status).toBe("deleted");
    const purge = await stack.db.all<{ actor_type: string }>(
      sql`select actor_type from audit_log where tenant_id = ${term.id} and change = 'purge'`,
    );
    expect(purge).toEqual([{ actor_type: "cron" }]);
    expect((await member(term, "tom@term.test"))?.status).toBe("invited");
    expect(await member(term, "sam@term.test")).toBeUndefined();
    expect(await cronPlans(term)).toEqual([]);
  });

  it("deactivates the member whose termination date passed and invites the starter whose date arrived", async () => {
    // 08:00 UTC is 01:00 on the 19th in Los Angeles.
    await tick("2030-03-19T08:00:00Z");
    const tom = await member(term, "tom@term.test");
    expect(tom?.status).toBe("inactive");
    const audit = await stack.db.all<{ actor_type: string; actor_id: string; change: string }>(
      sql`select actor_type, actor_id, change from audit_log where member_id = ${tom?.id} order by id`,
    );
    expect(audit.at(-1)).toEqual({ actor_type: "cron", actor_id: "termination-date", change: "deactivate" });

    const sam = await member(term, "sam@term.test");
    expect(sam?.status).toBe("invited");
    const samAudit = await stack.db.all<{ actor_type: string; actor_id: string; change: string }>(
      sql`select actor_type, actor_id, change from audit_log where member_id = ${sam?.id}`,
    );
    expect(samAudit).toEqual([{ actor_type: "cron", actor_id: "start-date", change: "invite" }]);
    expect((await member(term, "tess@term.test"))?.status).toBe("invited");

    const plans = await cronPlans(term);
    expect(plans.map((p) => [p.created_by, p.status])).toEqual([
      ["cron:termination-date", "done"],
      ["cron:start-date", "done"],
    ]);
    const runs = await runsOf(term);
    expect(runs.filter((r) => r.trigger === "cron" && r.status === "done")).toHaveLength(4);
  });
});

describe("a starter's start date in the tenant's time zone", () => {
  let sydney: Tenant;
  let utc: Tenant;

  beforeAll(async () => {
    google.csv.set("zoe.csv", {
      body: `${HEADER}\nE9,Zoe,Early,zoe@acme.test,Engineer,2030-03-21,,Active\n`,
    });
    // 10:30 and 23:30 on 20–21 March, Sydney time (UTC+11 in March): read in UTC, it would not fire.
    sydney = await newTenant("Sydney Co", { cron: "30 10,23 20,21 3 *", timeZone: "Australia/Sydney" });
    utc = await newTenant("UTC Co", { cron: "30 23 20 3 *" });
    for (const tenant of [sydney, utc]) {
      await configure(tenant, {
        sources: [{ type: "csv", hubId: tenant.hubId, url: google.csvUrl("zoe.csv") }],
      });
    }
  });

  it("still schedules her at 23:30 in Sydney the day before", async () => {
    await tick("2030-03-20T12:30:00Z");
    const [plan] = await cronPlans(sydney);
    expect((await actionsOf(sydney, plan?.id ?? "")).map((a) => a.kind)).toEqual(["scheduled"]);
    expect(await cronPlans(utc)).toEqual([]);
  });

  it("invites her at 23:30 UTC on the 20th, already 10:30 on her start date in Sydney; UTC still waits", async () => {
    await tick("2030-03-20T23:30:00Z");
    const plans = await cronPlans(sydney);
    expect(plans).toHaveLength(2);
    expect(await actionsOf(sydney, plans[1]?.id ?? "")).toEqual([
      expect.objectContaining({ kind: "invite", status: "done", approved: true }),
    ]);
    expect((await member(sydney, "zoe@acme.test"))?.status).toBe("invited");

    const [utcPlan] = await cronPlans(utc);
    expect((await actionsOf(utc, utcPlan?.id ?? "")).map((a) => a.kind)).toEqual(["scheduled"]);
    expect(await member(utc, "zoe@acme.test")).toBeUndefined();
  });
});
