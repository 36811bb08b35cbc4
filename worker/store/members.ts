// Members as the engine sees them (MemberSnapshot), scoped to one tenant.
import { eq, getTableColumns, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { contentRegions, members } from "../../db/schema.ts";
import { CORE_FIELDS, type CoreField, type MemberSnapshot } from "../engine/types.ts";

type MemberRow = typeof members.$inferSelect;

export function snapshotOf(row: MemberRow, inHub: boolean): MemberSnapshot {
  const core: Partial<Record<CoreField, string | null>> = {};
  for (const field of CORE_FIELDS) core[field] = row[field] ?? null;
  return {
    id: row.id,
    employeeId: row.employeeId,
    email: row.email,
    status: row.status,
    source: row.source,
    version: row.version,
    inHub,
    core,
    derived: { approverId: row.approverId, contentRegion: row.contentRegion },
    profile: row.profile,
  };
}

/** Every member of the tenant (identity is tenant-wide), each flagged with membership of `hubId`. */
export async function loadSnapshots(db: Db, tenantId: string, hubId: string): Promise<MemberSnapshot[]> {
  const rows = await db
    .select({
      ...getTableColumns(members),
      inHub: sql<number>`exists (select 1 from hub_memberships h where h.member_id = ${members.id} and h.hub_id = ${hubId})`,
    })
    .from(members)
    .where(eq(members.tenantId, tenantId));
  return rows.map(({ inHub, ...row }) => snapshotOf(row, Boolean(inHub)));
}

/** The tenant's country → content region overrides of the built-in table. */
export async function contentRegionsOf(db: Db, tenantId: string): Promise<Record<string, string>> {
  const rows = await db.select().from(contentRegions).where(eq(contentRegions.tenantId, tenantId));
  return Object.fromEntries(rows.map((r) => [r.country, r.region]));
}
