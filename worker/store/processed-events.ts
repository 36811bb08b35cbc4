// HRIS events already received, by the sender's id. The first delivery inserts a marker before it
// does anything, so a redelivery (or a concurrent duplicate) is recognised and never re-run.

import type { ResultSet } from "@libsql/client";
import { and, eq, lt } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { processedEvents } from "../../db/schema.ts";
import type { Stmt } from "./audit.ts";

/** Ids are remembered this long; a replay older than the signature tolerance is refused anyway. */
export const EVENT_ID_RETENTION_DAYS = 30;
/** A delivery still "processing" after this long died with its request (say, the database went away). */
export const PROCESSING_ABANDONED_AFTER_MS = 2 * 60_000;

export type EventClaim =
  | { first: true }
  | { first: false; planId: string | null; status: "processing" | "done" };

/**
 * The claim as statements, for a batch that also reads what the event needs: the first delivery
 * inserts the marker, a retry takes over one abandoned mid-way, and the marker is read back for
 * anyone else. claimOf reads the verdict from their results.
 */
export function claimStatements(tenantId: string, eventId: string, now: Date): Stmt[] {
  // Take over a delivery that died mid-way, or the sender's retries would be ignored for good.
  const abandoned = new Date(now.getTime() - PROCESSING_ABANDONED_AFTER_MS).toISOString();
  return [
    {
      sql: `INSERT INTO processed_events (tenant_id, event_id, status, received_at) VALUES (?, ?, 'processing', ?)
            ON CONFLICT (tenant_id, event_id) DO UPDATE SET received_at = excluded.received_at
            WHERE status = 'processing' AND received_at < ?
            RETURNING event_id`,
      args: [tenantId, eventId, now.toISOString(), abandoned],
    },
    {
      sql: "SELECT status, plan_id FROM processed_events WHERE tenant_id = ? AND event_id = ?",
      args: [tenantId, eventId],
    },
  ];
}

export function claimOf([claimed, marker]: ResultSet[]): EventClaim {
  if (claimed?.rows.length === 1) return { first: true };
  const row = marker?.rows[0];
  return {
    first: false,
    planId: (row?.plan_id as string | null | undefined) ?? null,
    status: (row?.status as "processing" | "done" | undefined) ?? "processing",
  };
}

export async function claimEvent(db: Db, tenantId: string, eventId: string, now: Date): Promise<EventClaim> {
  return claimOf(await db.$client.batch(claimStatements(tenantId, eventId, now), "write"));
}

/** Marks the event done with its plan: from then on a redelivery is answered with that plan. */
export function finishStatement(tenantId: string, eventId: string, planId: string): Stmt {
  return {
    sql: "UPDATE processed_events SET status = 'done', plan_id = ? WHERE tenant_id = ? AND event_id = ?",
    args: [planId, tenantId, eventId],
  };
}

export async function finishEvent(db: Db, tenantId: string, eventId: string, planId: string): Promise<void> {
  await db.$client.execute(finishStatement(tenantId, eventId, planId));
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
