// Soft deletion's two ends: a member deleted from the tenant can be restored for RESTORE_DAYS,
// then the purge removes the person's data. The audit trail stays, scrubbed of personal data, so
// the log still shows that a change happened and when.
import { and, desc, eq, lt } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { auditLog, type MemberStatus, members } from "../../db/schema.ts";
import { AppError } from "../errors.ts";
import { type Actor, CLAIMED, changeOnce, type Stmt } from "./audit.ts";

export const RESTORE_DAYS = 30;
const DAY_MS = 86_400_000;
/** Members purged per call; the cron comes back for the rest. */
const PURGE_LIMIT = 200;
const RESTORABLE: readonly MemberStatus[] = ["invited", "active", "inactive"];

function cutoff(now: Date): string {
  return new Date(now.getTime() - RESTORE_DAYS * DAY_MS).toISOString();
}

/** Undoes a delete from the tenant: the member gets back the status they had before it. */
export async function restoreMember(
  db: Db,
  tenantId: string,
  memberId: string,
  options: { actor: Actor; now: Date },
) {
  const member = await memberOf(db, tenantId, memberId);
  const problem = whyNotRestorable(member, options.now);
  if (problem) throw problem;
  const status = await statusBeforeDelete(db, tenantId, memberId);
  const at = options.now.toISOString();
  const restorable = `EXISTS (SELECT 1 FROM members WHERE id = ? AND tenant_id = ? AND status = 'deleted' AND deleted_at >= ?)`;
  const restored = await changeOnce(
    db,
    {
      tenantId,
      actor: options.actor,
      actionId: null,
      memberId,
      change: "restore",
      before: { status: "deleted", deletedAt: member.deletedAt },
      after: { status },
      at,
    },
    restorable,
    [memberId, tenantId, cutoff(options.now)],
    [
      {
        sql: `UPDATE members SET status = ?, deleted_at = NULL, version = version + 1, updated_at = ?
              WHERE id = ? AND tenant_id = ? AND ${CLAIMED}`,
        args: [status, at, memberId, tenantId],
      },
    ],
  );
  if (!restored) {
    throw (
      whyNotRestorable(await memberOf(db, tenantId, memberId), options.now) ??
      new AppError("conflict", "The member changed while being restored; try again.")
    );
  }
  return memberOf(db, tenantId, memberId);
}

function whyNotRestorable(member: typeof members.$inferSelect, now: Date): AppError | null {
  if (member.status !== "deleted") {
    return new AppError(
      "conflict",
      `This member is not deleted (status ${member.status}); nothing to restore.`,
    );
  }
  if (!member.deletedAt || member.deletedAt < cutoff(now)) {
    return new AppError(
      "gone",
      `This member was deleted on ${member.deletedAt?.slice(0, 10) ?? "an unknown date"}, more than ${RESTORE_DAYS} days ago; they can no longer be restored.`,
    );
  }
  return null;
}

/** The status the delete's audit entry recorded as "before"; inactive when it is not known. */
async function statusBeforeDelete(db: Db, tenantId: string, memberId: string): Promise<MemberStatus> {
  const entry = await db.query.auditLog.findFirst({
    where: and(
      eq(auditLog.tenantId, tenantId),
      eq(auditLog.memberId, memberId),
      eq(auditLog.change, "delete_from_tenant"),
    ),
    orderBy: desc(auditLog.id),
  });
  const before = entry?.before?.status;
  return RESTORABLE.find((s) => s === before) ?? "inactive";
}

async function memberOf(db: Db, tenantId: string, memberId: string) {
  const row = await db.query.members.findFirst({
    where: and(eq(members.tenantId, tenantId), eq(members.id, memberId)),
  });
  if (!row) throw new AppError("not_found", `No member ${memberId} in this tenant.`);
  return row;
}

/**
 * Removes members deleted more than RESTORE_DAYS ago, with their hub memberships, invitations and
 * queued emails; scrubs the personal data from their audit entries and plan actions. Runs from
 * the cron across tenants; each member's purge is one atomic batch, recorded once in the audit log.
 */
export async function purgeDeleted(
  db: Db,
  now: Date,
  actor: Actor = { type: "cron", id: "purge" },
): Promise<number> {
  const due = await db
    .select({ id: members.id, tenantId: members.tenantId, email: members.email })
    .from(members)
    .where(and(eq(members.status, "deleted"), lt(members.deletedAt, cutoff(now))))
    .limit(PURGE_LIMIT);
  let purged = 0;
  for (const member of due) {
    const done = await changeOnce(
      db,
      {
        tenantId: member.tenantId,
        actor,
        actionId: null,
        memberId: member.id,
        change: "purge",
        before: null,
        after: null,
        at: now.toISOString(),
      },
      "EXISTS (SELECT 1 FROM members WHERE id = ? AND tenant_id = ? AND status = 'deleted' AND deleted_at < ?)",
      [member.id, member.tenantId, cutoff(now)],
      purgeStatements(member),
    );
    if (done) purged += 1;
  }
  return purged;
}

function purgeStatements(member: { id: string; tenantId: string; email: string }): Stmt[] {
  const t = member.tenantId;
  const scrub = (column: string) =>
    `${column} = CASE WHEN ${column} IS NULL THEN NULL
       ELSE json_object('scrubbed', json('true'), 'status', json_extract(${column}, '$.status')) END`;
  return [
    {
      sql: `UPDATE audit_log SET ${scrub("before")}, ${scrub("after")}
            WHERE tenant_id = ? AND member_id = ? AND change <> 'purge' AND ${CLAIMED}`,
      args: [t, member.id],
    },
    {
      // Invites carry the new member's id only in their payload; the email finds them.
      sql: `UPDATE plan_actions SET email = NULL, employee_id = NULL, name = NULL, changes = '[]', payload = NULL
            WHERE tenant_id = ? AND (member_id = ? OR email = ?) AND ${CLAIMED}`,
      args: [t, member.id, member.email],
    },
    {
      sql: `DELETE FROM outbox WHERE tenant_id = ? AND channel = 'email' AND recipient = ? AND ${CLAIMED}`,
      args: [t, member.email],
    },
    {
      sql: `DELETE FROM invitations WHERE tenant_id = ? AND member_id = ? AND ${CLAIMED}`,
      args: [t, member.id],
    },
    {
      sql: `DELETE FROM hub_memberships WHERE tenant_id = ? AND member_id = ? AND ${CLAIMED}`,
      args: [t, member.id],
    },
    {
      sql: `UPDATE members SET approver_id = NULL WHERE tenant_id = ? AND approver_id = ? AND ${CLAIMED}`,
      args: [t, member.id],
    },
    {
      sql: `DELETE FROM members WHERE tenant_id = ? AND id = ? AND ${CLAIMED}`,
      args: [t, member.id],
    },
  ];
}
