// Members as the engine sees them, scoped to one tenant: full snapshots (MemberSnapshot) for the
// people a plan acts on, and for planning a whole export the compact index of every member, read
// in pages (sqld answers at most 10 MB at a time) of one JSON text each, which is far smaller than
// the same rows cell by cell over HTTP.
import type { InStatement, ResultSet } from "@libsql/client";
import type { Db } from "../../db/client.ts";
import { memberColumn, type members } from "../../db/schema.ts";
import { keyIndex } from "../engine/key-index.ts";
import {
  layoutKey,
  type MemberIndex,
  type MemberPageShape,
  memberIndexBuilder,
  memberPageShape,
} from "../engine/member-index.ts";
import type { RosterLayout } from "../engine/roster.ts";
import { CORE_FIELDS, type CoreField, type MemberSnapshot, type SnapshotLookup } from "../engine/types.ts";
import type { Stmt } from "./audit.ts";

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

// A member whose fingerprint is valid is about 130 bytes of JSON, one whose mapped fields come
// along about 400: 10,000 keep a page under 5 MB, well inside sqld's 10 MB answer.
const PAGE_ROWS = 10_000;

/** The compact index of every member, for planning an export laid out as `layout`. */
export async function loadMemberIndex(
  db: Db,
  tenantId: string,
  hubId: string,
  layout: RosterLayout,
): Promise<MemberIndex> {
  const builder = memberIndexBuilder(layout);
  for await (const page of memberPages(db, tenantId, hubId, layout))
    builder.add(JSON.parse(page) as unknown[][]);
  return builder.finish();
}

// Pages read at once: sqld answers each on a connection of its own.
const PAGES_IN_FLIGHT = 4;

/** The tenant's members as pages of JSON text (arrays of memberIndexBuilder rows), in order. */
export async function* memberPages(
  db: Db,
  tenantId: string,
  hubId: string,
  layout: RosterLayout,
): AsyncGenerator<string> {
  const row = pageRowSql(memberPageShape(layout));
  const args = { hub: hubId, tenant: tenantId, layout: layoutKey(layout) };
  // Where each page starts, from the index alone; the pages are then read several at a time.
  const starts = await pageStarts(db, tenantId);
  const pending: Promise<Page>[] = [];
  let next = 0;
  const fill = () => {
    while (pending.length < PAGES_IN_FLIGHT && next < starts.length) {
      const from = starts[next] as [string, string];
      const to = starts[next + 1] ?? null;
      next++;
      pending.push(readPage(db, row, args, from, to));
    }
  };
  fill();
  while (pending.length) {
    const page = await (pending.shift() as Promise<Page>);
    fill();
    if (page.count > 0) yield page.rows;
  }
}

/**
 * The (created_at, id) each page starts after: one per PAGE_ROWS members. A page runs to the next
 * one's start, so a member added or removed meanwhile neither shifts a page nor is read twice.
 */
async function pageStarts(db: Db, tenantId: string): Promise<[string, string][]> {
  const result = await db.$client.execute({
    sql: `SELECT c, i FROM (
            SELECT created_at AS c, id AS i, row_number() OVER (ORDER BY created_at, id) AS n
            FROM members WHERE tenant_id = ?
          ) WHERE n % ? = 0`,
    args: [tenantId, PAGE_ROWS],
  });
  return [["", ""], ...result.rows.map((r) => [String(r.c), String(r.i)] as [string, string])];
}

interface Page {
  rows: string;
  count: number;
}

/**
 * A member as memberIndexBuilder's row: identity and state, then the stored fingerprint when it
 * is still valid (same version, same layout), else the mapped fields.
 */
function pageRowSql(shape: MemberPageShape): string {
  const valid = "fp.version = m.version AND fp.layout = :layout";
  const values = [
    ...shape.fields.map((f) => `m.${memberColumn(f)}`),
    ...(shape.profile ? ["json(m.profile)"] : []),
  ];
  return `json_array(m.id, m.employee_id, m.email, m.status, m.source, m.version,
    exists (select 1 from hub_memberships h where h.hub_id = :hub and h.member_id = m.id),
    CASE WHEN ${valid} THEN fp.hash END,
    CASE WHEN ${valid} THEN NULL ELSE json_array(${values.join(", ") || "NULL"}) END)`;
}

