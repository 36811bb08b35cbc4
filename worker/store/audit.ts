// The audit log: one entry per change, with who did it, before and after. Plan actions write
// theirs inside the execution batch (at most one per action: a unique index); member-level API
// changes (accept, resend, revoke, restore, purge) write theirs with no action id.
import { and, desc, eq, gte, lt } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { type ActorType, auditLog } from "../../db/schema.ts";

export interface Actor {
  type: ActorType;
  id: string;
}

export type Args = (string | number | null)[];
export interface Stmt {
  sql: string;
  args: Args;
}

export interface AuditEntry {
  tenantId: string;
  actor: Actor;
  actionId: string | null;
  approvedBy?: string | null;
  memberId: string | null;
  change: string;
  before: unknown;
  after: unknown;
  at: string;
  /** A member-level change's token: its other effects are guarded by CLAIMED with it. */
  claim?: string | null;
}

/** SQL that holds once the audit entry of the member-level change `claim` is written. */
export const CLAIMED = "EXISTS (SELECT 1 FROM audit_log WHERE claim = ?)";

/** An INSERT of `entry` that happens only where `guard` (SQL over `guardArgs`) holds. */
export function auditStatement(entry: AuditEntry, guard: string, guardArgs: Args): Stmt {
  return {
    sql: `INSERT INTO audit_log (tenant_id, actor_type, actor_id, action_id, approved_by, member_id, change, before, after, claim, at)
          SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE ${guard}`,
    args: [
      entry.tenantId,
      entry.actor.type,
      entry.actor.id,
      entry.actionId,
      entry.approvedBy ?? null,
      entry.memberId,
      entry.change,
      entry.before === null || entry.before === undefined ? null : JSON.stringify(entry.before),
      entry.after === null || entry.after === undefined ? null : JSON.stringify(entry.after),
      entry.claim ?? null,
      entry.at,
      ...guardArgs,
    ],
  };
}

/**
 * A member-level change, exactly once: its audit entry is written first, only where `guard` holds;
 * each effect's SQL ends in CLAIMED, and the change's token is bound to it, so effects happen only
 * together with the entry. One atomic batch; returns whether the change happened.
 */
export async function changeOnce(
  db: Db,
  entry: Omit<AuditEntry, "claim">,
  guard: string,
  guardArgs: Args,
  effects: Stmt[],
): Promise<boolean> {
  const claim = crypto.randomUUID();
  const results = await db.$client.batch(
    [
      auditStatement({ ...entry, claim }, guard, guardArgs),
      ...effects.map((e) => ({ sql: e.sql, args: [...e.args, claim] })),
    ],
    "write",
  );
  return results[0]?.rowsAffected === 1;
}

export interface AuditFilter {
  memberId?: string;
  /** Inclusive, ISO 8601. */
  from?: string;
  /** Exclusive, ISO 8601. */
  to?: string;
  /** The id of the last entry of the previous page. */
  before?: number;
  limit: number;
}

/** Newest first (by id, which grows with every entry), a page at a time. */
export async function listAudit(db: Db, tenantId: string, filter: AuditFilter) {
  const rows = await db
    .select()
    .from(auditLog)
    .where(
      and(
        eq(auditLog.tenantId, tenantId),
        filter.memberId ? eq(auditLog.memberId, filter.memberId) : undefined,
        filter.from ? gte(auditLog.at, filter.from) : undefined,
        filter.to ? lt(auditLog.at, filter.to) : undefined,
        filter.before !== undefined ? lt(auditLog.id, filter.before) : undefined,
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(filter.limit + 1);
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return { entries: page, next: rows.length > filter.limit && last ? last.id : null };
}
