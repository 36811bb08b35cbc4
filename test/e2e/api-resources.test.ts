// The automation API's resources over the real stack (sqld + workerd): API keys, hubs, settings,
// fields and options, the member directory with its status changes, the sync log, and webhook
// endpoints receiving signed events.
import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import type { ApiKeyCreated, ApiKeyList } from "../../worker/contract/api-keys.ts";
import type { Problem } from "../../worker/contract/common.ts";
import type { Field, FieldList, OptionsResult } from "../../worker/contract/fields.ts";
import type { Hub } from "../../worker/contract/hubs.ts";
import type { ImportResult } from "../../worker/contract/imports.ts";
import type { Member, MemberPage } from "../../worker/contract/members.ts";
import type { Plan } from "../../worker/contract/plans.ts";
import type { Settings } from "../../worker/contract/settings.ts";
import type { SyncRunPage } from "../../worker/contract/sync-runs.ts";
import type { WebhookCreated, WebhookList } from "../../worker/contract/webhooks.ts";
import { verifySignature } from "../../worker/signatures.ts";
import { type Stack, startStack } from "../helpers/stack.ts";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

type ProblemBody = z.infer<typeof Problem>;

async function call<T>(method: string, path: string, body?: unknown, key?: string) {
  const headers: Record<string, string> = body === undefined ? {} : { "content-type": "application/json" };
  if (key) headers.authorization = `Bearer ${key}`;
  const response = await stack.api(path, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : null) as T };
}

const CSV = [
  "Employee ID,First Name,Last Name,Email,Department,Status",
  "E1,Ada,Lovelace,ada@acme.test,Engineering,Active",
  "E2,Grace,Hopper,grace@acme.test,Engineering,Active",
  "E3,Alan,Turing,alan@acme.test,Research,Active",
].join("\n");

async function importAndExecute(csv: string, hubId = stack.hubId) {
  const imported = await stack.api(`/v1/hubs/${hubId}/imports`, {
    method: "POST",
    headers: { "content-type": "text/csv" },
    body: csv,
  });
  const { plan } = (await imported.json()) as z.infer<typeof ImportResult>;
  await call("POST", `/v1/plans/${plan.id}/approvals`, { all: true });
  const executed = await call<z.infer<typeof Plan>>("POST", `/v1/plans/${plan.id}/execute`);
  return executed.body;
}

