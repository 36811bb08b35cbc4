// Imports, plans and their actions, scoped to one tenant. A plan is stored whole or not at all,
// its actions inserted set-based: each statement carries a few MB of actions as one JSON array,
// expanded by json_each in SQLite (one statement per row costs ~80 times more over HTTP). A plan
// too big for one request is written in parts to plan_drafts first, and the batch that stores the
// plan moves them in.
//
// A new person's action (invite, or a scheduled start) is mostly the person: its changes are its
// payload's fields, each from nothing, so they are not stored a second time (changes holds JSON
// null) but read back from the payload. Ids are time-ordered: a plan's actions are appended to
// the indexes their ids go into (here, and the audit log's and the invitations' at execution).
import type { InStatement, ResultSet } from "@libsql/client";
import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import {
  type ActionKind,
  type ActionStatus,
  type FieldChange,
  MEMBER_CHANGE_KINDS,
  planActions,
  plans,
} from "../../db/schema.ts";
import type { StoredAction } from "../engine/execute.ts";
import { type GuardResult, isDeprovisioning } from "../engine/guard.ts";
import type { Issue, PlannedAction } from "../engine/types.ts";
import { AppError } from "../errors.ts";
import { timeOrderedId } from "../keys.ts";
import type { Stmt } from "./audit.ts";

// sqld refuses an argument over 5 MB: a part of actions stays under that in UTF-8.
const PART_BYTES = 4_500_000;
// Plans up to this size go in the one batch that stores the plan; bigger ones through drafts.
const DIRECT_BYTES = 24_000_000;
// Drafts older than this were left by a request that died.
const DRAFT_TTL_MS = 3_600_000;

export interface NewImport {
  tenantId: string;
  hubId: string;
  source: "upload" | "sheet" | "cron" | "event" | "api";
  filename: string | null;
  partial: boolean;
  columns: string[];
  rowCount: number;
  issues: Issue[];
  createdBy: string;
}

export interface NewPlan {
  mappingVersion: number | null;
  guard: GuardResult;
  actions: PlannedAction[];
  also?: StreamedPlan["also"];
}

export interface StreamedPlan {
  mappingVersion: number | null;
  /** In order; consumed once, never held whole. */
  actions: Iterable<PlannedAction>;
  /** The guard's verdict for this many deprovisioning actions (it may count the hub first). */
  guard: (deprovisions: number) => GuardResult | Promise<GuardResult>;
  /**
   * Statements written in the batch that stores the plan, after it (its sync log line, an event's
   * approval and execution): atomic with it, and no round trip of their own. Their results come
   * back as `also`. `actions`: the actions as stored, for a plan of at most STORED_ACTIONS.
   */
  also?: (plan: PlanView, actions: SavedAction[] | null) => InStatement[] | Promise<InStatement[]>;
}

/** An action as storePlan wrote it: what execution reads back of it, and its place in the plan. */
export type SavedAction = StoredAction & { seq: number };

/** Plans up to this size hand their stored actions to `also` (an event's plan is one person). */
const STORED_ACTIONS = 100;

/** Stores the import, the plan and every action atomically: a plan is whole or absent. */
export async function savePlan(db: Db, input: NewImport, plan: NewPlan) {
  return (await storePlan(db, input, { ...plan, guard: () => plan.guard })).plan;
}

