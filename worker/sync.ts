// One sync from snapshot to stored plan, and from approvals to executed actions: the engine's
// pure steps with storage around them. Routes, the cron and events all come through here.
//
// A snapshot is read row by row into a compact roster (never a Table of every row), planned
// against a compact index of the members (read in pages), and its actions are written as they are
// produced: a 100,000-person export fits in a Worker's 128 MB. A few rows (an event, a SCIM
// change) read only the members they can be about.
import type { ResultSet } from "@libsql/client";
import type { Db } from "../db/client.ts";
import type { MappingColumn } from "../db/schema.ts";
import { suggestColumns } from "./engine/automap.ts";
import { activeToJudge, guardVerdict } from "./engine/guard.ts";
import { indexSnapshots, type MemberIndex } from "./engine/member-index.ts";
import { openCsv, openJsonTable, type RowSource, UnreadableFile } from "./engine/parse.ts";
import { planRoster, type RosterPlan } from "./engine/plan-roster.ts";
import { buildRosterPaced, type Roster, rosterLayout } from "./engine/roster.ts";
import type { Issue, MemberSnapshot, SnapshotLookup } from "./engine/types.ts";
import { AppError } from "./errors.ts";
import { DEFAULT_IMPORT_LIMITS, rowLimit, tooManyRows } from "./import-limits.ts";
import { timeOrderedId } from "./keys.ts";
import { isoDateInZone } from "./schedule/wall-clock.ts";
import type { Stmt } from "./store/audit.ts";
import {
  type Actor,
  BATCH_ACTIONS,
  type ExecutionContext,
  executionContext,
  type FirstReadDone,
  runBatch,
} from "./store/execution.ts";
import { latestMapping, saveMapping } from "./store/mappings.ts";
import {
  activeInHub,
  contentRegionsOf,
  loadMemberIndex,
  memberNames as loadMemberNames,
  type MemberKeys,
  memberKeys,
  snapshotsByIds,
  snapshotsByKeys,
} from "./store/members.ts";
import { getPlan, type NewImport, type StreamedPlan, storePlan } from "./store/plans.ts";
import { getHub, getTenant } from "./store/tenants.ts";
import { afterExecution, afterPlanStatements } from "./sync-hooks.ts";

export type Snapshot =
  | { format: "csv"; body: Uint8Array | string }
  | { format: "json"; body: Parameters<typeof openJsonTable>[0] };

export interface ImportOptions {
  source: NewImport["source"];
  filename: string | null;
  partial: boolean;
  createdBy: string;
  now: Date;
  /** Use this mapping instead of the hub's (an HRIS event names core fields itself). */
  mapping?: { version: number | null; columns: MappingColumn[] };
  /** Rows one import may plan (import-limits.ts); the default fits a 128 MB isolate. */
  maxRows?: number;
  /**
   * What the caller has read already (an event, with its claim): the tenant and hub, and maybe the
   * content regions and the members some keys name (used when they cover every key the rows name).
   */
  known?: {
    tenant: Tenant;
    hub: Hub;
    regions?: Record<string, string>;
    members?: { keys: MemberKeys; snapshots: MemberSnapshot[] };
  };
  /** Statements for the batch that stores the plan, after it (StreamedPlan.also). */
  also?: StreamedPlan["also"];
}

// A partial import of up to this many rows reads only the members its rows name.
const KEYED_ROWS = 1_000;

/** Only UnreadableFile comes out of the parser: it becomes the one problem the admin sees. */
function readable<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw asProblem(error);
  }
}

function asProblem(error: unknown): unknown {
  if (!(error instanceof UnreadableFile)) return error;
  return new AppError("unreadable_file", error.message, [{ message: error.message, field: "body" }]);
}

/** Lets other work (answers from storage) run between pieces of a file being read. */
function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export function openSnapshot(snapshot: Snapshot): RowSource {
  return readable(() => (snapshot.format === "csv" ? openCsv(snapshot.body) : openJsonTable(snapshot.body)));
}

/**
 * Reads the snapshot, plans it and stores the plan. Not async itself: the snapshot's bytes are
 * held only while its rows are read (by readExport), not while the plan is made and stored, so
 * a big export and its plan are never in memory together.
 */
export function importAndPlan(
  db: Db,
  tenantId: string,
  hubId: string,
  snapshot: Snapshot,
  options: ImportOptions,
) {
  return readExport(db, tenantId, hubId, snapshot, options).then((read) => planExport(db, read, options));
}

type Tenant = Awaited<ReturnType<typeof getTenant>>;
type Hub = Awaited<ReturnType<typeof getHub>>;

