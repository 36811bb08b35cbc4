// Announcing to webhook endpoints from a statement that finds them itself: it must queue for
// exactly the endpoints subscribes() matches, once per fact, and only the tenant's own.
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTenant } from "../../../worker/store/tenants.ts";
import { createWebhook, subscribedStatement, type WebhookEvent } from "../../../worker/store/webhooks.ts";
import { subscribes, WEBHOOK_EVENT_TYPES, WEBHOOK_SUBSCRIPTIONS } from "../../../worker/webhook-events.ts";
import { type TestDb, testDb } from "../../helpers/db.ts";

let t: TestDb;
let tenantId: string;

beforeEach(async () => {
  t = await testDb();
  tenantId = (await createTenant(t.db, "T")).id;
});
afterEach(() => t.close());

const event = (type: WebhookEvent["type"], key = `fact-${type}`): WebhookEvent => ({
  type,
  key,
  at: "2026-03-02T09:30:00.000Z",
  data: { planId: "p1" },
});

async function queued(type: string) {
  return t.db.all<{ recipient: string; dedupe_key: string; text: string }>(
    sql`select recipient, dedupe_key, text from outbox where channel = 'webhook' and subject = ${type} order by recipient`,
  );
}

describe("subscribedStatement", () => {
  it("queues each event type for exactly the endpoints subscribes() matches", async () => {
    const endpoints = [];
    for (const subscription of WEBHOOK_SUBSCRIPTIONS) {
      const events = [subscription, ...(subscription === "plan.created" ? ["member.invited"] : [])];
      const hook = await createWebhook(t.db, tenantId, {
        url: "https://h.test/x",
        events,
        description: null,
      });
      endpoints.push(hook);
    }
    for (const type of WEBHOOK_EVENT_TYPES) {
      await t.db.$client.batch([subscribedStatement(tenantId, event(type))], "write");
      const expected = endpoints.filter((w) => subscribes(w.events, type)).map((w) => w.id);
      const rows = await queued(type);
      expect(rows.map((r) => r.recipient).sort()).toEqual(expected.sort());
      for (const row of rows) {
        expect(row.dedupe_key).toBe(`webhook:${row.recipient}:fact-${type}`);
        expect(JSON.parse(row.text)).toMatchObject({
          type,
          createdAt: event(type).at,
          data: { planId: "p1" },
        });
      }
      // One fact, one event id, whichever endpoint receives it.
      expect(new Set(rows.map((r) => JSON.parse(r.text).id)).size).toBe(rows.length ? 1 : 0);
    }
  });

  it("queues a fact once however often it is announced, and never for another tenant's endpoints", async () => {
    const ours = await createWebhook(t.db, tenantId, {
      url: "https://h.test/x",
      events: ["*"],
      description: null,
    });
    const other = (await createTenant(t.db, "Other")).id;
    await createWebhook(t.db, other, { url: "https://h.test/y", events: ["*"], description: null });
    await t.db.$client.batch([subscribedStatement(tenantId, event("plan.created"))], "write");
    await t.db.$client.batch([subscribedStatement(tenantId, event("plan.created"))], "write");
    expect((await queued("plan.created")).map((r) => r.recipient)).toEqual([ours.id]);
  });
});
