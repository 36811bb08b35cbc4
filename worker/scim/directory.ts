// The member directory as the SCIM service reads it: members with what a User resource shows
// beside their columns (userName, hubs, the approver's name), found by id, by identity key, or a
// page at a time in a stable order. Deleted members are not Users (they answer 404). Tenant-scoped.
import { and, asc, count, eq, inArray, ne, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { hubMemberships, hubs, members, scimUserNames } from "../../db/schema.ts";
import { normaliseEmail } from "../engine/mapping.ts";

export type MemberRow = typeof members.$inferSelect;

export interface UserRecord {
  member: MemberRow;
  /** The identity provider's userName, when it set one other than the email. */
  userName: string | null;
  hubs: { id: string; name: string }[];
  manager: { id: string; name: string } | null;
}

/** Identity keys a list filter narrows to (each list: any of these values); absent: no narrowing. */
export interface Narrowing {
  ids?: string[];
  employeeIds?: string[];
  emails?: string[];
  userNames?: string[];
}

const notDeleted = (tenantId: string) => and(eq(members.tenantId, tenantId), ne(members.status, "deleted"));

export function foldUserName(userName: string): string {
  return userName.normalize("NFC").trim().toLowerCase();
}

export async function getUserRecord(db: Db, tenantId: string, memberId: string): Promise<UserRecord | null> {
  const [row] = await db
    .select()
    .from(members)
    .where(and(notDeleted(tenantId), eq(members.id, memberId)));
  if (!row) return null;
  const [record] = await recordsOf(db, tenantId, [row]);
  return record ?? null;
}

/** Members matching `narrowing` (all of them without one), oldest first, as records. */
export async function listUserRecords(
  db: Db,
  tenantId: string,
  narrowing: Narrowing | null,
  page?: { offset: number; limit: number },
): Promise<UserRecord[]> {
  const query = db
    .select()
    .from(members)
    .where(and(notDeleted(tenantId), narrowing ? narrowed(db, tenantId, narrowing) : undefined))
    .orderBy(asc(members.createdAt), asc(members.id));
  const rows = page ? await query.limit(page.limit).offset(page.offset) : await query;
  return recordsOf(db, tenantId, rows);
}

export async function countUsers(db: Db, tenantId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(members).where(notDeleted(tenantId));
  return row?.n ?? 0;
}

/** Ids of the members whose own userName folds to one of `folded`. */
function namedAs(db: Db, tenantId: string, folded: string[]) {
  return db
    .select({ id: scimUserNames.memberId })
    .from(scimUserNames)
    .where(and(eq(scimUserNames.tenantId, tenantId), inArray(scimUserNames.folded, folded)));
}

function narrowed(db: Db, tenantId: string, n: Narrowing): SQL {
  const emails = [...(n.emails ?? []), ...(n.userNames ?? [])].map(normaliseEmail);
  const folded = (n.userNames ?? []).map(foldUserName);
  const terms = [
    n.ids?.length ? inArray(members.id, n.ids) : undefined,
    n.employeeIds?.length ? inArray(members.employeeId, n.employeeIds) : undefined,
    emails.length ? inArray(members.email, emails) : undefined,
    folded.length ? inArray(members.id, namedAs(db, tenantId, folded)) : undefined,
  ].filter((t): t is SQL => t !== undefined);
  return or(...terms) ?? sql`0`;
}

async function recordsOf(db: Db, tenantId: string, rows: MemberRow[]): Promise<UserRecord[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const approverIds = [...new Set(rows.map((r) => r.approverId).filter((id): id is string => id !== null))];
  const [names, links, approvers] = await Promise.all([
    db
      .select({ memberId: scimUserNames.memberId, userName: scimUserNames.userName })
      .from(scimUserNames)
      .where(and(eq(scimUserNames.tenantId, tenantId), inArray(scimUserNames.memberId, ids))),
    db
      .select({ memberId: hubMemberships.memberId, id: hubs.id, name: hubs.name })
      .from(hubMemberships)
      .innerJoin(hubs, eq(hubs.id, hubMemberships.hubId))
      .where(and(eq(hubMemberships.tenantId, tenantId), inArray(hubMemberships.memberId, ids)))
      .orderBy(asc(hubs.name)),
    approverIds.length
      ? db
          .select({
            id: members.id,
            firstName: members.firstName,
            lastName: members.lastName,
            email: members.email,
          })
          .from(members)
          .where(and(notDeleted(tenantId), inArray(members.id, approverIds)))
      : [],
  ]);
  const userNames = new Map(names.map((n) => [n.memberId, n.userName]));
  const managers = new Map(approvers.map((a) => [a.id, { id: a.id, name: displayName(a) }]));
  return rows.map((member) => ({
    member,
    userName: userNames.get(member.id) ?? null,
    hubs: links.filter((l) => l.memberId === member.id).map(({ id, name }) => ({ id, name })),
    manager: member.approverId ? (managers.get(member.approverId) ?? null) : null,
  }));
}

export function displayName(m: { firstName: string | null; lastName: string | null; email: string }): string {
  return [m.firstName, m.lastName].filter(Boolean).join(" ") || m.email;
}

/** Who already holds one of these identity keys (deleted members included: their keys stay taken). */
export async function holdersOf(
  db: Db,
  tenantId: string,
  keys: { email?: string | null; employeeId?: string | null; userName?: string | null },
): Promise<{ member: MemberRow; key: "email" | "employeeId" | "userName" }[]> {
  const email = keys.email ? normaliseEmail(keys.email) : null;
  const folded = keys.userName ? foldUserName(keys.userName) : null;
  const terms = [
    email ? eq(members.email, email) : undefined,
    keys.employeeId ? eq(members.employeeId, keys.employeeId) : undefined,
    folded ? inArray(members.id, namedAs(db, tenantId, [folded])) : undefined,
    // A member without a userName of its own is known by its email.
    folded ? eq(members.email, normaliseEmail(keys.userName as string)) : undefined,
  ].filter((t): t is SQL => t !== undefined);
  if (terms.length === 0) return [];
  const rows = await db
    .select()
    .from(members)
    .where(and(eq(members.tenantId, tenantId), or(...terms)));
  if (rows.length === 0) return [];
  const named = new Map(
    (
      await db
        .select({ memberId: scimUserNames.memberId, folded: scimUserNames.folded })
        .from(scimUserNames)
        .where(
          and(
            eq(scimUserNames.tenantId, tenantId),
            inArray(
              scimUserNames.memberId,
              rows.map((r) => r.id),
            ),
          ),
        )
    ).map((n) => [n.memberId, n.folded]),
  );
  return rows.flatMap((member) => {
    const found: { member: MemberRow; key: "email" | "employeeId" | "userName" }[] = [];
    if (keys.employeeId && member.employeeId === keys.employeeId) found.push({ member, key: "employeeId" });
    if (email && member.email === email) found.push({ member, key: "email" });
    const userName = named.get(member.id) ?? member.email;
    if (folded && foldUserName(userName) === folded) found.push({ member, key: "userName" });
    return found;
  });
}