interface ReadExport {
  tenant: Tenant;
  hubId: string;
  columns: string[];
  issues: Issue[];
  roster: Roster;
  mappingVersion: number | null;
  /** The members' index, on its way (full snapshots only). */
  members: Promise<MemberIndex> | null;
  regions: Promise<Record<string, string>>;
}

async function readExport(
  db: Db,
  tenantId: string,
  hubId: string,
  snapshot: Snapshot,
  options: ImportOptions,
): Promise<ReadExport> {
  const [tenant, hub] = options.known
    ? [options.known.tenant, options.known.hub]
    : await Promise.all([getTenant(db, tenantId), getHub(db, tenantId, hubId)]);
  const source = openSnapshot(snapshot);
  const saved = options.mapping ?? (await latestMapping(db, tenantId, hub.id));
  const mapping = saved ?? {
    version: null,
    columns: suggestedMapping(source.columns, () => source.sample(50)),
  };
  const layout = rosterLayout(source.columns, mapping.columns);
  // Members and regions are read while the rows are: storage works while the Worker parses.
  const regions = options.known?.regions
    ? Promise.resolve(options.known.regions)
    : contentRegionsOf(db, tenantId);
  const members = options.partial ? null : loadMemberIndex(db, tenantId, hub.id, layout);
  members?.catch(() => {});
  regions.catch(() => {});
  // Paced: between pieces of the file the pages of members that have arrived are indexed.
  const roster = await buildRosterPaced(source, mapping.columns, tenant.settings.dateOrder, pause, {
    maxRows: options.maxRows ?? rowLimit(DEFAULT_IMPORT_LIMITS, snapshot.format),
    tooMany: tooManyRows,
  }).catch((error: unknown) => {
    throw asProblem(error);
  });
  // A first import's auto-mapping is saved only once the file has been read: a refused upload
  // leaves nothing behind.
  // A mapping the caller brought (an event's own) is used as it is, never saved.
  const mappingVersion = saved
    ? saved.version
    : (await saveMapping(db, tenantId, hub.id, mapping.columns, `auto-map (${options.createdBy})`)).version;
  return {
    tenant,
    hubId: hub.id,
    columns: source.columns,
    issues: [...source.issues, ...roster.issues],
    roster,
    mappingVersion,
    members,
    regions,
  };
}

async function planExport(db: Db, read: ReadExport, options: ImportOptions) {
  const { tenant, hubId, roster, columns, issues } = read;
  const tenantId = tenant.id;
  const planned = await planAgainstMembers(db, roster, read.members, {
    tenantId,
    hubId,
    regions: await read.regions,
    today: isoDateInZone(options.now, tenant.settings.timeZone),
    partial: options.partial,
    known: options.known?.members,
  });
  const { plan, also } = await storePlan(
    db,
    {
      tenantId,
      hubId,
      source: options.source,
      filename: options.filename,
      partial: options.partial,
      columns,
      rowCount: roster.size,
      issues,
      createdBy: options.createdBy,
    },
    {
      mappingVersion: read.mappingVersion,
      actions: planned.plan.actions(planned.snapshots),
      guard: async (deprovisions) => {
        const { guard } = tenant.settings;
        const active =
          planned.activeCount ??
          (await activeToJudge(deprovisions, guard, () => activeInHub(db, tenantId, hubId)));
        return guardVerdict(deprovisions, active, guard);
      },
      also: async (stored, actions) => [
        ...afterPlanStatements(stored, options.source, options.now),
        ...((await options.also?.(stored, actions)) ?? []),
      ],
    },
  );
  const summary = { id: plan.importId, rowCount: roster.size, columns, issues };
  // The results of the caller's own statements (past the two of afterPlanStatements).
  return { import: summary, plan, also: also.slice(2) };
}

interface PlanContext {
  tenantId: string;
  hubId: string;
  regions: Record<string, string>;
  today: string;
  partial: boolean;
  /** Members the caller has read by some keys. */
  known?: { keys: MemberKeys; snapshots: MemberSnapshot[] } | undefined;
}

interface Planned {
  plan: RosterPlan;
  snapshots: SnapshotLookup;
  /** Active members of the hub; null when not counted yet (a few rows: counted only if needed). */
  activeCount: number | null;
}

/**
 * The roster planned against the tenant's members: all of them (in pages) for a full snapshot or a
 * big partial one; for a few rows, only the members they name, read whole, unless a manager is
 * named by name (which needs everyone's names).
 */