async function readPage(
  db: Db,
  row: string,
  args: { hub: string; tenant: string; layout: number },
  after: [string, string],
  upTo: [string, string] | null,
): Promise<Page> {
  const end = upTo ? "AND (m.created_at, m.id) <= (:upToCreated, :upToId)" : "";
  const result = await db.$client.execute({
    sql: `SELECT '[' || coalesce(group_concat(j, ','), '') || ']' AS rows, count(*) AS n
          FROM (
            SELECT ${row} AS j
            FROM members m LEFT JOIN member_fingerprints fp ON fp.member_id = m.id
            WHERE m.tenant_id = :tenant AND (m.created_at, m.id) > (:afterCreated, :afterId) ${end}
            ORDER BY m.created_at, m.id
          )`,
    args: {
      ...args,
      afterCreated: after[0],
      afterId: after[1],
      ...(upTo ? { upToCreated: upTo[0], upToId: upTo[1] } : {}),
    },
  });
  const page = result.rows[0];
  return { rows: String(page?.rows ?? "[]"), count: Number(page?.n ?? 0) };
}

/** Every member's first and last name joined, aligned with `index` (for managers named by name). */
export async function memberNames(db: Db, tenantId: string, index: MemberIndex): Promise<string[]> {
  const names = new Array<string>(index.size).fill("");
  const byId = keyIndex(index.ids, "last");
  let after: [string, string] = ["", ""];
  for (;;) {
    const result = await db.$client.execute({
      sql: `WITH page AS (
              SELECT created_at AS c, id AS i, json_array(id, trim(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))) AS j
              FROM members WHERE tenant_id = ? AND (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?
            )
            SELECT '[' || coalesce(group_concat(j, ','), '') || ']' AS rows, count(*) AS n,
                   (SELECT c FROM page ORDER BY c DESC, i DESC LIMIT 1) AS c,
                   (SELECT i FROM page ORDER BY c DESC, i DESC LIMIT 1) AS i
            FROM page`,
      args: [tenantId, after[0], after[1], PAGE_ROWS * 4],
    });
    const page = result.rows[0];
    for (const [id, name] of JSON.parse(String(page?.rows ?? "[]")) as [string, string][]) {
      const at = byId.get(id);
      if (at >= 0) names[at] = name;
    }
    if (Number(page?.n ?? 0) < PAGE_ROWS * 4) return names;
    after = [String(page?.c ?? ""), String(page?.i ?? "")];
  }
}

/** The members planning acts on, by id: full snapshots, as planMatch compares and names them. */
export async function snapshotsByIds(
  db: Db,
  tenantId: string,
  hubId: string,
  ids: string[],
): Promise<SnapshotLookup> {
  const unique = [...new Set(ids)];
  const chunks: string[][] = [];
  for (let i = 0; i < unique.length; i += SNAPSHOT_ROWS) chunks.push(unique.slice(i, i + SNAPSHOT_ROWS));
  // Unary + keeps SQLite off the tenant index (which would read the whole tenant): the members
  // are found by id, then checked to be the tenant's.
  const pages = await Promise.all(
    chunks.map((chunk) =>
      db.$client.execute({
        sql: `SELECT m.id AS id, ${SNAPSHOT_ROW} AS j
              FROM members m WHERE +m.tenant_id = :tenant AND m.id IN (SELECT value FROM json_each(:ids))`,
        args: { hub: hubId, tenant: tenantId, ids: JSON.stringify(chunk) },
      }),
    ),
  );
  const rows = new Map<string, string>();
  for (const page of pages) for (const row of page.rows) rows.set(String(row.id), String(row.j));
  return {
    size: rows.size,
    get: (id) => {
      const json = rows.get(id);
      return json === undefined ? undefined : snapshotOfRow(JSON.parse(json) as unknown[]);
    },
  };
}

// About 500 bytes a member: 8,000 keep an answer near 4 MB.
const SNAPSHOT_ROWS = 8_000;
const SNAPSHOT_COLUMNS = ["id", "employeeId", "email", "status", "source", "version"] as const;
const SNAPSHOT_FIELDS = [
  ...CORE_FIELDS.filter((f) => f !== "email" && f !== "employeeId"),
  "approverId",
  "contentRegion",
] as const;
const SNAPSHOT_ROW = `json_array(${[
  ...SNAPSHOT_COLUMNS.map((c) => `m.${memberColumn(c)}`),
  "exists (select 1 from hub_memberships h where h.hub_id = :hub and h.member_id = m.id)",
  ...SNAPSHOT_FIELDS.map((f) => `m.${memberColumn(f)}`),
  "json(m.profile)",
].join(", ")})`;

