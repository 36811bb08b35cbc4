// Hubs as the SCIM service reads and renames them (a Group is a hub), with their members. Deleted
// members are not members of anything here. Tenant-scoped.
import { and, asc, eq, inArray, ne } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { hubMemberships, hubs, members } from "../../db/schema.ts";
import { displayName } from "./directory.ts";
import { notFound, ScimError } from "./errors.ts";

export type HubRow = typeof hubs.$inferSelect;

export interface GroupMember {
  id: string;
  name: string;
  joinedAt: string;
}

export async function listTenantHubs(db: Db, tenantId: string): Promise<HubRow[]> {
  return db.select().from(hubs).where(eq(hubs.tenantId, tenantId)).orderBy(asc(hubs.createdAt), asc(hubs.id));
}

export async function getGroupHub(db: Db, tenantId: string, id: string): Promise<HubRow> {
  const [row] = await db
    .select()
    .from(hubs)
    .where(and(eq(hubs.tenantId, tenantId), eq(hubs.id, id)));
  if (!row) throw notFound(`No group ${id}.`);
  return row;
}

/** Each hub's members, by hub id, in the order they joined. */
export async function membersOf(
  db: Db,
  tenantId: string,
  hubIds: string[],
): Promise<Map<string, GroupMember[]>> {
  const byHub = new Map<string, GroupMember[]>(hubIds.map((id) => [id, []]));
  if (hubIds.length === 0) return byHub;
  const rows = await db
    .select({
      hubId: hubMemberships.hubId,
      id: members.id,
      firstName: members.firstName,
      lastName: members.lastName,
      email: members.email,
      joinedAt: hubMemberships.createdAt,
    })
    .from(hubMemberships)
    .innerJoin(members, eq(members.id, hubMemberships.memberId))
    .where(
      and(
        eq(hubMemberships.tenantId, tenantId),
        inArray(hubMemberships.hubId, hubIds),
        ne(members.status, "deleted"),
      ),
    )
    .orderBy(asc(hubMemberships.createdAt), asc(members.id));
  for (const r of rows) byHub.get(r.hubId)?.push({ id: r.id, name: displayName(r), joinedAt: r.joinedAt });
  return byHub;
}

export async function renameHub(db: Db, tenantId: string, id: string, name: string): Promise<void> {
  try {
    await db
      .update(hubs)
      .set({ name })
      .where(and(eq(hubs.tenantId, tenantId), eq(hubs.id, id)));
  } catch (error) {
    if (/UNIQUE constraint failed/i.test(String((error as Error).message))) {
      throw new ScimError(409, "uniqueness", `Another group is already named "${name}".`);
    }
    throw error;
  }
}
