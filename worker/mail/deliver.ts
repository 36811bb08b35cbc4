// Hands queued outbox emails to a transport. A runner first takes a lease on each message (its
// attempt count moves on only for the runner that read it, and next_attempt_at moves out of reach
// of the others), so two runners never send the same message at once. A runner that dies after
// sending leaves the message queued; the retry after the lease carries the same id, which the
// provider treats as the same message.
import type { Db } from "../../db/client.ts";
import type { outbox } from "../../db/schema.ts";
import { dueMessages } from "../store/outbox.ts";
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
  const due = await dueMessages(db, {
    channel: "email",
    maxAttempts: MAX_ATTEMPTS,
    now: at,
    limit,
    tenantId,
  });
  if (due.length === 0) return { sent: 0, failed: 0, retrying: 0 };
  const leaseUntil = new Date(now.getTime() + LEASE_MS).toISOString();
  const leased = await db.$client.execute({
    sql: LEASE,
    args: [leaseUntil, JSON.stringify(due.map((m) => [m.tenantId, m.id, m.attempts]))],
  });
  const taken = new Set(leased.rows.map((r) => String(r.id)));
  const mine = due.filter((m) => taken.has(m.id));
  const result: Delivery = { sent: 0, failed: 0, retrying: 0 };
  const settled: Settled[] = [];
  for (const message of mine) {
    const outcome = await attempt(transport, message);
    const attempts = message.attempts + 1;
    if (outcome.ok) {
      result.sent += 1;
      settled.push([message.tenantId, message.id, "sent", new Date().toISOString(), null, null]);
    } else if (outcome.permanent || attempts >= MAX_ATTEMPTS) {
      result.failed += 1;
      settled.push([message.tenantId, message.id, "failed", null, outcome.error, null]);
    } else {
      result.retrying += 1;
      const next = new Date(now.getTime() + (BACKOFF_MS[attempts - 1] ?? LEASE_MS)).toISOString();
      settled.push([message.tenantId, message.id, "queued", null, outcome.error, next]);
    }
  }
  if (settled.length) await db.$client.execute({ sql: SETTLE, args: [JSON.stringify(settled)] });
  return result;
}

// Leases and outcomes are one statement each for the whole round, rows as a JSON array: a round
// of hundreds of messages is two writes, not two per message.
const rows = (param: string) => `(SELECT value AS v FROM json_each(${param})) AS d`;

/** Moves each message's attempt count on, only where it is still what this runner read. */
const LEASE = `UPDATE outbox SET attempts = outbox.attempts + 1, next_attempt_at = ?1 FROM ${rows("?2")}
  WHERE outbox.tenant_id = d.v->>'$[0]' AND outbox.id = d.v->>'$[1]' AND outbox.status = 'queued'
    AND outbox.attempts = d.v->>'$[2]'
  RETURNING outbox.id`;

/** [tenant, id, status, sent at, last error, next attempt at]. */
type Settled = [string, string, "sent" | "failed" | "queued", string | null, string | null, string | null];

const SETTLE = `UPDATE outbox SET status = d.v->>'$[2]', sent_at = d.v->>'$[3]', last_error = d.v->>'$[4]',
    next_attempt_at = d.v->>'$[5]'
  FROM ${rows("?")}
  WHERE outbox.tenant_id = d.v->>'$[0]' AND outbox.id = d.v->>'$[1]' AND outbox.status = 'queued'`;

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
