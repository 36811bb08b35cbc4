// Delivering webhook events from the outbox to a real HTTP receiver on 127.0.0.1: signed, retried
// with back-off, given up after the last attempt, never sent twice by concurrent runners.
import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { webhookSecret } from "../../worker/derived-secrets.ts";
import { createTenant } from "../../worker/store/tenants.ts";
import { createWebhook, deleteWebhook, queueWebhookEvents } from "../../worker/store/webhooks.ts";
import { deliverWebhooks, MAX_WEBHOOK_ATTEMPTS, RETRY_BASE_SECONDS } from "../../worker/webhook-delivery.ts";
import { type TestDb, testDb } from "../helpers/db.ts";

const MASTER = "test master key";
const NOW = new Date("2026-03-02T09:30:00Z");
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

let server: Server;
let base: string;
/** What the receiver answers next (status codes, in order; then 200). */
let answers: number[] = [];
const received: { path: string; signature: string; type: string; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      received.push({
        path: req.url ?? "",
        signature: String(req.headers["x-signature"]),
        type: String(req.headers["x-event-type"]),
        body,
      });
      res.writeHead(answers.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

let t: TestDb;
let tenantId: string;
let webhookId: string;

beforeEach(async () => {
  t = await testDb();
  tenantId = (await createTenant(t.db, "T")).id;
  webhookId = (
    await createWebhook(t.db, tenantId, { url: `${base}/hook`, events: ["member.*"], description: null })
  ).id;
  received.length = 0;
  answers = [];
});
afterEach(() => t.close());

const queue = (key = "e1") =>
  queueWebhookEvents(t.db, tenantId, [
    { type: "member.archived", key, at: NOW.toISOString(), data: { memberId: "m1" } },
    { type: "plan.created", key: `p-${key}`, at: NOW.toISOString(), data: { planId: "p1" } },
  ]);

async function outboxRow() {
  const rows = await t.db.all<{
    status: string;
    attempts: number;
    next_attempt_at: string | null;
    last_error: string | null;
  }>(sql`select status, attempts, next_attempt_at, last_error from outbox where channel = 'webhook'`);
  return rows;
}

describe("deliverWebhooks", () => {
  it("queues only subscribed types, once per fact, and delivers them signed with the endpoint's secret", async () => {
    await queue();
    await queue();
    expect(await outboxRow()).toHaveLength(1);
    expect(await deliverWebhooks(t.db, fetch, NOW, MASTER)).toEqual({ sent: 1, failed: 0, retrying: 0 });
    expect(received).toHaveLength(1);
    const [delivery] = received;
    expect(delivery?.path).toBe("/hook");
    expect(delivery?.type).toBe("member.archived");
    const event = JSON.parse(delivery?.body ?? "{}");
    expect(event).toMatchObject({
      type: "member.archived",
      createdAt: NOW.toISOString(),
      data: { memberId: "m1" },
    });
    expect(event.id).toEqual(expect.any(String));
    const secret = await webhookSecret(MASTER, tenantId, webhookId);
    const t0 = NOW.getTime() / 1000;
    const expected = createHmac("sha256", secret).update(`${t0}.${delivery?.body}`).digest("hex");
    expect(delivery?.signature).toBe(`t=${t0},v1=${expected}`);
    expect(await outboxRow()).toEqual([expect.objectContaining({ status: "sent", attempts: 1 })]);
    expect(await deliverWebhooks(t.db, fetch, later(1), MASTER)).toEqual({ sent: 0, failed: 0, retrying: 0 });
  });

  it("retries a failed delivery after an exponential back-off", async () => {
    await queue();
    answers = [500, 503];
    expect(await deliverWebhooks(t.db, fetch, NOW, MASTER)).toMatchObject({ retrying: 1 });
    expect(await outboxRow()).toEqual([
      {
        status: "queued",
        attempts: 1,
        next_attempt_at: later(RETRY_BASE_SECONDS).toISOString(),
        last_error: "The endpoint answered HTTP 500.",
      },
    ]);
    expect(await deliverWebhooks(t.db, fetch, later(RETRY_BASE_SECONDS - 1), MASTER)).toMatchObject({
      retrying: 0,
    });
    expect(await deliverWebhooks(t.db, fetch, later(RETRY_BASE_SECONDS), MASTER)).toMatchObject({
      retrying: 1,
    });
    const second = later(RETRY_BASE_SECONDS + 2 * RETRY_BASE_SECONDS);
    expect((await outboxRow())[0]?.next_attempt_at).toBe(second.toISOString());
    expect(await deliverWebhooks(t.db, fetch, second, MASTER)).toMatchObject({ sent: 1 });
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => JSON.parse(r.body).id)).size).toBe(1);
  });

  it("gives up after the last attempt, and on an endpoint that no longer exists", async () => {
    await queue();
    answers = Array(MAX_WEBHOOK_ATTEMPTS).fill(500);
    let at = NOW;
    for (let i = 0; i < MAX_WEBHOOK_ATTEMPTS; i++) {
      await deliverWebhooks(t.db, fetch, at, MASTER);
      at = new Date(at.getTime() + 10 * 86_400_000);
    }
    expect(await outboxRow()).toEqual([
      expect.objectContaining({ status: "failed", attempts: MAX_WEBHOOK_ATTEMPTS }),
    ]);
    expect(received).toHaveLength(MAX_WEBHOOK_ATTEMPTS);

    await queue("e2");
    await deleteWebhook(t.db, tenantId, webhookId);
    expect(await deliverWebhooks(t.db, fetch, at, MASTER)).toEqual({ sent: 0, failed: 0, retrying: 0 });
    const rows = await outboxRow();
    expect(rows.at(-1)).toMatchObject({ status: "failed", last_error: "The webhook endpoint was deleted." });
  });

  it("records an unreachable endpoint as a retry", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await t.db.run(sql`update webhooks set url = ${`http://127.0.0.1:${port}/gone`}`);
    await queue();
    expect(await deliverWebhooks(t.db, fetch, NOW, MASTER)).toMatchObject({ retrying: 1 });
    expect((await outboxRow())[0]?.last_error).toMatch(/could not be reached/);
  });

  it("sends each event once when two runners deliver at the same time", async () => {
    for (let i = 0; i < 5; i++) await queue(`c${i}`);
    const [a, b] = await Promise.all([
      deliverWebhooks(t.db, fetch, NOW, MASTER),
      deliverWebhooks(t.db, fetch, NOW, MASTER),
    ]);
    expect((a?.sent ?? 0) + (b?.sent ?? 0)).toBe(5);
    expect(received).toHaveLength(5);
  });

  it("delivers only the given tenant's events when asked to", async () => {
    await queue();
    const other = (await createTenant(t.db, "Other")).id;
    expect(await deliverWebhooks(t.db, fetch, NOW, MASTER, { tenantId: other })).toMatchObject({ sent: 0 });
    expect(received).toHaveLength(0);
  });
});
