// Per-tenant leases for jobs that must not run twice at once (the scheduled sync). A lease is one
// row: taken by a conditional upsert, so of two concurrent runs exactly one gets it; it expires,
// so a run that died does not hold it forever; and it remembers the scheduled time of the last
// run that finished, so a repeated cron for the same occurrence does nothing.
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { leases } from "../../db/schema.ts";

export interface LeaseRequest {
  holder: string;
  /** Wall-clock now: leases are about processes overlapping, not about the schedule. */
  now: Date;
  ttlMs: number;
  /** The scheduled time this run is for: refused when a finished run already covered it. */
  occurrence: Date;
}

/** The scheduled time of the last finished run of `name` for the tenant; null if none. */
export async function lastRunOf(db: Db, tenantId: string, name: string): Promise<Date | null> {
  const row = await db.query.leases.findFirst({
    where: and(eq(leases.tenantId, tenantId), eq(leases.name, name)),
  });
  return row?.lastRunAt ? new Date(row.lastRunAt) : null;
}

/** True when this holder now has the lease; false when another run holds it or already did the work. */
export async function takeLease(db: Db, tenantId: string, name: string, request: LeaseRequest) {
  const now = request.now.toISOString();
  const expires = new Date(request.now.getTime() + request.ttlMs).toISOString();
  const result = await db.$client.execute({
    sql: `INSERT INTO leases (tenant_id, name, holder, expires_at) VALUES (?, ?, ?, ?)
          ON CONFLICT (tenant_id, name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
          WHERE (leases.holder IS NULL OR leases.expires_at <= ?)
            AND (leases.last_run_at IS NULL OR leases.last_run_at < ?)`,
    args: [tenantId, name, request.holder, expires, now, request.occurrence.toISOString()],
  });
  return result.rowsAffected === 1;
}

/**
 * Gives the lease back and records the run as finished for `occurrence`. A holder whose lease
 * expired and was taken by another run changes nothing.
 */
export async function releaseLease(
  db: Db,
  tenantId: string,
  name: string,
  holder: string,
  occurrence: Date,
): Promise<boolean> {
  const result = await db.$client.execute({
    sql: `UPDATE leases SET holder = NULL, expires_at = NULL, last_run_at = ?
          WHERE tenant_id = ? AND name = ? AND holder = ?`,
    args: [occurrence.toISOString(), tenantId, name, holder],
  });
  return result.rowsAffected === 1;
}
