// Reading the outbox (the local mailbox in development), newest first.
import { and, desc, eq, lt, or } from "drizzle-orm";
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
