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
  snapshotOfPageRow,
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

// Rows of about 300 bytes of JSON: 10,000 keep a page near 4 MB, well under sqld's 10 MB answer.
const PAGE_ROWS = 10_000;

/** The compact index of every member, for planning an export laid out as `layout`. */
export async function loadMemberIndex(
  db: Db,
  tenantId: string,
  hubId: string,
  layout: RosterLayout,
): Promise<MemberIndex> {
  const builder = memberIndexBuilder(layout);
  for await (const page of memberPages(db, tenantId, hubId, layout)) builder.add(JSON.parse(page) as unknown[][]);
  return builder.finish();
}

/** The tenant's members as pages of JSON text (arrays of memberIndexBuilder rows), in order. */
export async function* memberPages(
  db: Db,
  tenantId: string,
  hubId: string,
  layout: RosterLayout,
): AsyncGenerator<string> {
  const shape = memberPageShape(layout);
  let next: Promise<Page> | null = readPage(db, tenantId, hubId, shape, ["", ""]);
  while (next) {
    const page: Page = await next;
    if (page.count === 0) return;
    // The next page is on its way while this one is indexed.
    next = page.count === PAGE_ROWS ? readPage(db, tenantId, hubId, shape, page.last) : null;
    yield page.rows;
  }
}

interface Page {
  rows: string;
  count: number;
  last: [string, string];
}

/** A member as one JSON array: memberIndexBuilder's row for `shape`. */
function pageRowSql(shape: MemberPageShape): string {
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
  return `json_array(${columns.join(", ")})`;
}

async function readPage(
  db: Db,
  tenantId: string,
  hubId: string,
  shape: MemberPageShape,
  after: [string, string],
): Promise<Page> {
  const result = await db.$client.execute({
    sql: `WITH page AS (
            SELECT m.created_at AS c, m.id AS i, ${pageRowSql(shape)} AS j
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

/**
 * The members planning acts on, by id, with the fields `layout` maps (as their page rows carry
 * them): what planMatch compares and names. Execution reads them whole again.
 */
export async function snapshotsByIds(
  db: Db,
  tenantId: string,
  hubId: string,
  layout: RosterLayout,
  ids: string[],
): Promise<Map<string, MemberSnapshot>> {
  const shape = memberPageShape(layout);
  const unique = [...new Set(ids)];
  const chunks: string[][] = [];
  for (let i = 0; i < unique.length; i += PAGE_ROWS) chunks.push(unique.slice(i, i + PAGE_ROWS));
  const pages = await Promise.all(
    chunks.map((chunk) =>
      db.$client.execute({
        sql: `SELECT '[' || coalesce(group_concat(${pageRowSql(shape)}, ','), '') || ']' AS rows
              FROM members m WHERE m.tenant_id = ? AND m.id IN (SELECT value FROM json_each(?))`,
        args: [hubId, tenantId, JSON.stringify(chunk)],
      }),
    ),
  );
  const snapshots = new Map<string, MemberSnapshot>();
  for (const page of pages) {
    for (const row of JSON.parse(String(page.rows[0]?.rows ?? "[]")) as unknown[][]) {
      const snapshot = snapshotOfPageRow(row, shape);
      snapshots.set(snapshot.id, snapshot);
    }
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
