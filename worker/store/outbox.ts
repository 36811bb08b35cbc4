// Reading the outbox: the local mailbox in development (newest first), and what delivery sends next.
import { and, asc, desc, eq, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { outbox } from "../../db/schema.ts";

export interface OutboxFilter {
  recipient?: string;
  /** (createdAt, id) of the last message of the previous page. */
  after?: [string, string];
  limit: number;
}

export async function listOutbox(db: Db, tenantId: string, filter: OutboxFilter) {
  const [createdAt, id] = filter.after ?? [];
  const rows = await db
    .select()
    .from(outbox)
    .where(
      and(
        eq(outbox.tenantId, tenantId),
        eq(outbox.channel, "email"),
        filter.recipient ? eq(outbox.recipient, filter.recipient.trim().toLowerCase()) : undefined,
        createdAt !== undefined && id !== undefined
          ? or(lt(outbox.createdAt, createdAt), and(eq(outbox.createdAt, createdAt), lt(outbox.id, id)))
          : undefined,
      ),
    )
    .orderBy(desc(outbox.createdAt), desc(outbox.id))
    .limit(filter.limit + 1);
  const messages = rows.slice(0, filter.limit);
  const last = messages.at(-1);
  const next: [string, string] | null = rows.length > filter.limit && last ? [last.createdAt, last.id] : null;
  return { messages, next };
}

export interface DueFilter {
  channel: (typeof outbox.$inferSelect)["channel"];
  /** Messages given up after this many attempts are not due. */
  maxAttempts: number;
  now: string;
  limit: number;
  tenantId?: string;
}

/**
 * The oldest queued messages of a channel whose next attempt is due. Read from the partial index
 * outbox_queued (queued messages only): a literal status lets SQLite use it, and the unary + keeps
 * it off the tenant's index, which would read every message the tenant was ever sent (100,000
 * after a large first sync) on each delivery run.
 */
export function dueMessages(db: Db, filter: DueFilter) {
  return db
    .select()
    .from(outbox)
    .where(
      and(
        sql`${outbox.status} = 'queued'`,
        eq(outbox.channel, filter.channel),
        lt(outbox.attempts, filter.maxAttempts),
        or(isNull(outbox.nextAttemptAt), lte(outbox.nextAttemptAt, filter.now)),
        filter.tenantId ? sql`+${outbox.tenantId} = ${filter.tenantId}` : undefined,
      ),
    )
    .orderBy(asc(outbox.createdAt))
    .limit(filter.limit);
}