function snapshotOfRow(row: unknown[]): MemberSnapshot {
  const [id, employeeId, email, status, source, version, inHubFlag] = row as [
    string,
    string | null,
    string,
    MemberSnapshot["status"],
    MemberSnapshot["source"],
    number,
    number,
  ];
  const at = (i: number) => (row[7 + i] as string | null) ?? null;
  const core: MemberSnapshot["core"] = {};
  for (const field of CORE_FIELDS) {
    if (field === "email") core.email = email;
    else if (field === "employeeId") core.employeeId = employeeId;
    else core[field] = at(SNAPSHOT_FIELDS.indexOf(field));
  }
  return {
    id,
    employeeId,
    email,
    status,
    source,
    version,
    inHub: Boolean(inHubFlag),
    core,
    derived: {
      approverId: at(SNAPSHOT_FIELDS.indexOf("approverId")),
      contentRegion: at(SNAPSHOT_FIELDS.indexOf("contentRegion")),
    },
    profile: (row[7 + SNAPSHOT_FIELDS.length] ?? {}) as MemberSnapshot["profile"],
  };
}

/**
 * The members a few rows can be about, as full snapshots: those with one of the employee ids, or
 * one of the emails. For planning an event or a short partial export without reading everyone.
 */
export async function snapshotsByKeys(
  db: Db,
  tenantId: string,
  hubId: string,
  keys: MemberKeys,
): Promise<MemberSnapshot[]> {
  return snapshotsFrom(await db.$client.execute(snapshotsByKeysStatement(tenantId, hubId, keys)));
}

export interface MemberKeys {
  employeeIds: string[];
  emails: string[];
}

interface NamedBy {
  employeeId: string | null | undefined;
  email: string | null | undefined;
  manager: string | null | undefined;
}

/** The keys that find the members some people can be or name as their manager (by id or email). */
export function memberKeys(people: Iterable<NamedBy>): MemberKeys {
  const employeeIds = new Set<string>();
  const emails = new Set<string>();
  for (const person of people) {
    const manager = person.manager?.trim();
    if (person.employeeId) employeeIds.add(person.employeeId);
    if (person.email) emails.add(person.email);
    if (manager) {
      employeeIds.add(manager);
      emails.add(manager.toLowerCase());
    }
  }
  return { employeeIds: [...employeeIds], emails: [...emails] };
}

/** snapshotsByKeys as a statement, for a batch that reads other things too (an event's claim). */
export function snapshotsByKeysStatement(tenantId: string, hubId: string, keys: MemberKeys): InStatement {
  // Two index lookups joined: SQLite answers `employee_id in (…) or email in (…)` by scanning the
  // tenant. The tenant is named inside only: beside `id in (…)` it makes SQLite scan by tenant.
  return {
    sql: `SELECT ${SNAPSHOT_ROW} AS j FROM members m WHERE m.id IN (
            SELECT id FROM members WHERE tenant_id = :tenant
              AND employee_id IN (SELECT value FROM json_each(:employeeIds))
            UNION
            SELECT id FROM members WHERE tenant_id = :tenant
              AND email IN (SELECT value FROM json_each(:emails)))`,
    args: {
      tenant: tenantId,
      hub: hubId,
      employeeIds: JSON.stringify(keys.employeeIds),
      emails: JSON.stringify(keys.emails),
    },
  };
}

export function snapshotsFrom(result: ResultSet): MemberSnapshot[] {
  return result.rows.map((row) => snapshotOfRow(JSON.parse(String(row.j)) as unknown[]));
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
  return regionsFrom(await db.$client.execute(contentRegionsStatement(tenantId)));
}

export function contentRegionsStatement(tenantId: string): Stmt {
  return { sql: "SELECT country, region FROM content_regions WHERE tenant_id = ?", args: [tenantId] };
}

export function regionsFrom(result: ResultSet): Record<string, string> {
  return Object.fromEntries(result.rows.map((r) => [String(r.country), String(r.region)]));
}
