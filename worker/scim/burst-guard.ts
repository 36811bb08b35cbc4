// The deprovisioning guard for SCIM. A file plan is checked as a whole; an identity provider sends
// one user at a time, so a wipe arrives as a burst of small requests. Each deactivation or deletion
// made through SCIM is reserved in a sliding window (one hour) per tenant, and only while the
// window holds fewer than the tenant's guard allows; beyond it the request is refused and the
// refusal audited. The reservation is one statement, so concurrent requests cannot both take the
// last place.
import type { Db } from "../../db/client.ts";
import type { TenantSettings } from "../../db/schema.ts";
import { evaluateGuard } from "../engine/guard.ts";
import { type Actor, auditStatement } from "../store/audit.ts";

export const WINDOW_MINUTES = 60;

export interface Reservation {
  ok: boolean;
  /** Deprovisions already in the window (before this request). */
  inWindow: number;
  limit: number;
}

/** The most SCIM deprovisions a window may hold: the tenant's guard over its active members. */
export function windowLimit(guard: TenantSettings["guard"], activeMembers: number): number {
  return evaluateGuard([], activeMembers, guard).limit;
}

function windowStart(now: Date): string {
  return new Date(now.getTime() - WINDOW_MINUTES * 60_000).toISOString();
}

/** Reserves a place for each action, all or none. */
export async function reserve(
  db: Db,
  tenantId: string,
  actionIds: string[],
  now: Date,
  limit: number,
): Promise<Reservation> {
  const since = windowStart(now);
  const rows = actionIds.map((actionId) => ({ id: crypto.randomUUID(), actionId }));
  const results = await db.$client.batch(
    [
      { sql: "DELETE FROM scim_deprovisions WHERE tenant_id = ? AND at < ?", args: [tenantId, since] },
      {
        sql: "SELECT count(*) AS n FROM scim_deprovisions WHERE tenant_id = ? AND at >= ?",
        args: [tenantId, since],
      },
      {
        sql: `INSERT INTO scim_deprovisions (id, tenant_id, action_id, at)
              SELECT json_extract(value, '$.id'), ?, json_extract(value, '$.actionId'), ?
              FROM json_each(?)
              WHERE (SELECT count(*) FROM scim_deprovisions WHERE tenant_id = ? AND at >= ?) + ? <= ?`,
        args: [tenantId, now.toISOString(), JSON.stringify(rows), tenantId, since, rows.length, limit],
      },
    ],
    "write",
  );
  const inWindow = Number(results[1]?.rows[0]?.n ?? 0);
  return { ok: results[2]?.rowsAffected === rows.length, inWindow, limit };
}

/** Gives back the places of actions that did not happen (stale, failed): they deprovisioned no one. */
export async function release(db: Db, tenantId: string, actionIds: string[]): Promise<void> {
  if (actionIds.length === 0) return;
  await db.$client.execute({
    sql: `DELETE FROM scim_deprovisions WHERE tenant_id = ? AND action_id IN (SELECT value FROM json_each(?))
            AND action_id NOT IN (SELECT id FROM plan_actions WHERE tenant_id = ? AND status = 'done')`,
    args: [tenantId, JSON.stringify(actionIds), tenantId],
  });
}

export interface Refusal {
  tenantId: string;
  actor: Actor;
  planId: string;
  actions: { id: string; kind: string; memberId: string | null }[];
  reservation: Reservation;
  now: Date;
}

/** One audit entry per refused action: the admin sees who the identity provider tried to remove. */
export async function recordRefusal(db: Db, refusal: Refusal): Promise<void> {
  const at = refusal.now.toISOString();
  await db.$client.batch(
    refusal.actions.map((a) =>
      auditStatement(
        {
          tenantId: refusal.tenantId,
          actor: refusal.actor,
          actionId: null,
          memberId: a.memberId,
          change: "scim_refused",
          before: null,
          after: {
            reason: "deprovisioning_guard",
            kind: a.kind,
            planId: refusal.planId,
            planActionId: a.id,
            windowMinutes: WINDOW_MINUTES,
            inWindow: refusal.reservation.inWindow,
            limit: refusal.reservation.limit,
          },
          at,
        },
        "1",
        [],
      ),
    ),
    "write",
  );
}
