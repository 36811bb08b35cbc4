// What an HRIS event needs beyond a one-row import: finding the person it names, and turning the
// plan of an `employee.deleted` event into a deletion (a row can only say "leaver", which plans a
// deactivation; the event says more).
import type { ResultSet } from "@libsql/client";
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { type MemberStatus, planActions, type TenantSettings } from "../../db/schema.ts";
import { guardVerdict } from "../engine/guard.ts";
import type { Stmt } from "./audit.ts";
import { activeInHub } from "./members.ts";
import type { PlanView } from "./plan-state.ts";

const DELETE_REASON = "The HRIS deleted this employee: delete from the tenant (restorable for 30 days).";

export interface NamedMember {
  id: string;
  employeeId: string | null;
  email: string;
  firstName: string | null;
  lastName: string | null;
  status: MemberStatus;
  version: number;
}

/** The members an event names, by employee id or email, as a statement for a batch. */
export function namedStatement(tenantId: string, employeeId: string | null, email: string | null): Stmt {
  return {
    sql: `SELECT id, employee_id, email, first_name, last_name, status, version FROM members
          WHERE tenant_id = ? AND (employee_id = ? OR email = ?)`,
    args: [tenantId, employeeId, email === null ? null : email.trim().toLowerCase()],
  };
}

/** The member an event names: by employee id first, then email, as a sync matches. */
export function namedFrom(result: ResultSet, employeeId: string | null): NamedMember | null {
  const rows = result.rows.map((r) => ({
    id: String(r.id),
    employeeId: (r.employee_id as string | null) ?? null,
    email: String(r.email),
    firstName: (r.first_name as string | null) ?? null,
    lastName: (r.last_name as string | null) ?? null,
    status: r.status as MemberStatus,
    version: Number(r.version),
  }));
  return rows.find((m) => employeeId && m.employeeId === employeeId) ?? rows[0] ?? null;
}

/**
 * Makes `plan` (as just stored) delete `member` from the tenant: its deactivation (or field
 * update, for someone already inactive) becomes `delete_from_tenant`, or one is added when the plan
 * had nothing for them. Counts and the guard move in the same batch; the guard counts the hub's
 * active members only if the floor alone would not allow the deletion. Archived and deleted
 * members are left alone.
 */
export async function planDeletion(
  db: Db,
  settings: TenantSettings,
  plan: PlanView,
  member: NamedMember,
): Promise<void> {
  if (member.status === "archived" || member.status === "deleted") return;
  const { tenantId, id: planId } = plan;
  const actions = await db
    .select({
      id: planActions.id,
      kind: planActions.kind,
      memberId: planActions.memberId,
      seq: planActions.seq,
    })
    .from(planActions)
    .where(and(eq(planActions.tenantId, tenantId), eq(planActions.planId, planId)));
  const existing = actions.find(
    (a) => a.memberId === member.id && (a.kind === "deactivate" || a.kind === "update"),
  );
  const summary = { ...plan.summary };
  let deprovisions = plan.guard.deprovisions;
  const statements = [];
  if (existing) {
    summary[existing.kind] = (summary[existing.kind] ?? 1) - 1;
    if (!summary[existing.kind]) delete summary[existing.kind];
    if (existing.kind === "update") deprovisions += 1;
    statements.push({
      sql: `UPDATE plan_actions SET kind = 'delete_from_tenant', changes = '[]', reason = ?, payload = ?
            WHERE tenant_id = ? AND id = ? AND status = 'pending' AND approved = 0`,
      args: [DELETE_REASON, JSON.stringify({ alternatives: ["deactivate"] }), tenantId, existing.id],
    });
  } else {
    deprovisions += 1;
    const seq = actions.reduce((max, a) => Math.max(max, a.seq), -1) + 1;
    statements.push({
      sql: `INSERT INTO plan_actions (id, tenant_id, plan_id, seq, kind, row, member_id, member_version, email,
              employee_id, name, changes, payload, reason, warnings, approved, status)
            VALUES (?, ?, ?, ?, 'delete_from_tenant', 1, ?, ?, ?, ?, ?, '[]', ?, ?, '[]', 0, 'pending')`,
      args: [
        crypto.randomUUID(),
        tenantId,
        planId,
        seq,
        member.id,
        member.version,
        member.email,
        member.employeeId,
        [member.firstName, member.lastName].filter(Boolean).join(" ") || null,
        JSON.stringify({ alternatives: ["deactivate"] }),
        DELETE_REASON,
      ],
    });
  }
  summary.delete_from_tenant = (summary.delete_from_tenant ?? 0) + 1;
  const guard = await judged(db, plan, deprovisions, settings.guard);
  statements.push({
    sql: "UPDATE plans SET summary = ?, guard = ?, status = ? WHERE tenant_id = ? AND id = ?",
    args: [
      JSON.stringify(summary),
      JSON.stringify(guard),
      guard.blocked ? "blocked" : plan.status,
      tenantId,
      planId,
    ],
  });
  await db.$client.batch(statements, "write");
}

/**
 * The plan's guard with `deprovisions`: its limit as stored while that allows them; else judged
 * afresh against the hub's active members (the stored limit may be the floor's, uncounted).
 */
async function judged(db: Db, plan: PlanView, deprovisions: number, guard: TenantSettings["guard"]) {
  if (deprovisions <= plan.guard.limit) return { ...plan.guard, deprovisions, blocked: false };
  return guardVerdict(deprovisions, await activeInHub(db, plan.tenantId, plan.hubId), guard);
}