/** savePlan for actions that arrive one at a time (a big export's plan is never held whole). */
export async function storePlan(
  db: Db,
  input: NewImport,
  plan: StreamedPlan,
): Promise<{ plan: PlanView; also: ResultSet[] }> {
  const importId = timeOrderedId();
  const planId = timeOrderedId();
  const draft = crypto.randomUUID();
  const { tenantId, hubId, createdBy } = input;
  const summary: Partial<Record<ActionKind, number>> = {};
  let deprovisions = 0;
  let parts: string[] = [];
  let part: string[] = [];
  let partBytes = 0;
  let heldBytes = 0;
  let drafted = 0;
  let seq = 0;
  const closePart = () => {
    if (part.length === 0) return;
    parts.push(`[${part.join(",")}]`);
    part = [];
    partBytes = 0;
  };
  let storedActions: SavedAction[] | null = [];
  for (const action of plan.actions) {
    summary[action.kind] = (summary[action.kind] ?? 0) + 1;
    if (isDeprovisioning(action.kind)) deprovisions++;
    const stored = storedAction(action, seq++);
    if (storedActions && storedActions.length < STORED_ACTIONS) storedActions.push(stored);
    else storedActions = null;
    const json = actionJson(action, stored);
    const bytes = utf8Bound(json);
    if (partBytes + bytes > PART_BYTES) closePart();
    part.push(json);
    partBytes += bytes + 1;
    heldBytes += bytes + 1;
    if (heldBytes > DIRECT_BYTES) {
      // Too big for one request: what is held goes to drafts, and so will the rest.
      closePart();
      drafted = await writeDrafts(db, tenantId, draft, parts, drafted);
      parts = [];
      heldBytes = 0;
    }
  }
  closePart();
  if (drafted > 0) drafted = await writeDrafts(db, tenantId, draft, parts, drafted);
  const guard = await plan.guard(deprovisions);
  const createdAt = new Date().toISOString();
  const planRow = {
    id: planId,
    tenantId,
    hubId,
    importId,
    mappingVersion: plan.mappingVersion,
    status: guard.blocked ? ("blocked" as const) : ("ready" as const),
    summary,
    guard,
    overriddenBy: null,
    overriddenAt: null,
    createdBy,
    createdAt,
  };
  const actionStatements: Stmt[] =
    drafted > 0
      ? [
          { sql: INSERT_ACTIONS_FROM_DRAFTS, args: [tenantId, planId, draft] },
          { sql: "DELETE FROM plan_drafts WHERE draft = ?", args: [draft] },
        ]
      : parts.map((actions) => ({ sql: INSERT_ACTIONS, args: [tenantId, planId, actions] }));
  // Just stored, nothing approved yet: no need to read it back.
  const stored: PlanView = { ...planRow, progress: NO_PROGRESS };
  const also = (await plan.also?.(stored, drafted > 0 ? null : storedActions)) ?? [];
  const results = await db.$client.batch(
    [
      insertImport(importId, input, createdAt),
      {
        sql: `INSERT INTO plans (id, tenant_id, hub_id, import_id, mapping_version, status, summary, guard, created_by, created_at)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        args: [
          planId,
          tenantId,
          hubId,
          importId,
          plan.mappingVersion,
          planRow.status,
          JSON.stringify(summary),
          JSON.stringify(guard),
          createdBy,
          createdAt,
        ],
      },
      ...actionStatements,
      ...also,
    ],
    "write",
  );
  return { plan: stored, also: results.slice(results.length - also.length) };
}

const NO_PROGRESS = { approved: 0, pending: 0, done: 0, failed: 0, stale: 0, skipped: 0, complete: true };

const ACTION_COLUMNS = `id, tenant_id, plan_id, seq, kind, row, member_id, member_version, email, employee_id, name,
  changes, payload, reason, warnings`;
// The JSON columns come as JSON text inside the array: read as text, not re-rendered by SQLite.
const ACTION_VALUES = `a->>'$[0]', ?, ?, a->>'$[1]', a->>'$[2]', a->>'$[3]', a->>'$[4]', a->>'$[5]', a->>'$[6]',
  a->>'$[7]', a->>'$[8]', a->>'$[9]', a->>'$[10]', a->>'$[11]', a->>'$[12]'`;
const INSERT_ACTIONS = `INSERT INTO plan_actions (${ACTION_COLUMNS})
  SELECT ${ACTION_VALUES} FROM (SELECT value AS a FROM json_each(?))`;
const INSERT_ACTIONS_FROM_DRAFTS = `INSERT INTO plan_actions (${ACTION_COLUMNS})
  SELECT ${ACTION_VALUES}
  FROM (SELECT j.value AS a FROM plan_drafts d, json_each(d.actions) j WHERE d.draft = ?)`;

function storedAction(a: PlannedAction, seq: number): SavedAction {
  return {
    id: timeOrderedId(),
    seq,
    kind: a.kind,
    memberId: a.memberId,
    memberVersion: a.memberVersion,
    email: a.email,
    employeeId: a.employeeId,
    name: a.name,
    payload: a.kind === "invite" ? inviteOnly(a.payload) : a.payload,
  };
}

function actionJson(a: PlannedAction, { id, seq, payload }: SavedAction): string {
  const changes = JSON.stringify(a.changes);
  const fromPayload = newPersonChanges(a.kind, a.payload);
  return JSON.stringify([
    id,
    seq,
    a.kind,
    a.row,
    a.memberId,
    a.memberVersion,
    a.email,
    a.employeeId,
    a.name,
    fromPayload && JSON.stringify(fromPayload) === changes ? "null" : changes,
    payload === null ? null : JSON.stringify(payload),
    a.reason,
    JSON.stringify(a.warnings),
  ]);
}

/**
 * What executing an invite reads of its payload: the mapped fields' names (`mapped`, which an
 * update needs to tell a field emptied from a field not in the export) are the same in every
 * action of the plan and of no use to an invite, whose every field is new.
 */
function inviteOnly(payload: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!payload || !("mapped" in payload)) return payload;
  const { mapped: _mapped, ...rest } = payload;
  return rest;
}

/** A new person's changes as the plan lists them: each field of the payload, from nothing. */
function newPersonChanges(kind: ActionKind, payload: Record<string, unknown> | null): FieldChange[] | null {
  if ((kind !== "invite" && kind !== "scheduled") || !payload) return null;
  const { core, derived } = payload as { core?: object; derived?: object };
  return Object.entries({ ...core, ...derived })
    .filter(([, value]) => value)
    .map(([field, value]) => ({ field, before: null, after: (value as string | null) ?? null }));
}

/** At least the UTF-8 size of `text`, cheaply: 3 bytes for any non-ASCII UTF-16 unit. */
function utf8Bound(text: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII is the range tested
  if (!/[^\x00-\x7f]/.test(text)) return text.length;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII is the range tested
  return text.length + 2 * text.replace(/[\x00-\x7f]+/g, "").length;
}

/** Writes parts as drafts, a few per request; the first request also clears abandoned drafts. */
async function writeDrafts(db: Db, tenantId: string, draft: string, parts: string[], written: number) {
  let next = written;
  const per = Math.max(1, Math.floor(DIRECT_BYTES / PART_BYTES / 2));
  for (let i = 0; i < parts.length; i += per) {
    const statements: Stmt[] = parts.slice(i, i + per).map((actions) => ({
      sql: "INSERT INTO plan_drafts (tenant_id, draft, part, actions) VALUES (?, ?, ?, ?)",
      args: [tenantId, draft, next++, actions],
    }));
    if (written === 0 && i === 0) {
      statements.unshift({
        sql: "DELETE FROM plan_drafts WHERE tenant_id = ? AND created_at < ?",
        args: [tenantId, new Date(Date.now() - DRAFT_TTL_MS).toISOString()],
      });
    }
    await db.$client.batch(statements, "write");
  }
  return next;
}

function insertImport(importId: string, input: NewImport, createdAt: string): Stmt {
  return {
    sql: `INSERT INTO imports (id, tenant_id, hub_id, source, filename, partial, columns, row_count, issues, created_by, created_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [
      importId,
      input.tenantId,
      input.hubId,
      input.source,
      input.filename,
      input.partial ? 1 : 0,
      JSON.stringify(input.columns),
      input.rowCount,
      JSON.stringify(input.issues.map(stripColumn)),
      input.createdBy,
      createdAt,
    ],
  };
}

function stripColumn({ row, level, code, message, column }: Issue) {
  return { row, level, code, message: column ? `${column}: ${message}` : message };
}

export async function getPlan(db: Db, tenantId: string, planId: string) {
  return planFrom(await db.$client.batch(planStatements(tenantId, planId), "read"), planId);
}

export type PlanView = ReturnType<typeof planFrom>;

/**
 * The plan and its progress as statements (getPlan runs them; a request may read them in the
 * batch that last changed the plan); planFrom reads their results.
 */
export function planStatements(tenantId: string, planId: string): Stmt[] {
  return [
    {
      sql: `SELECT id, tenant_id, hub_id, import_id, mapping_version, status, summary, guard, overridden_by,
              overridden_at, created_by, created_at
            FROM plans WHERE tenant_id = ? AND id = ?`,
      args: [tenantId, planId],
    },
    {
      // Done / total over approved actions: what a client polls while a plan executes.
      sql: "SELECT status, count(*) AS n FROM plan_actions WHERE plan_id = ? AND approved = 1 GROUP BY status",
      args: [planId],
    },
  ];
}

type Plan = typeof plans.$inferSelect;

export function planFrom([plan, progress]: ResultSet[], planId: string) {
  const row = plan?.rows[0];
  if (!row || !progress) throw new AppError("not_found", `No plan ${planId} in this tenant.`);
  const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
  return {
    id: String(row.id),
    tenantId: String(row.tenant_id),
    hubId: String(row.hub_id),
    importId: String(row.import_id),
    mappingVersion: row.mapping_version === null ? null : Number(row.mapping_version),
    status: row.status as Plan["status"],
    summary: JSON.parse(String(row.summary)) as Plan["summary"],
    guard: JSON.parse(String(row.guard)) as Plan["guard"],
    overriddenBy: text(row.overridden_by),
    overriddenAt: text(row.overridden_at),
    createdBy: text(row.created_by),
    createdAt: String(row.created_at),
    progress: progressFromCounts(progress.rows.map((r) => ({ status: String(r.status), n: Number(r.n) }))),
  };
}

/** Progress from the count of approved actions per status. */
function progressFromCounts(rows: { status: string; n: number }[]) {
  const by = Object.fromEntries(rows.map((r) => [r.status, r.n])) as Partial<Record<ActionStatus, number>>;
  const approved = rows.reduce((sum, r) => sum + r.n, 0);
  const pending = by.pending ?? 0;
  return {
    approved,
    pending,
    done: by.done ?? 0,
    failed: by.failed ?? 0,
    stale: by.stale ?? 0,
    skipped: by.skipped ?? 0,
    complete: pending === 0,
  };
}

export interface ActionFilter {
  kind?: ActionKind;
  status?: ActionStatus;
  /** The `seq` of the last action of the previous page. */
  after?: number;
  limit: number;
}

export async function listActions(db: Db, tenantId: string, planId: string, filter: ActionFilter) {
  await getPlan(db, tenantId, planId);
  const where = and(
    eq(planActions.tenantId, tenantId),
    eq(planActions.planId, planId),
    filter.kind ? eq(planActions.kind, filter.kind) : undefined,
    filter.status ? eq(planActions.status, filter.status) : undefined,
    filter.after !== undefined ? gt(planActions.seq, filter.after) : undefined,
  );
  const rows = await db
    .select()
    .from(planActions)
    .where(where)
    .orderBy(asc(planActions.seq))
    .limit(filter.limit + 1);
  const page = rows.slice(0, filter.limit).map((row) => ({
    ...row,
    changes: (row.changes as FieldChange[] | null) ?? newPersonChanges(row.kind, row.payload) ?? [],
  }));
  const last = page.at(-1);
  return { actions: page, next: rows.length > filter.limit && last ? last.seq : null };
}

export interface ApprovalChange {
  approved: boolean;
  actionIds?: string[];
  kinds?: ActionKind[];
  all?: boolean;
  by: string;
}

/** Approves or unapproves pending actions; executed ones keep their history. Returns how many changed. */
export async function setApproval(db: Db, tenantId: string, planId: string, change: ApprovalChange) {
  await getPlan(db, tenantId, planId);
  const selectors = [
    change.actionIds?.length ? inArray(planActions.id, change.actionIds) : undefined,
    change.kinds?.length ? inArray(planActions.kind, change.kinds) : undefined,
  ].filter(Boolean);
  if (!change.all && selectors.length === 0) {
    throw new AppError("invalid_request", "Say which actions: actionIds, kinds, or all.");
  }
  const now = new Date().toISOString();
  const result = await db
    .update(planActions)
    .set({
      approved: change.approved,
      approvedBy: change.approved ? change.by : null,
      approvedAt: change.approved ? now : null,
    })
    .where(
      and(
        eq(planActions.tenantId, tenantId),
        eq(planActions.planId, planId),
        eq(planActions.status, "pending"),
        inArray(planActions.kind, [...MEMBER_CHANGE_KINDS]),
        change.all ? undefined : sql`(${sql.join(selectors, sql` or `)})`,
      ),
    );
  return result.rowsAffected;
}

export async function overrideGuard(db: Db, tenantId: string, planId: string, by: string) {
  const plan = await getPlan(db, tenantId, planId);
  if (plan.status !== "blocked") return plan;
  await db
    .update(plans)
    .set({ status: "ready", overriddenBy: by, overriddenAt: new Date().toISOString() })
    .where(and(eq(plans.tenantId, tenantId), eq(plans.id, planId)));
  return getPlan(db, tenantId, planId);
}
