// HRIS events already received, by the sender's id. The first delivery inserts a marker before it
// does anything, so a redelivery (or a concurrent duplicate) is recognised and never re-run.
import { and, eq, lt } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { processedEvents } from "../../db/schema.ts";

/** Ids are remembered this long; a replay older than the signature tolerance is refused anyway. */
export const EVENT_ID_RETENTION_DAYS = 30;
/** A delivery still "processing" after this long died with its request (say, the database went away). */
export const PROCESSING_ABANDONED_AFTER_MS = 2 * 60_000;

export type EventClaim =
  | { first: true }
  | { first: false; planId: string | null; status: "processing" | "done" };

export async function claimEvent(db: Db, tenantId: string, eventId: string, now: Date): Promise<EventClaim> {
  const inserted = await db
    .insert(processedEvents)
    .values({ tenantId, eventId, status: "processing", receivedAt: now.toISOString() })
    .onConflictDoNothing()
    .returning({ eventId: processedEvents.eventId });
  if (inserted.length === 1) return { first: true };
  // Take over a delivery that died mid-way, or the sender's retries would be ignored for good.
  const abandoned = new Date(now.getTime() - PROCESSING_ABANDONED_AFTER_MS).toISOString();
  const taken = await db
    .update(processedEvents)
    .set({ receivedAt: now.toISOString() })
    .where(
      and(
        eq(processedEvents.tenantId, tenantId),
        eq(processedEvents.eventId, eventId),
        eq(processedEvents.status, "processing"),
        lt(processedEvents.receivedAt, abandoned),
      ),
    )
    .returning({ eventId: processedEvents.eventId });
  if (taken.length === 1) return { first: true };
  const row = await db.query.processedEvents.findFirst({
    where: and(eq(processedEvents.tenantId, tenantId), eq(processedEvents.eventId, eventId)),
  });
  return { first: false, planId: row?.planId ?? null, status: row?.status ?? "processing" };
}

export async function finishEvent(db: Db, tenantId: string, eventId: string, planId: string): Promise<void> {
  await db
    .update(processedEvents)
    .set({ status: "done", planId })
    .where(and(eq(processedEvents.tenantId, tenantId), eq(processedEvents.eventId, eventId)));
}

/** The event failed before it planned anything: let the sender's retry run it. */
export async function releaseEvent(db: Db, tenantId: string, eventId: string): Promise<void> {
  await db
    .delete(processedEvents)
    .where(
      and(
        eq(processedEvents.tenantId, tenantId),
        eq(processedEvents.eventId, eventId),
        eq(processedEvents.status, "processing"),
      ),
    );
}

export async function purgeProcessedEvents(db: Db, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - EVENT_ID_RETENTION_DAYS * 86_400_000).toISOString();
  const result = await db.delete(processedEvents).where(lt(processedEvents.receivedAt, cutoff));
  return result.rowsAffected;
}
