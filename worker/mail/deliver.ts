// Hands queued outbox emails to a transport. A runner first takes a lease on each message (its
// attempt count moves on only for the runner that read it, and next_attempt_at moves out of reach
// of the others), so two runners never send the same message at once. A runner that dies after
// sending leaves the message queued; the retry after the lease carries the same id, which the
// provider treats as the same message.
import { and, asc, eq, isNull, lt, lte, or } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { outbox } from "../../db/schema.ts";
import { MailRejected } from "./resend.ts";
import type { MailTransport } from "./transport.ts";

/** After this many attempts a message is given up (status failed). */
export const MAX_ATTEMPTS = 5;
const LEASE_MS = 5 * 60_000;
const BACKOFF_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000];

export interface Delivery {
  sent: number;
  failed: number;
  /** Still queued after a temporary error: a later run tries again. */
  retrying: number;
}

type Message = typeof outbox.$inferSelect;
type Outcome = { ok: true } | { ok: false; permanent: boolean; error: string };

/**
 * Sends up to `limit` queued emails, oldest first. Delivery is a system process, so it spans
 * tenants unless `tenantId` narrows it; each row is still addressed by (tenant, id).
 */
export async function deliverOutbox(
  db: Db,
  transport: MailTransport,
  limit: number,
  tenantId?: string,
  now: Date = new Date(),
): Promise<Delivery> {
  const at = now.toISOString();
  const due = await db
    .select()
    .from(outbox)
    .where(
      and(
        eq(outbox.channel, "email"),
        eq(outbox.status, "queued"),
        lt(outbox.attempts, MAX_ATTEMPTS),
        or(isNull(outbox.nextAttemptAt), lte(outbox.nextAttemptAt, at)),
        tenantId ? eq(outbox.tenantId, tenantId) : undefined,
      ),
    )
    .orderBy(asc(outbox.createdAt))
    .limit(limit);
  if (due.length === 0) return { sent: 0, failed: 0, retrying: 0 };
  const leaseUntil = new Date(now.getTime() + LEASE_MS).toISOString();
  const leases = await db.$client.batch(
    due.map((m) => ({
      sql: `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?
            WHERE tenant_id = ? AND id = ? AND status = 'queued' AND attempts = ?`,
      args: [leaseUntil, m.tenantId, m.id, m.attempts],
    })),
    "write",
  );
  const mine = due.filter((_, i) => leases[i]?.rowsAffected === 1);
  const result: Delivery = { sent: 0, failed: 0, retrying: 0 };
  const updates = [];
  for (const message of mine) {
    const outcome = await attempt(transport, message);
    const attempts = message.attempts + 1;
    if (outcome.ok) {
      result.sent += 1;
      updates.push(settle(message, "sent", { sentAt: new Date().toISOString(), error: null, next: null }));
    } else if (outcome.permanent || attempts >= MAX_ATTEMPTS) {
      result.failed += 1;
      updates.push(settle(message, "failed", { sentAt: null, error: outcome.error, next: null }));
    } else {
      result.retrying += 1;
      const next = new Date(now.getTime() + (BACKOFF_MS[attempts - 1] ?? LEASE_MS)).toISOString();
      updates.push(settle(message, "queued", { sentAt: null, error: outcome.error, next }));
    }
  }
  if (updates.length) await db.$client.batch(updates, "write");
  return result;
}

function settle(
  message: Message,
  status: "sent" | "failed" | "queued",
  values: { sentAt: string | null; error: string | null; next: string | null },
) {
  return {
    sql: `UPDATE outbox SET status = ?, sent_at = ?, last_error = ?, next_attempt_at = ?
          WHERE tenant_id = ? AND id = ? AND status = 'queued'`,
    args: [status, values.sentAt, values.error, values.next, message.tenantId, message.id],
  };
}

async function attempt(transport: MailTransport, message: Message): Promise<Outcome> {
  try {
    await transport.send({
      id: message.id,
      to: message.recipient,
      subject: message.subject ?? "",
      text: message.text ?? "",
      html: message.html ?? "",
    });
    return { ok: true };
  } catch (error) {
    const text = error instanceof Error ? error.message.slice(0, 300) : "unknown error";
    // A provider's 4xx (bad address, unverified sender) will not change on retry; 429, 5xx and
    // network errors may.
    const permanent =
      error instanceof MailRejected && error.status >= 400 && error.status < 500 && error.status !== 429;
    return { ok: false, permanent, error: text };
  }
}
