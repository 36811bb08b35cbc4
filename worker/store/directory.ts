// The member directory as admins and integrators see it: list with filters, one member with its
// hubs, and the status changes an admin makes by hand (reactivate, archive). Each change bumps the
// member's version (plans made before it go stale instead of overwriting it) and is audited and
// announced in the same atomic batch.
import { and, asc, eq, gt, inArray, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { hubMemberships, type MemberSource, type MemberStatus, members } from "../../db/schema.ts";
import { AppError } from "../errors.ts";
import type { WebhookEventType } from "../webhook-events.ts";
import { type Actor, auditStatement } from "./audit.ts";
import { listWebhooks, webhookStatements } from "./webhooks.ts";

export interface MemberFilter {
  status?: MemberStatus;
  source?: MemberSource;
  hubId?: string;
  /** Prefix of the email, first name, last name or full name; case-insensitive. */
  q?: string;
  /** (createdAt, id) of the last member of the previous page. */
  after?: [string, string];
  limit: number;
}

type MemberRow = typeof members.$inferSelect;
export type MemberView = Omit<MemberRow, "tenantId"> & { hubIds: string[] };

/** Ordered by (created_at, id): unique, and new members sort last, so pages never shift. */
export async function listMembers(db: Db, tenantId: string, filter: MemberFilter) {
  const rows = await db
    .select()
    .from(members)
    .where(
      and(
        eq(members.tenantId, tenantId),
        filter.status ? eq(members.status, filter.status) : undefined,
        filter.source ? eq(members.source, filter.source) : undefined,
        filter.hubId
          ? sql`exists (select 1 from hub_memberships h where h.member_id = ${members.id} and h.hub_id = ${filter.hubId})`
          : undefined,
        filter.q ? prefixMatch(filter.q) : undefined,
        filter.after
          ? or(
              gt(members.createdAt, filter.after[0]),
              and(eq(members.createdAt, filter.after[0]), gt(members.id, filter.after[1])),
            )
          : undefined,
      ),
    )
    .orderBy(asc(members.createdAt), asc(members.id))
    .limit(filter.limit + 1);
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  const next: [string, string] | null = rows.length > filter.limit && last ? [last.createdAt, last.id] : null;
  return { members: await withHubs(db, tenantId, page), next };
}

function prefixMatch(q: string): SQL {
  // LIKE is case-insensitive for ASCII in SQLite; the user's % and _ are literal.
  const pattern = `${q
    .trim()
    .toLowerCase()
    .replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql`(${members.email} like ${pattern} escape '\\'
    or lower(${members.firstName}) like ${pattern} escape '\\'
    or lower(${members.lastName}) like ${pattern} escape '\\'
    or lower(coalesce(${members.firstName}, '') || ' ' || coalesce(${members.lastName}, '')) like ${pattern} escape '\\')`;
}

export async function getMember(db: Db, tenantId: string, id: string): Promise<MemberView> {
  const row = await db.query.members.findFirst({
    where: and(eq(members.tenantId, tenantId), eq(members.id, id)),
  });
  if (!row) throw new AppError("not_found", `No member ${id} in this tenant.`);
  const [view] = await withHubs(db, tenantId, [row]);
  return view as MemberView;
}

async function withHubs(db: Db, tenantId: string, rows: MemberRow[]): Promise<MemberView[]> {
  const ids = rows.map((r) => r.id);
  const links = ids.length
    ? await db
        .select({ memberId: hubMemberships.memberId, hubId: hubMemberships.hubId })
        .from(hubMemberships)
        .where(and(eq(hubMemberships.tenantId, tenantId), inArray(hubMemberships.memberId, ids)))
        .orderBy(asc(hubMemberships.hubId))
    : [];
  return rows.map(({ tenantId: _t, ...row }) => ({
    ...row,
    hubIds: links.filter((l) => l.memberId === row.id).map((l) => l.hubId),
  }));
}

interface Transition {
  change: "reactivate" | "archive";
  to: MemberStatus;
  from: readonly MemberStatus[];
  event: WebhookEventType;
  refusal: (status: MemberStatus) => string;
}

const TRANSITIONS: Record<Transition["change"], Transition> = {
  reactivate: {
    change: "reactivate",
    to: "active",
    from: ["inactive"],
    event: "member.reactivated",
    refusal: (status) => `Only an inactive member can be reactivated; this one is ${status}.`,
  },
  archive: {
    change: "archive",
    to: "archived",
    from: ["invited", "active", "inactive"],
    event: "member.archived",
    refusal: (status) =>
      status === "archived"
        ? "This member is already archived."
        : "A deleted member cannot be archived; restore it first.",
  },
};

/**
 * Moves a member to the transition's status if it is in one it may leave, as one atomic batch:
 * the audit entry, the webhook events and the update all hold the same precondition (the status
 * and version just read), so a concurrent change makes the whole batch a no-op and a 409.
 */
export async function changeMemberStatus(
  db: Db,
  tenantId: string,
  id: string,
  change: Transition["change"],
  actor: Actor,
  now: Date,
): Promise<MemberView> {
  const t = TRANSITIONS[change];
  const member = await getMember(db, tenantId, id);
  if (!t.from.includes(member.status)) throw new AppError("conflict", t.refusal(member.status));
  const at = now.toISOString();
  const guard =
    "EXISTS (SELECT 1 FROM members WHERE tenant_id = ? AND id = ? AND version = ? AND status = ?)";
  const guardArgs = [tenantId, id, member.version, member.status];
  const endpoints = await listWebhooks(db, tenantId);
  const audit = auditStatement(
    {
      tenantId,
      actor,
      actionId: null,
      memberId: id,
      change,
      before: { status: member.status, version: member.version },
      after: { status: t.to, version: member.version + 1 },
      at,
    },
    guard,
    guardArgs,
  );
  const event = {
    type: t.event,
    key: `${change}:${id}:${member.version}`,
    at,
    data: { memberId: id, email: member.email, employeeId: member.employeeId, status: t.to },
  };
  const results = await db.$client.batch(
    [
      audit,
      ...webhookStatements(tenantId, endpoints, event, guard, guardArgs),
      {
        sql: `UPDATE members SET status = ?, version = version + 1, updated_at = ?
              WHERE tenant_id = ? AND id = ? AND version = ? AND status = ?`,
        args: [t.to, at, ...guardArgs.slice(0, 2), member.version, member.status],
      },
    ],
    "write",
  );
  if (results.at(-1)?.rowsAffected !== 1) {
    throw new AppError("conflict", "The member changed while this request ran; load it again and retry.");
  }
  return getMember(db, tenantId, id);
}
