// The cron's API upkeep: expired idempotency responses and old event ids are forgotten, due
// webhook events are delivered (here to a receiver on 127.0.0.1).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runApiUpkeep } from "../../worker/api-upkeep.ts";
import { IDEMPOTENCY_TTL_MS } from "../../worker/store/idempotency.ts";
import { EVENT_ID_RETENTION_DAYS } from "../../worker/store/processed-events.ts";
import { createTenant } from "../../worker/store/tenants.ts";
import { createWebhook, queueWebhookEvents } from "../../worker/store/webhooks.ts";
import { type TestDb, testDb } from "../helpers/db.ts";

let server: Server;
let url: string;
let hits = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    hits += 1;
    req.resume();
    req.on("end", () => res.writeHead(200).end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

let t: TestDb;
let tenantId: string;
beforeEach(async () => {
  t = await testDb();
  tenantId = (await createTenant(t.db, "T")).id;
});
afterEach(() => t.close());

describe("runApiUpkeep", () => {
  it("purges what has expired and delivers due webhook events", async () => {
    const now = new Date();
    const old = (ms: number) => new Date(now.getTime() - ms).toISOString();
    await t.db.run(sql`insert into idempotency_keys (tenant_id, key, request_hash, status, body, created_at) values
      (${tenantId}, 'old', 'h', 200, '{}', ${old(IDEMPOTENCY_TTL_MS + 60_000)}),
      (${tenantId}, 'fresh', 'h', 200, '{}', ${old(60_000)})`);
    await t.db.run(sql`insert into processed_events (tenant_id, event_id, status, received_at) values
      (${tenantId}, 'old', 'done', ${old((EVENT_ID_RETENTION_DAYS + 1) * 86_400_000)}),
      (${tenantId}, 'fresh', 'done', ${old(60_000)})`);
    await createWebhook(t.db, tenantId, { url, events: ["*"], description: null });
    await queueWebhookEvents(t.db, tenantId, [
      { type: "plan.created", key: "p1", at: now.toISOString(), data: {} },
      { type: "plan.executed", key: "p1x", at: now.toISOString(), data: {} },
    ]);

    const result = await runApiUpkeep(t.db, { DATABASE_URL: "", ENVIRONMENT: "development" }, now);
    expect(result).toEqual({ idempotencyKeys: 1, eventIds: 1, webhooks: 2 });
    expect(hits).toBe(2);
    const keys = await t.db.all<{ key: string }>(sql`select key from idempotency_keys`);
    expect(keys.map((k) => k.key)).toEqual(["fresh"]);
    const events = await t.db.all<{ event_id: string }>(sql`select event_id from processed_events`);
    expect(events.map((e) => e.event_id)).toEqual(["fresh"]);
  });
});