async function planAgainstMembers(
  db: Db,
  roster: Roster,
  full: Promise<MemberIndex> | null,
  ctx: PlanContext,
): Promise<Planned> {
  const options = {
    newId: timeOrderedId,
    regions: ctx.regions,
    today: ctx.today,
    hubId: ctx.hubId,
    partial: ctx.partial,
  };
  if (!full && roster.size <= KEYED_ROWS) {
    const keys = keysOf(roster);
    const members =
      ctx.known && covers(ctx.known, keys)
        ? ctx.known.snapshots
        : await snapshotsByKeys(db, ctx.tenantId, ctx.hubId, keys);
    const plan = planRoster(roster, indexSnapshots(members, roster.layout), options);
    if (!plan.needsNames) {
      // The hub is counted, if the guard needs it at all, once storePlan knows the deprovisions.
      return { plan, snapshots: new Map(members.map((m) => [m.id, m])), activeCount: null };
    }
  }
  const members = await (full ?? loadMemberIndex(db, ctx.tenantId, ctx.hubId, roster.layout));
  let plan = planRoster(roster, members, { ...options, memberNames: members.size === 0 ? [] : undefined });
  if (plan.needsNames) {
    // A manager named by name: every member's name is read, and the plan made again with them.
    const memberNames = await loadMemberNames(db, ctx.tenantId, members);
    plan = planRoster(roster, members, { ...options, memberNames });
  }
  const ids = plan.needed.map((i) => members.ids[i] as string);
  const snapshots = await snapshotsByIds(db, ctx.tenantId, ctx.hubId, ids);
  return { plan, snapshots, activeCount: plan.activeCount };
}

/** Employee ids and emails the rows can match or name as a manager. */
function keysOf(roster: Roster): MemberKeys {
  return memberKeys(
    Array.from({ length: roster.size }, (_, r) => ({
      employeeId: roster.employeeIds.at(r),
      email: roster.emails.at(r),
      manager: roster.managers.at(r),
    })),
  );
}

/**
 * Whether members read by some keys include every member `wanted` can name: each wanted key was
 * looked up, or a member read holds it (employee ids and emails are unique in a tenant).
 */
function covers(read: { keys: MemberKeys; snapshots: MemberSnapshot[] }, wanted: MemberKeys): boolean {
  const ids = new Set([...read.keys.employeeIds, ...read.snapshots.map((m) => m.employeeId)]);
  const emails = new Set([...read.keys.emails, ...read.snapshots.map((m) => m.email)]);
  return wanted.employeeIds.every((k) => ids.has(k)) && wanted.emails.every((k) => emails.has(k));
}

/** A hub's first mapping: auto-map's core-field suggestions (saved as version 1 once the file is read). */
function suggestedMapping(columns: string[], samples: () => string[][]): MappingColumn[] {
  return suggestColumns(columns, readable(samples), []).map((s) => ({
    column: s.column,
    field: s.kind === "core" ? s.field : null,
    kind: "core",
    visibility: "private",
    values: {},
    reviewed: false,
  }));
}

/** Executes approved actions in bounded batches until done or the time budget is spent. */
export async function executePlan(
  db: Db,
  tenantId: string,
  planId: string,
  options: { actor: Actor; acceptUrl: string; budgetMs: number; batchSize?: number },
) {
  const plan = await getPlan(db, tenantId, planId);
  const ctx: ExecutionContext = await executionContext(db, {
    tenantId,
    hubId: plan.hubId,
    actor: options.actor,
    acceptUrl: options.acceptUrl,
    now: new Date(),
  });
  if (plan.status === "blocked") await afterExecution(db, plan, options.actor.type, ctx.now);
  await runApproved(db, planId, ctx, options.budgetMs, { batchSize: options.batchSize });
  return afterExecution(db, await getPlan(db, tenantId, planId), options.actor.type, ctx.now);
}

/**
 * Runs the plan's approved actions batch after batch until none is left or the budget is spent.
 * `last` is written with the last batch, when the run gets there in one piece: its results, or
 * null when it was not written. `read`: the first read (firstRead), which the caller made in a
 * batch of its own; the first batch then starts with its write.
 */
export async function runApproved(
  db: Db,
  planId: string,
  ctx: ExecutionContext,
  budgetMs: number,
  options: { batchSize?: number | undefined; last?: Stmt[]; read?: FirstReadDone } = {},
): Promise<ResultSet[] | null> {
  const started = Date.now();
  // Each batch starts after the last one this run looked at: the done ones are not read again.
  let after = -1;
  let read = options.read;
  while (Date.now() - started < budgetMs) {
    const batch = await runBatch(
      db,
      planId,
      ctx,
      options.batchSize ?? BATCH_ACTIONS,
      after,
      options.last,
      read,
    );
    read = undefined;
    after = batch.lastSeq;
    if (!batch.more) return batch.last ?? null;
  }
  return null;
}
