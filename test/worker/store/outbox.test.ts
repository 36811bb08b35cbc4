// What delivery reads: only due, queued messages of its channel, oldest first, and read from the
// queued-messages index, not from every message a tenant was ever sent.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { outbox } from "../../../db/schema.ts";
import { dueMessages } from "../../../worker/store/outbox.ts";
import { createTenant } from "../../../worker/store/tenants.ts";
import { type TestDb, testDb } from "../../helpers/db.ts";

let t: TestDb;
beforeEach(async () => {
  t = await testDb();
});
afterEach(() => t.close());

const NOW = "2026-11-21T12:00:00.000Z";

function message(id: string, tenantId: string, extra: Partial<typeof outbox.$inferInsert> = {}) {
  return {
    id,
    tenantId,
    channel: "email" as const,
    dedupeKey: `k-${id}`,
    recipient: `${id}@example.com`,
    subject: "s",
    createdAt: `2026-11-21T10:00:0${id.slice(-1)}.000Z`,
    ...extra,
  };
}

describe("dueMessages", () => {
  it("returns the tenant's due queued messages of the channel, oldest first", async () => {
    const a = (await createTenant(t.db, "A")).id;
    const b = (await createTenant(t.db, "B")).id;
    await t.db
      .insert(outbox)
      .values([
        message("m3", a),
        message("m1", a),
        message("m2", a, { status: "sent" }),
        message("m4", a, { nextAttemptAt: "2026-11-21T13:00:00.000Z" }),
        message("m5", a, { attempts: 5 }),
        message("m6", a, { channel: "webhook" }),
        message("m7", b),
      ]);
    const due = await dueMessages(t.db, {
      channel: "email",
      maxAttempts: 5,
      now: NOW,
      limit: 10,
      tenantId: a,
    });
    expect(due.map((m) => m.id)).toEqual(["m1", "m3"]);
    const everyone = await dueMessages(t.db, { channel: "email", maxAttempts: 5, now: NOW, limit: 10 });
    expect(everyone.map((m) => m.id)).toEqual(["m1", "m3", "m7"]);
    const webhooks = await dueMessages(t.db, { channel: "webhook", maxAttempts: 8, now: NOW, limit: 10 });
    expect(webhooks.map((m) => m.id)).toEqual(["m6"]);
  });

  it("reads the queued-messages index, not the tenant's whole mail", async () => {
    for (const tenantId of ["A", undefined]) {
      const query = dueMessages(t.db, { channel: "webhook", maxAttempts: 8, now: NOW, limit: 50, tenantId });
      const { sql, params } = query.toSQL();
      const plan = await t.db.$client.execute({ sql: `EXPLAIN QUERY PLAN ${sql}`, args: params as never });
      const steps = plan.rows.map((r) => String(r.detail));
      expect(steps).toContain("SCAN outbox USING INDEX outbox_queued");
      expect(steps.join("\n")).not.toMatch(/outbox_dedupe|TEMP B-TREE/);
    }
  });
});