describe("API keys", () => {
  let readKey: z.infer<typeof ApiKeyCreated>;

  it("creates a key shown once, which then authenticates with its role", async () => {
    const created = await call<z.infer<typeof ApiKeyCreated>>("POST", "/v1/api-keys", {
      name: "reporting",
      role: "read",
    });
    expect(created.status).toBe(201);
    readKey = created.body;
    expect(readKey.key).toMatch(/^ps_/);
    expect(readKey.prefix).toBe(readKey.key.slice(0, 10));
    expect((await call("GET", "/v1/hubs", undefined, readKey.key)).status).toBe(200);
    const write = await call<ProblemBody>("POST", "/v1/hubs", { name: "Nope" }, readKey.key);
    expect(write.status).toBe(403);
  });

  it("lists keys with prefix, name and role, never a hash or the key", async () => {
    const { body } = await call<z.infer<typeof ApiKeyList>>("GET", "/v1/api-keys");
    const listed = body.apiKeys.find((k) => k.id === readKey.id);
    expect(listed).toEqual({
      id: readKey.id,
      name: "reporting",
      prefix: readKey.prefix,
      role: "read",
      createdAt: expect.any(String),
      revokedAt: null,
    });
    const text = JSON.stringify(body);
    expect(text).not.toContain(readKey.key);
    expect(text).not.toMatch(/hash/i);
  });

  it("revokes a key at once, and refuses to revoke the last admin key", async () => {
    const revoked = await call<{ revokedAt: string | null }>("POST", `/v1/api-keys/${readKey.id}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    expect((await call("GET", "/v1/hubs", undefined, readKey.key)).status).toBe(401);

    const { body } = await call<z.infer<typeof ApiKeyList>>("GET", "/v1/api-keys");
    const admin = body.apiKeys.find((k) => k.role === "admin" && !k.revokedAt);
    const last = await call<ProblemBody>("POST", `/v1/api-keys/${admin?.id}/revoke`);
    expect(last.status).toBe(409);
    expect(last.body.detail).toMatch(/last admin key/);
  });

  it("rejects an unknown role naming the field", async () => {
    const bad = await call<ProblemBody>("POST", "/v1/api-keys", { name: "x", role: "owner" });
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.map((e) => e.field)).toContain("json.role");
  });
});

describe("hubs", () => {
  it("creates a hub and refuses a second with the same name", async () => {
    const created = await call<z.infer<typeof Hub>>("POST", "/v1/hubs", { name: "Women in Tech" });
    expect(created.status).toBe(201);
    expect(created.body.name).toBe("Women in Tech");
    const again = await call<ProblemBody>("POST", "/v1/hubs", { name: "Women in Tech" });
    expect(again.status).toBe(409);
  });
});

describe("settings", () => {
  it("shows the defaults", async () => {
    const { body } = await call<z.infer<typeof Settings>>("GET", "/v1/settings");
    expect(body).toEqual({
      timeZone: "UTC",
      dateOrder: null,
      guard: { percent: 10, floor: 10, ceiling: 500 },
      autoApply: ["update"],
      cron: "0 8 * * 1-5",
      scheduledAutoApply: ["starters", "leavers"],
      sheetsServiceAccount: null,
      sources: [],
      contentRegions: {},
    });
  });

  it("changes only the keys sent, and stores content-region overrides", async () => {
    const patched = await call<z.infer<typeof Settings>>("PATCH", "/v1/settings", {
      timeZone: "Europe/Paris",
      dateOrder: "DMY",
      contentRegions: { MX: "LATAM", FR: "Europe" },
      sources: [{ type: "csv", hubId: stack.hubId, url: "https://hris.example.com/export.csv" }],
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      timeZone: "Europe/Paris",
      dateOrder: "DMY",
      cron: "0 8 * * 1-5",
      contentRegions: { MX: "LATAM", FR: "Europe" },
    });
    const removed = await call<z.infer<typeof Settings>>("PATCH", "/v1/settings", {
      dateOrder: null,
      contentRegions: { FR: null },
    });
    expect(removed.body.dateOrder).toBeNull();
    expect(removed.body.timeZone).toBe("Europe/Paris");
    expect(removed.body.contentRegions).toEqual({ MX: "LATAM" });
    const rows = await stack.db.all<{ country: string }>(sql`select country from content_regions`);
    expect(rows.map((r) => r.country)).toEqual(["MX"]);
  });

  it("refuses a time zone Intl does not know, a bad cron, an inverted guard and unknown keys", async () => {
    const bad = await call<ProblemBody>("PATCH", "/v1/settings", {
      timeZone: "Mars/Olympus",
      cron: "0 8 * *",
      guard: { percent: 10, floor: 50, ceiling: 20 },
      surprise: true,
    });
    expect(bad.status).toBe(400);
    const fields = bad.body.errors?.map((e) => e.field) ?? [];
    expect(fields).toEqual(expect.arrayContaining(["json.timeZone", "json.cron", "json.guard.ceiling"]));
    expect(JSON.stringify(bad.body.errors)).toContain("surprise");
  });

  it("refuses a source for a hub the tenant does not have", async () => {
    const bad = await call<ProblemBody>("PATCH", "/v1/settings", {
      sources: [{ type: "sheet", hubId: "nope", spreadsheetId: "1abc", range: "Export!A:Z" }],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors?.[0]?.field).toBe("json.sources.0.hubId");
  });
});

describe("fields and options", () => {
  it("creates a segment with its options, de-duplicated as words", async () => {
    const created = await call<z.infer<typeof Field>>("POST", "/v1/fields", {
      label: "Business Unit",
      kind: "segment",
      options: ["Sales & Marketing", "marketing, sales", "  Engineering  ", ""],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ key: "business-unit", visibility: "public" });
    expect(created.body.options).toEqual(["Engineering", "Sales & Marketing"]);
  });

  it("adds a pasted column: new values added once, known ones matched", async () => {
    const pasted = await call<z.infer<typeof OptionsResult>>("POST", "/v1/fields/business-unit/options", {
      options: ["ENGINEERING", "Finance", "finance", "Légal", "legal ", "Sales and Marketing"],
    });
    expect(pasted.status).toBe(200);
    expect(pasted.body.added).toEqual(["Finance", "Légal", "Sales and Marketing"]);
    expect(pasted.body.matched).toEqual([
      { value: "ENGINEERING", option: "Engineering" },
      { value: "finance", option: "Finance" },
      { value: "legal ", option: "Légal" },
    ]);
    const { body } = await call<z.infer<typeof FieldList>>("GET", "/v1/fields");
    expect(body.fields.find((f) => f.key === "business-unit")?.options).toEqual([
      "Engineering",
      "Finance",
      "Légal",
      "Sales & Marketing",
      "Sales and Marketing",
    ]);
  });

  it("refuses a duplicate key, a core field's key and an unknown field", async () => {
    expect((await call("POST", "/v1/fields", { label: "Business unit", kind: "role" })).status).toBe(409);
    expect(
      (await call("POST", "/v1/fields", { key: "job-title", label: "Title", kind: "segment" })).status,
    ).toBe(422);
    expect((await call("POST", "/v1/fields/nope/options", { options: ["a"] })).status).toBe(404);
  });
});

describe("members", () => {
  let members: z.infer<typeof Member>[];

  beforeAll(async () => {
    await importAndExecute(CSV);
    const { body } = await call<z.infer<typeof MemberPage>>("GET", "/v1/members");
    members = body.members;
  });

  it("lists the members with their hubs", async () => {
    expect(members.map((m) => m.email).sort()).toEqual([
      "ada@acme.test",
      "alan@acme.test",
      "grace@acme.test",
    ]);
    expect(members.every((m) => m.hubIds.includes(stack.hubId) && m.status === "invited")).toBe(true);
  });

  it("filters by a name or email prefix, status, source and hub", async () => {
    const byName = await call<z.infer<typeof MemberPage>>("GET", "/v1/members?q=gr");
    expect(byName.body.members.map((m) => m.email)).toEqual(["grace@acme.test"]);
    const byFull = await call<z.infer<typeof MemberPage>>(
      "GET",
      `/v1/members?q=${encodeURIComponent("alan t")}`,
    );
    expect(byFull.body.members.map((m) => m.email)).toEqual(["alan@acme.test"]);
    const wildcard = await call<z.infer<typeof MemberPage>>("GET", "/v1/members?q=%25");
    expect(wildcard.body.members).toEqual([]);
    const active = await call<z.infer<typeof MemberPage>>("GET", "/v1/members?status=active");
    expect(active.body.members).toEqual([]);
    const manual = await call<z.infer<typeof MemberPage>>("GET", "/v1/members?source=manual");
    expect(manual.body.members).toEqual([]);
    const otherHub = await call<z.infer<typeof Hub>>("POST", "/v1/hubs", { name: "Empty hub" });
    const inOther = await call<z.infer<typeof MemberPage>>("GET", `/v1/members?hubId=${otherHub.body.id}`);
    expect(inOther.body.members).toEqual([]);
    expect((await call("GET", "/v1/members?hubId=nope")).status).toBe(404);
  });

  it("pages members stably while new ones arrive between pages", async () => {
    // New people join another hub, so the imports of later tests do not see them as absent.
    const paging = await call<z.infer<typeof Hub>>("POST", "/v1/hubs", { name: "Paging" });
    const before = (await call<z.infer<typeof MemberPage>>("GET", "/v1/members?limit=500")).body.members;
    const seen: string[] = [];
    let cursor: string | null = null;
    let added = 0;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : "";
      const page = await call<z.infer<typeof MemberPage>>("GET", `/v1/members?limit=1${query}`);
      seen.push(...page.body.members.map((m) => m.id));
      cursor = page.body.nextCursor;
      if (cursor && added < 2) {
        added += 1;
        await importAndExecute(
          `${CSV.split("\n")[0]}\nN${added},New,Person${added},new${added}@acme.test,Sales,Active`,
          paging.body.id,
        );
      }
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.slice(0, before.length)).toEqual(before.map((m) => m.id));
    expect(seen).toHaveLength(before.length + 2);
  });

  it("gets one member", async () => {
    const ada = members.find((m) => m.email === "ada@acme.test");
    const got = await call<z.infer<typeof Member>>("GET", `/v1/members/${ada?.id}`);
    expect(got.body).toEqual(ada);
    expect((await call("GET", "/v1/members/nope")).status).toBe(404);
  });

  it("archives a member: version moves on, audited, and a sync never adds them back", async () => {
    const grace = members.find((m) => m.email === "grace@acme.test") as z.infer<typeof Member>;
    const archived = await call<z.infer<typeof Member>>("POST", `/v1/members/${grace.id}/archive`);
    expect(archived.status).toBe(200);
    expect(archived.body).toMatchObject({ status: "archived", version: grace.version + 1 });
    const audit = await stack.db.all<{ change: string; actor_type: string; action_id: string | null }>(
      sql`select change, actor_type, action_id from audit_log where member_id = ${grace.id} order by id`,
    );
    expect(audit.at(-1)).toEqual({ change: "archive", actor_type: "api_key", action_id: null });
    const again = await call<ProblemBody>("POST", `/v1/members/${grace.id}/archive`);
    expect(again.status).toBe(409);

    const imported = await stack.api(`/v1/hubs/${stack.hubId}/imports`, {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: CSV.replace("Hopper", "Hopper-Murray"),
    });
    const { plan } = (await imported.json()) as z.infer<typeof ImportResult>;
    expect(plan.summary).toEqual({ skip: 1 });
  });

  it("reactivates only an inactive member", async () => {
    const alan = members.find((m) => m.email === "alan@acme.test") as z.infer<typeof Member>;
    const refused = await call<ProblemBody>("POST", `/v1/members/${alan.id}/reactivate`);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/invited/);
    await stack.db.run(
      sql`update members set status = 'inactive', version = version + 1 where id = ${alan.id}`,
    );
    const reactivated = await call<z.infer<typeof Member>>("POST", `/v1/members/${alan.id}/reactivate`);
    expect(reactivated.status).toBe(200);
    expect(reactivated.body).toMatchObject({ status: "active", version: alan.version + 2 });
  });
});

describe("sync runs", () => {
  it("records every import+plan and every execution, newest first, a page at a time", async () => {
    const first = await call<z.infer<typeof SyncRunPage>>("GET", "/v1/sync-runs?limit=2");
    expect(first.body.runs).toHaveLength(2);
    const all = await call<z.infer<typeof SyncRunPage>>("GET", "/v1/sync-runs?limit=500");
    const runs = all.body.runs;
    const plansRun = runs.filter((r) => r.counts.invite !== undefined || r.counts.skip !== undefined);
    expect(plansRun.length).toBeGreaterThanOrEqual(2);
    const execution = runs.find((r) => r.counts.done === 3);
    expect(execution).toMatchObject({ trigger: "api", status: "done", hubId: stack.hubId });
    expect([...runs].sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1)).map((r) => r.startedAt)).toEqual(
      runs.map((r) => r.startedAt),
    );

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : "";
      const page = await call<z.infer<typeof SyncRunPage>>("GET", `/v1/sync-runs?limit=2${query}`);
      seen.push(...page.body.runs.map((r) => r.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(runs.map((r) => r.id));
  });

  it("refuses a cursor from another list", async () => {
    const members = await call<z.infer<typeof MemberPage>>("GET", "/v1/members?limit=1");
    const bad = await call<ProblemBody>("GET", `/v1/sync-runs?cursor=${members.body.nextCursor}`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.[0]?.field).toBe("query.cursor");
  });
});

describe("webhooks", () => {
  let server: Server;
  let url: string;
  const received: { headers: IncomingMessage["headers"]; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on("end", () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it("accepts https, and http only on 127.0.0.1 in development", async () => {
    const refused = await call<ProblemBody>("POST", "/v1/webhooks", {
      url: "http://hooks.example.com/x",
      events: ["*"],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]?.field).toBe("json.url");
    const https = await call<z.infer<typeof WebhookCreated>>("POST", "/v1/webhooks", {
      url: "https://hooks.example.com/x",
      events: ["plan.*"],
    });
    expect(https.status).toBe(201);
    const removed = await call("DELETE", `/v1/webhooks/${https.body.id}`);
    expect(removed.status).toBe(204);
    expect((await call("DELETE", `/v1/webhooks/${https.body.id}`)).status).toBe(404);
  });

  it("delivers member.* and plan.* events after an execution, signed with the endpoint's secret", async () => {
    const created = await call<z.infer<typeof WebhookCreated>>("POST", "/v1/webhooks", {
      url,
      events: ["member.*", "plan.executed"],
      description: "test receiver",
    });
    expect(created.status).toBe(201);
    const { secret } = created.body;
    expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    const list = await call<z.infer<typeof WebhookList>>("GET", "/v1/webhooks");
    expect(JSON.stringify(list.body)).not.toContain(secret);

    const plan = await importAndExecute(
      `${CSV}\nE4,Katherine,Johnson,katherine@acme.test,Research,Active`.replace(
        "E1,Ada,Lovelace,ada@acme.test,Engineering",
        "E1,Ada,Lovelace,ada@acme.test,Research",
      ),
    );
    expect(plan.progress).toMatchObject({ done: 2, complete: true });

    // Delivered in the background right after the execute request (waitUntil); wait for it.
    for (let i = 0; i < 100 && received.length < 3; i++) await new Promise((r) => setTimeout(r, 100));
    const types = received.map((r) => JSON.parse(r.body).type).sort();
    expect(types).toEqual(["member.invited", "member.updated", "plan.executed"]);
    for (const delivery of received) {
      const verdict = await verifySignature(
        delivery.headers["x-signature"] as string,
        delivery.body,
        [secret],
        new Date(),
      );
      expect(verdict).toEqual({ ok: true });
      const forged = await verifySignature(
        delivery.headers["x-signature"] as string,
        delivery.body,
        ["whsec_other"],
        new Date(),
      );
      expect(forged.ok).toBe(false);
    }
    const invited = received.map((r) => JSON.parse(r.body)).find((e) => e.type === "member.invited");
    expect(invited.data).toMatchObject({ email: "katherine@acme.test", hubId: stack.hubId, planId: plan.id });
    const sent = await stack.db.all<{ n: number }>(
      sql`select count(*) as n from outbox where channel = 'webhook' and status = 'sent'`,
    );
    expect(Number(sent[0]?.n)).toBe(3);
  });

  it("delivers what an HRIS event announces right after it", async () => {
    const before = received.length;
    const { body: created } = await call<{ secret: string }>("POST", "/v1/events/secret", {});
    const raw = JSON.stringify({
      id: "hook-event-1",
      type: "employee.updated",
      occurredAt: new Date().toISOString(),
      hubId: stack.hubId,
      employee: { employeeId: "E1", jobTitle: "Research lead" },
    });
    const t = Math.floor(Date.now() / 1000);
    const signature = `t=${t},v1=${createHmac("sha256", created.secret).update(`${t}.${raw}`).digest("hex")}`;
    const response = await stack.api("/v1/events", {
      method: "POST",
      headers: { "content-type": "application/json", "x-signature": signature },
      body: raw,
    });
    expect(response.status).toBe(200);
    // Delivered in the background right after the event (waitUntil), not at the next cron.
    for (let i = 0; i < 100 && received.length < before + 2; i++)
      await new Promise((r) => setTimeout(r, 100));
    const types = received.slice(before).map((r) => JSON.parse(r.body).type);
    expect(types.sort()).toEqual(["member.updated", "plan.executed"]);
  });
});
