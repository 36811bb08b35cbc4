// Delivery from the outbox table: each message handed over once, temporary errors retried later,
// permanent ones given up. Transports here are real implementations of the small interface.
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { outbox } from "../../../db/schema.ts";
import { deliverOutbox, MAX_ATTEMPTS } from "../../../worker/mail/deliver.ts";
import { outboxTransport } from "../../../worker/mail/outbox.ts";
import { MailRejected } from "../../../worker/mail/resend.ts";
import type { MailMessage, MailTransport } from "../../../worker/mail/transport.ts";
import { createTenant } from "../../../worker/store/tenants.ts";
import { type TestDb, testDb } from "../../helpers/db.ts";

let t: TestDb;
let tenantId: string;
beforeEach(async () => {
  t = await testDb();
  tenantId = (await createTenant(t.db, "T")).id;
  await t.db.insert(outbox).values(
    Array.from({ length: 5 }, (_, i) => ({
      id: `o${i}`,
      tenantId,
      channel: "email" as const,
      dedupeKey: `k${i}`,
      recipient: `p${i}@acme.test`,
      subject: "s",
      text: "t",
      html: "h",
    })),
  );
});
afterEach(() => t.close());

/** Records what it was handed; fails for the recipients it is told to. */
function recorder(fail: Record<string, Error> = {}) {
  const sent: MailMessage[] = [];
  const transport: MailTransport = {
    name: "recorder",
    send: async (message) => {
      const error = fail[message.to];
      if (error) throw error;
      sent.push(message);
      return { id: `provider-${message.id}` };
    },
  };
  return { sent, transport };
}

async function statuses() {
  const rows = await t.db.select().from(outbox).orderBy(outbox.id);
  return rows.map((r) => r.status);
}

describe("deliverOutbox", () => {
  it("marks messages sent through the local outbox transport, and sends nothing twice", async () => {
    expect(await deliverOutbox(t.db, outboxTransport, 3)).toEqual({ sent: 3, failed: 0, retrying: 0 });
    expect(await deliverOutbox(t.db, outboxTransport, 10)).toEqual({ sent: 2, failed: 0, retrying: 0 });
    expect(await deliverOutbox(t.db, outboxTransport, 10)).toEqual({ sent: 0, failed: 0, retrying: 0 });
    expect(await statuses()).toEqual(["sent", "sent", "sent", "sent", "sent"]);
  });

  it("hands each message to one of two concurrent runners", async () => {
    const a = recorder();
    const b = recorder();
    await Promise.all([deliverOutbox(t.db, a.transport, 10), deliverOutbox(t.db, b.transport, 10)]);
    const ids = [...a.sent, ...b.sent].map((m) => m.id).sort();
    expect(ids).toEqual(["o0", "o1", "o2", "o3", "o4"]);
  });

  it("retries a temporary error later, gives up a permanent one at once", async () => {
    const now = new Date("2026-05-01T00:00:00Z");
    const { transport } = recorder({
      "p1@acme.test": new MailRejected(503, "try later"),
      "p2@acme.test": new MailRejected(422, "invalid to address"),
    });
    expect(await deliverOutbox(t.db, transport, 10, undefined, now)).toEqual({
      sent: 3,
      failed: 1,
      retrying: 1,
    });
    expect(await statuses()).toEqual(["sent", "queued", "failed", "sent", "sent"]);
    const [failed] = await t.db.select().from(outbox).where(eq(outbox.id, "o2"));
    expect(failed?.lastError).toBe("invalid to address");
    // Not before its back-off…
    expect(await deliverOutbox(t.db, transport, 10, undefined, now)).toEqual({
      sent: 0,
      failed: 0,
      retrying: 0,
    });
    // …and given up after the last attempt.
    let later = now.getTime();
    for (let i = 1; i < MAX_ATTEMPTS; i++) {
      later += 3 * 3_600_000;
      await deliverOutbox(t.db, transport, 10, undefined, new Date(later));
    }
    const [retried] = await t.db.select().from(outbox).where(eq(outbox.id, "o1"));
    expect(retried).toMatchObject({ status: "failed", attempts: MAX_ATTEMPTS });
  });

  it("narrows to one tenant when asked", async () => {
    const other = (await createTenant(t.db, "Other")).id;
    await t.db
      .insert(outbox)
      .values({ id: "x", tenantId: other, channel: "email", dedupeKey: "x", recipient: "x@o.test" });
    const { sent, transport } = recorder();
    await deliverOutbox(t.db, transport, 10, other);
    expect(sent.map((m) => m.id)).toEqual(["x"]);
  });
});
