// Members as the engine sees them, scoped to one tenant: full snapshots (MemberSnapshot) for the
// people a plan acts on, and for planning a whole export the compact index of every member, read
// in pages (sqld answers at most 10 MB at a time) of one JSON text each, which is far smaller than
// the same rows cell by cell over HTTP.
import { and, eq, getTableColumns, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { contentRegions, members } from "../../db/schema.ts";
import {
  type MemberIndex,
  type MemberPageShape,
  memberIndexBuilder,
  memberPageShape,
} from "../engine/member-index.ts";
import type { RosterLayout } from "../engine/roster.ts";
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

const inHub = (hubId: string) =>
  sql<number>`exists (select 1 from hub_memberships h where h.hub_id = ${hubId} and h.member_id = ${members.id})`;

/** Every member of the tenant (identity is tenant-wide), each flagged with membership of `hubId`. */
export async function loadSnapshots(db: Db, tenantId: string, hubId: string): Promise<MemberSnapshot[]> {
  const rows = await db
    .select({ ...getTableColumns(members), inHub: inHub(hubId) })
    .from(members)
    .where(eq(members.tenantId, tenantId));
  return rows.map(({ inHub, ...row }) => snapshotOf(row, Boolean(inHub)));
}

// Rows of about 300 bytes of JSON: 10,000 keep a page near 4 MB, well under sqld's 10 MB answer.
const PAGE_ROWS = 10_000;
// Full rows cell by cell are several times bigger.
const SNAPSHOT_CHUNK = 2_000;

/** The compact index of every member, for planning an export laid out as `layout`. */
export async function loadMemberIndex(
  db: Db,
  tenantId: string,
  hubId: string,
  layout: RosterLayout,
): Promise<MemberIndex> {
  const builder = memberIndexBuilder(layout);
  const shape = memberPageShape(layout);
  let after: [string, string] = ["", ""];
  let next = readPage(db, tenantId, hubId, shape, after);
  for (;;) {
    const page = await next;
    if (page.count === 0) break;
    after = page.last;
    // The next page is on its way while this one is indexed.
    if (page.count === PAGE_ROWS) next = readPage(db, tenantId, hubId, shape, after);
    builder.add(JSON.parse(page.rows) as unknown[][]);
    if (page.count < PAGE_ROWS) break;
  }
  return builder.finish();
}

interface Page {
  rows: string;
  count: number;
  last: [string, string];
}

async function readPage(
  db: Db,
  tenantId: string,
  hubId: string,
  shape: MemberPageShape,
  after: [string, string],
): Promise<Page> {
  const columns = [
    "m.id",
    "m.employee_id",
    "m.email",
    "m.status",
    "m.source",
    "m.version",
    "exists (select 1 from hub_memberships h where h.hub_id = ? and h.member_id = m.id)",
    "m.first_name",
    "m.last_name",
    ...shape.columns.map((c) => `m.${c}`),
    ...(shape.profile ? ["json(m.profile)"] : []),
  ];
  const result = await db.$client.execute({
    sql: `WITH page AS (
            SELECT m.created_at AS c, m.id AS i, json_array(${columns.join(", ")}) AS j
            FROM members m
            WHERE m.tenant_id = ? AND (m.created_at, m.id) > (?, ?)
            ORDER BY m.created_at, m.id
            LIMIT ?
          )
          SELECT '[' || coalesce(group_concat(j, ','), '') || ']' AS rows, count(*) AS n,
                 (SELECT c FROM page ORDER BY c DESC, i DESC LIMIT 1) AS c,
                 (SELECT i FROM page ORDER BY c DESC, i DESC LIMIT 1) AS i
          FROM page`,
    args: [hubId, tenantId, after[0], after[1], PAGE_ROWS],
  });
  const row = result.rows[0];
  return {
    rows: String(row?.rows ?? "[]"),
    count: Number(row?.n ?? 0),
    last: [String(row?.c ?? ""), String(row?.i ?? "")],
  };
}

/** Full snapshots of the given members, by id (those a plan acts on). */
export async function snapshotsByIds(
  db: Db,
  tenantId: string,
  hubId: string,
  ids: string[],
): Promise<Map<string, MemberSnapshot>> {
  const unique = [...new Set(ids)];
  const chunks: string[][] = [];
  for (let i = 0; i < unique.length; i += SNAPSHOT_CHUNK) chunks.push(unique.slice(i, i + SNAPSHOT_CHUNK));
  const pages = await Promise.all(
    chunks.map((chunk) =>
      db
        .select({ ...getTableColumns(members), inHub: inHub(hubId) })
        .from(members)
        .where(
          and(
            eq(members.tenantId, tenantId),
            sql`${members.id} in (select value from json_each(${JSON.stringify(chunk)}))`,
          ),
        ),
    ),
  );
  const snapshots = new Map<string, MemberSnapshot>();
  for (const page of pages) {
    for (const { inHub, ...row } of page) snapshots.set(row.id, snapshotOf(row, Boolean(inHub)));
  }
  return snapshots;
}

/**
 * The members a few rows can be about, as full snapshots: those with one of the employee ids, or
 * one of the emails. For planning an event or a short partial export without reading everyone.
 */
export async function snapshotsByKeys(
  db: Db,
  tenantId: string,
  hubId: string,
  keys: { employeeIds: string[]; emails: string[] },
): Promise<MemberSnapshot[]> {
  const rows = await db
    .select({ ...getTableColumns(members), inHub: inHub(hubId) })
    .from(members)
    .where(
      and(
        eq(members.tenantId, tenantId),
        sql`(${members.employeeId} in (select value from json_each(${JSON.stringify(keys.employeeIds)}))
          or ${members.email} in (select value from json_each(${JSON.stringify(keys.emails)})))`,
      ),
    );
  return rows.map(({ inHub, ...row }) => snapshotOf(row, Boolean(inHub)));
}

/** Active or invited members of the hub: what the deprovisioning guard measures against. */
export async function activeInHub(db: Db, tenantId: string, hubId: string): Promise<number> {
  const result = await db.$client.execute({
    sql: `SELECT count(*) AS n FROM members m JOIN hub_memberships h ON h.member_id = m.id AND h.hub_id = ?
          WHERE m.tenant_id = ? AND m.status IN ('active', 'invited')`,
    args: [hubId, tenantId],
  });
  return Number(result.rows[0]?.n ?? 0);
}

/** The tenant's country → content region overrides of the built-in table. */
export async function contentRegionsOf(db: Db, tenantId: string): Promise<Record<string, string>> {
  const rows = await db.select().from(contentRegions).where(eq(contentRegions.tenantId, tenantId));
  return Object.fromEntries(rows.map((r) => [r.country, r.region]));
}
