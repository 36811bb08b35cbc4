// What an HRIS event needs beyond a one-row import: finding the person it names, and turning the
// plan of an `employee.deleted` event into a deletion (a row can only say "leaver", which plans a
// deactivation; the event says more).
import { and, eq, or } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { members, planActions } from "../../db/schema.ts";
import { getPlan } from "./plans.ts";

const DELETE_REASON = "The HRIS deleted this employee: delete from the tenant (restorable for 30 days).";

/** The member an event names: by employee id first, then email, as a sync matches. */
export async function memberNamed(db: Db, tenantId: string, employeeId: string | null, email: string | null) {
  const rows = await db
    .select()
    .from(members)
    .where(
      and(
        eq(members.tenantId, tenantId),
        or(
          employeeId ? eq(members.employeeId, employeeId) : undefined,
          email ? eq(members.email, email.trim().toLowerCase()) : undefined,
        ),
      ),
    );
  return rows.find((m) => employeeId && m.employeeId === employeeId) ?? rows[0] ?? null;
}

/**
 * Makes the plan delete `member` from the tenant: its deactivation (or field update, for someone
 * already inactive) becomes `delete_from_tenant`, or one is added when the plan had nothing for
 * them. Counts and the guard move in the same batch. Archived and deleted members are left alone.
 */
export async function planDeletion(
  db: Db,
  tenantId: string,
  planId: string,
  member: typeof members.$inferSelect,
): Promise<void> {
  if (member.status === "archived" || member.status === "deleted") return;
  const plan = await getPlan(db, tenantId, planId);
  const actions = await db
    .select()
    .from(planActions)
    .where(and(eq(planActions.tenantId, tenantId), eq(planActions.planId, planId)));
  const existing = actions.find(
    (a) => a.memberId === member.id && (a.kind === "deactivate" || a.kind === "update"),
  );
  const summary = { ...plan.summary };
  const guard = { ...plan.guard };
  const statements = [];
  if (existing) {
    summary[existing.kind] = (summary[existing.kind] ?? 1) - 1;
    if (!summary[existing.kind]) delete summary[existing.kind];
    if (existing.kind === "update") guard.deprovisions += 1;
    statements.push({
      sql: `UPDATE plan_actions SET kind = 'delete_from_tenant', changes = '[]', reason = ?, payload = ?
            WHERE tenant_id = ? AND id = ? AND status = 'pending' AND approved = 0`,
      args: [DELETE_REASON, JSON.stringify({ alternatives: ["deactivate"] }), tenantId, existing.id],
    });
  } else {
    guard.deprovisions += 1;
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
  guard.blocked = guard.deprovisions > guard.limit;
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
