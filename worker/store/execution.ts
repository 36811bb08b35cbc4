// Executes approved actions exactly once. Each batch is one atomic libSQL transaction; inside it,
// every action first tries to claim itself (pending → done under a fresh token, only if its
// precondition still holds), and every effect is written only where that claim took. A retry,
// a second executor or a re-run after a crash finds the action no longer pending and writes
// nothing; a batch that dies before commit leaves no trace. The same batch moves the plan's
// status on: executing while approved actions are pending, done when none is.
//
// A batch is a few set-based statements (execution-sets.ts), a couple of thousand actions each,
// its reads one round trip, made while the batch before is written (runBatch). Claims are all taken before effects are written, so a batch never
// holds two actions about one member or one invitee: it ends before the second, which then runs
// in the next batch and sees the first done, as one action after the other would. A batch that
// breaks a unique rule (an email another member took since planning) is run again one action at
// a time with the per-action statements below, so only the colliding action fails.
import type { ResultSet } from "@libsql/client";
import { and, asc, eq, gt, inArray, type Placeholder, sql } from "drizzle-orm";
import { type Db, rawQuery } from "../../db/client.ts";
import {
  fieldOptions,
  fields,
  type InviteTemplate,
  imports,
  type MappingColumn,
  mappings,
  memberColumn,
  members,
  planActions,
  plans,
} from "../../db/schema.ts";
import {
  type Effect,
  type Execution,
  executionOf,
  type MemberFields,
  type Precondition,
} from "../engine/execute.ts";
import { fold } from "../engine/fold.ts";
import { layoutKey, memberFingerprint } from "../engine/member-index.ts";
import { type RosterLayout, rosterLayout } from "../engine/roster.ts";
import type { CoreField, DerivedField, MemberSnapshot } from "../engine/types.ts";
import { AppError } from "../errors.ts";
import { type Actor, type Args, auditStatement, type Stmt } from "./audit.ts";
import { type Fingerprints, type NamedStmt, setStatements } from "./execution-sets.ts";
import { invitationStatements, inviteTemplateOf } from "./invitations.ts";
import { snapshotOf } from "./members.ts";
import { getHub, getTenant } from "./tenants.ts";

export type { Actor } from "./audit.ts";

export interface ExecutionContext {
  tenantId: string;
  hubId: string;
  actor: Actor;
  /** Where an invitee accepts: the token is appended. */
  acceptUrl: string;
  now: Date;
  /** Named in the invitation email. */
  tenantName: string;
  hubName: string;
  /** The tenant's invitation email; the built-in one when absent. */
  inviteTemplate: InviteTemplate;
}

/** The context for executing a hub's plan: the tenant's and hub's names and invitation email. */
export async function executionContext(
  db: Db,
  base: Pick<ExecutionContext, "tenantId" | "hubId" | "actor" | "acceptUrl" | "now">,
): Promise<ExecutionContext> {
  const [tenant, hub] = await Promise.all([
    getTenant(db, base.tenantId),
    getHub(db, base.tenantId, base.hubId),
  ]);
  return {
    ...base,
    tenantName: tenant.name,
    hubName: hub.name,
    inviteTemplate: inviteTemplateOf(tenant.settings),
  };
}

/** What a batch knows of the tenant's segments before it runs, so it adds only what is missing. */
export interface Segments {
  /** From the plan's mapping: how a new field is created. */
  columns: Map<string, MappingColumn>;
  /** Existing field key → folded option values. */
  existing: Map<string, Set<string>>;
}

/** Actions per batch: a few MB of writes, well inside the write lock's 5 s and sqld's limits. */
export const BATCH_ACTIONS = 2_000;

/** Runs up to `limit` approved pending actions of a plan; returns how many it looked at. */
export async function executeBatch(
  db: Db,
  planId: string,
  ctx: ExecutionContext,
  limit: number,
): Promise<number> {
  return (await runPrepared(db, planId, ctx, await prepareBatch(db, planId, ctx, limit, -1), [])).looked;
}

export interface BatchRun {
  /** Actions this batch looked at (claimed, skipped or found stale). */
  looked: number;
  /** The seq of the last of them: the next batch starts after it. */
  lastSeq: number;
  /** Whether approved actions may still be pending after it. */
  more: boolean;
  /** The results of the caller's `last` statements, when they ran with this batch. */
  last?: ResultSet[];
}

/**
 * executeBatch from the action after `afterSeq` (earlier ones were looked at by this run). While
 * its writes run, the next batch is read and prepared (kept with `ctx` for the next call), so the
 * worker's work on one batch overlaps the database's on the other. Reading ahead is safe: every
 * action claims itself against the database as it is when its batch is written (the member's
 * version, or no member with the invitee's email), and a member read before an earlier batch
 * changed it fails that claim, as it would have anyway (one plan plans every member at one version).
 */
export async function runBatch(
  db: Db,
  planId: string,
  ctx: ExecutionContext,
  limit: number,
  afterSeq: number,
  /** Statements for the run's last batch, written with it (a sync log line's end). */
  last: Stmt[] = [],
  /** The first read, made by the caller: this batch reads nothing itself. */
  read?: FirstReadDone,
): Promise<BatchRun> {
  const ahead = readAhead.get(ctx);
  readAhead.delete(ctx);
  const mine = ahead && ahead.planId === planId && ahead.afterSeq === afterSeq && ahead.limit === limit;
  const batch = mine ? await ahead.prepared : await prepareBatch(db, planId, ctx, limit, afterSeq, read);
  if (batch.run.more) {
    const prepared = prepareBatch(db, planId, ctx, limit, batch.run.lastSeq);
    // Handled when (if) the next call takes it; an unused one must not fail the process.
    prepared.catch(() => {});
    readAhead.set(ctx, { planId, afterSeq: batch.run.lastSeq, limit, prepared });
  }
  return runPrepared(db, planId, ctx, batch, last);
}

const readAhead = new WeakMap<
  ExecutionContext,
  { planId: string; afterSeq: number; limit: number; prepared: Promise<PreparedBatch> }
>();

/** A batch read and turned into statements, not yet written. */
interface PreparedBatch {
  run: BatchRun;
  actions: PendingAction[];
  executions: Execution[];
  statements: NamedStmt[];
  token: string;
  segments: Segments;
}

async function prepareBatch(
  db: Db,
  planId: string,
  ctx: ExecutionContext,
  limit: number,
  afterSeq: number,
  read?: FirstReadDone,
): Promise<PreparedBatch> {
  const { plan, actions, rows, segments, layout } = await readBatch(
    db,
    planId,
    ctx.tenantId,
    limit,
    afterSeq,
    read,
  );
  if (plan.status === "blocked") {
    throw new AppError("deprovisioning_guard", guardMessage(plan.guard.deprovisions, plan.guard.limit));
  }
  const token = crypto.randomUUID();
  if (actions.length === 0) {
    const run = { looked: 0, lastSeq: afterSeq, more: false };
    return { run, actions, executions: [], statements: [], token, segments };
  }
  const batch = withoutRepeats(actions);
  const snapshots = new Map(rows.map((r) => [r.id, snapshotOf(r, true)]));
  const { executions, statements } = await batchStatements(batch, snapshots, ctx, segments, layout, token);
  const last = batch.at(-1) as PendingAction;
  const more = batch.length < actions.length || actions.length === limit;
  return {
    run: { looked: batch.length, lastSeq: last.seq, more },
    actions: batch,
    executions,
    statements,
    token,
    segments,
  };
}

/** The executions of a batch's actions and the statements that write them. */
async function batchStatements(
  batch: PendingAction[],
  snapshots: Map<string, MemberSnapshot>,
  ctx: ExecutionContext,
  segments: Segments,
  layout: RosterLayout | null,
  token: string,
) {
  const now = ctx.now.toISOString();
  const executions = batch.map((action) => {
    const snapshot = action.memberId ? snapshots.get(action.memberId) : undefined;
    return executionOf(action, snapshot ?? null, now);
  });
  const statements = await setStatements({
    actions: batch,
    executions,
    snapshots,
    token,
    ctx,
    segments,
    staleMessage: (e) => staleMessage(e.precondition),
    fingerprints: layout && fingerprintsOf(batch, executions, snapshots, layout),
  });
  return { executions, statements };
}

/**
 * The statements that run a plan's approved actions, for a caller that already holds all the
 * batch reads (an HRIS event: the actions it just stored and approves, the members it read with
 * its claim) and writes them in the batch that stores the plan. Null when they cannot run as one
 * batch. A collision with another member's email or id fails the caller's whole batch: it then
 * stores the plan without them and runs it the usual way (runApproved), one action at a time
 * where they collide.
 */
export async function inBatchStatements(
  planId: string,
  actions: PendingAction[],
  members: MemberSnapshot[],
  ctx: ExecutionContext,
  segments: Segments,
): Promise<(Stmt | NamedStmt)[] | null> {
  if (actions.length === 0 || withoutRepeats(actions).length < actions.length) return null;
  const snapshots = new Map(members.map((m) => [m.id, { ...m, inHub: true }]));
  const { statements } = await batchStatements(actions, snapshots, ctx, segments, null, crypto.randomUUID());
  return [...statements, planStatusSql(planId, ctx.tenantId)];
}

/**
 * The tenant's segments as an event's claim reads them (an event's plan has no mapping of its
 * own): the first read's queries of fields and options, and the segments from their results.
 */
export function segmentsRead(db: Db, tenantId: string) {
  const q = firstReadQueriesOf(db);
  const [fieldRead, optionRead] = [q.fields({ tenantId }), q.options({ tenantId })];
  return {
    statements: [fieldRead.statement, optionRead.statement],
    from: ([fieldRows, optionRows]: ResultSet[]): Segments =>
      segmentsFrom([], fieldRead.from(fieldRows as ResultSet), optionRead.from(optionRows as ResultSet)),
  };
}

async function runPrepared(
  db: Db,
  planId: string,
  ctx: ExecutionContext,
  batch: PreparedBatch,
  last: Stmt[],
): Promise<BatchRun> {
  const { actions, executions, token, segments } = batch;
  const status = planStatusSql(planId, ctx.tenantId);
  const tail = batch.run.more ? [] : last;
  const withTail = async (statements: (Stmt | NamedStmt)[]) => {
    const results = await db.$client.batch([...statements, status, ...tail], "write");
    return tail.length ? { ...batch.run, last: results.slice(results.length - tail.length) } : batch.run;
  };
  if (actions.length === 0) return withTail([]);
  try {
    return await withTail(batch.statements);
  } catch (error) {
    if (!isConstraintError(error)) throw error;
    // One action's change collides with data written since planning (an email another member
    // took…); the whole batch rolled back. Run each alone so only the colliding one fails.
    const perAction: Stmt[][] = [];
    for (const [i, action] of actions.entries()) {
      perAction.push(await statementsFor(action, executions[i] as Execution, token, ctx, segments));
    }
    await oneByOne(db, actions, perAction, planId, ctx);
  }
  return batch.run;
}

export type PendingAction = Awaited<ReturnType<typeof pendingQueries>[0]>[number];

// Actions read per round trip: sqld refuses an answer over 10 MB, and an action with its member
// is up to about 2 KB.
const READ_ACTIONS = 3_000;

/**
 * The plan, its next pending approved actions, their members and the segments: one round trip
 * (none when the caller read them already: `read`), and one more for each further READ_ACTIONS
 * actions.
 */
async function readBatch(
  db: Db,
  planId: string,
  tenantId: string,
  limit: number,
  afterSeq: number,
  read?: FirstReadDone,
) {
  const reads = read?.reads ?? firstReads(db, planId, tenantId, limit, afterSeq);
  const results = read?.results ?? (await db.$client.batch(firstReadStatements(reads), "read"));
  const result = (k: (typeof READS)[number]) => results[READS.indexOf(k)] as ResultSet;
  const plan = reads.plan.from(result("plan"))[0];
  if (!plan) throw new AppError("not_found", `No plan ${planId} in this tenant.`);
  const actions = reads.actions.from(result("actions"));
  const rows = reads.rows.from(result("rows"));
  let page = actions.length;
  while (page === READ_ACTIONS && actions.length < limit) {
    const after = (actions.at(-1) as PendingAction).seq;
    const n = Math.min(limit - actions.length, READ_ACTIONS);
    const [more, moreRows] = await db.batch(pendingQueries(db, planId, tenantId, n, after));
    actions.push(...more);
    rows.push(...moreRows);
    page = more.length;
  }
  const mapping = reads.mapping.from(result("mapping"))[0]?.columns;
  const columns = reads.imported.from(result("imported"))[0]?.columns;
  const segments = segmentsFrom(
    mapping ?? [],
    reads.fields.from(result("fields")),
    reads.options.from(result("options")),
  );
  return {
    plan,
    actions,
    rows,
    segments,
    // Plans made from the hub's mapping (not an event's own) leave fingerprints for the next plan.
    layout: mapping && columns ? rosterLayout(columns, mapping) : null,
  };
}

const READS = ["plan", "mapping", "imported", "fields", "options", "actions", "rows"] as const;

/**
 * A run's first read, for a caller that writes its statements (firstReadStatements) at the end of
 * a batch of its own (an event's approval) and hands runApproved the results: the run then starts
 * with its first write.
 */
export function firstRead(db: Db, planId: string, tenantId: string): FirstReads {
  return firstReads(db, planId, tenantId, BATCH_ACTIONS, -1);
}

export type FirstReads = ReturnType<typeof firstReads>;

/** A first read and the results of its statements. */
export interface FirstReadDone {
  reads: FirstReads;
  results: ResultSet[];
}

export function firstReadStatements(reads: FirstReads): Stmt[] {
  // Drizzle binds these queries' values as text and numbers (the boolean as 1).
  return READS.map((k) => reads[k].statement as Stmt);
}

function firstReads(db: Db, planId: string, tenantId: string, limit: number, afterSeq: number) {
  const values = { planId, tenantId, limit: Math.min(limit, READ_ACTIONS), afterSeq };
  const q = firstReadQueriesOf(db);
  return {
    plan: q.plan(values),
    mapping: q.mapping(values),
    imported: q.imported(values),
    fields: q.fields(values),
    options: q.options(values),
    actions: q.actions(values),
    rows: q.rows(values),
  };
}

// Built once, with placeholders: building them took half a millisecond of each HRIS event.
let readQueries: ReturnType<typeof firstReadQueries> | undefined;

function firstReadQueriesOf(db: Db) {
  readQueries ??= firstReadQueries(db);
  return readQueries;
}

function firstReadQueries(db: Db) {
  const planId = sql.placeholder("planId");
  const tenantId = sql.placeholder("tenantId");
  const ofPlan = (of: "hub_id" | "mapping_version" | "import_id") =>
    sql`(SELECT ${sql.raw(of)} FROM plans WHERE id = ${planId} AND tenant_id = ${tenantId})`;
  const [actions, rows] = pendingQueries(
    db,
    planId,
    tenantId,
    sql.placeholder("limit"),
    sql.placeholder("afterSeq"),
  );
  return {
    plan: rawQuery(
      db
        .select({ status: plans.status, guard: plans.guard, hubId: plans.hubId })
        .from(plans)
        .where(and(eq(plans.tenantId, tenantId), eq(plans.id, planId))),
    ),
    mapping: rawQuery(
      db
        .select({ columns: mappings.columns })
        .from(mappings)
        .where(
          and(
            eq(mappings.tenantId, tenantId),
            eq(mappings.hubId, ofPlan("hub_id")),
            eq(mappings.version, ofPlan("mapping_version")),
          ),
        ),
    ),
    imported: rawQuery(
      db
        .select({ columns: imports.columns })
        .from(imports)
        .where(and(eq(imports.tenantId, tenantId), eq(imports.id, ofPlan("import_id")))),
    ),
    fields: rawQuery(
      db.select({ id: fields.id, key: fields.key }).from(fields).where(eq(fields.tenantId, tenantId)),
    ),
    options: rawQuery(
      db
        .select({ fieldId: fieldOptions.fieldId, folded: fieldOptions.folded })
        .from(fieldOptions)
        .where(eq(fieldOptions.tenantId, tenantId)),
    ),
    actions: rawQuery(actions),
    rows: rawQuery(rows),
  };
}

/** The next `limit` pending approved actions after `afterSeq`, and the members they concern. */
function pendingQueries(
  db: Db,
  planId: string | Placeholder,
  tenantId: string | Placeholder,
  limit: number | Placeholder,
  afterSeq: number | Placeholder,
) {
  const pending = and(
    eq(planActions.planId, planId),
    eq(planActions.status, "pending"),
    gt(planActions.seq, afterSeq),
    eq(planActions.tenantId, tenantId),
    eq(planActions.approved, true),
  );
  return [
    db
      .select({
        id: planActions.id,
        seq: planActions.seq,
        kind: planActions.kind,
        memberId: planActions.memberId,
        memberVersion: planActions.memberVersion,
        email: planActions.email,
        employeeId: planActions.employeeId,
        name: planActions.name,
        payload: planActions.payload,
        approvedBy: planActions.approvedBy,
      })
      .from(planActions)
      .where(pending)
      .orderBy(asc(planActions.seq))
      .limit(limit),
    db
      .select()
      .from(members)
      .where(
        and(
          // Unary + keeps SQLite off the tenant index (which would read the whole tenant): the
          // members are found by id, then checked to be the tenant's.
          sql`+${members.tenantId} = ${tenantId}`,
          inArray(
            members.id,
            db
              .select({ id: planActions.memberId })
              .from(planActions)
              .where(pending)
              .orderBy(asc(planActions.seq))
              .limit(limit),
          ),
        ),
      ),
  ] as const;
}

/**
 * The fingerprint each written member will have, computed from what the batch writes over what
 * the member held: the next plan of an export laid out the same way compares rows with it.
 */
function fingerprintsOf(
  actions: { id: string }[],
  executions: Execution[],
  snapshots: Map<string, MemberSnapshot>,
  layout: RosterLayout,
): Fingerprints {
  const rows: Fingerprints["rows"] = [];
  actions.forEach((action, i) => {
    const execution = executions[i] as Execution;
    if (!execution.ok) return;
    for (const effect of execution.effects) {
      if (effect.type !== "insert_member" && effect.type !== "update_member") continue;
      const before = effect.type === "update_member" ? snapshots.get(effect.memberId) : undefined;
      if (effect.type === "update_member" && !before) continue;
      const core: MemberSnapshot["core"] = { ...before?.core };
      const derived: MemberSnapshot["derived"] = {
        approverId: before?.derived.approverId ?? null,
        contentRegion: before?.derived.contentRegion ?? null,
      };
      for (const [field, value] of Object.entries(effect.fields.core)) {
        if (field === "approverId" || field === "contentRegion") derived[field] = value ?? null;
        else core[field as CoreField] = value ?? null;
      }
      const profile = effect.fields.profile ?? before?.profile ?? {};
      const version = before ? before.version + 1 : 1;
      rows.push([action.id, effect.memberId, memberFingerprint(layout, { core, derived, profile }), version]);
    }
  });
  return { layout: layoutKey(layout), rows };
}

/**
 * The actions up to (not including) the first that concerns a member or an invitee an earlier
 * one in the batch does: claims are taken together, so the second must wait for the next batch.
 */
function withoutRepeats<
  A extends Pick<PendingAction, "memberId" | "email" | "employeeId" | "kind" | "payload">,
>(actions: A[]): A[] {
  const seen = new Set<string>();
  for (const [i, action] of actions.entries()) {
    const keys = [
      action.memberId && `member:${action.memberId}`,
      action.kind === "invite" && action.email && `email:${action.email}`,
      action.kind === "invite" && action.employeeId && `employee:${action.employeeId}`,
      action.kind === "invite" &&
        `member:${(action.payload as { memberId?: string } | null)?.memberId ?? ""}`,
    ].filter((k): k is string => Boolean(k));
    if (keys.some((k) => seen.has(k))) return actions.slice(0, i);
    for (const k of keys) seen.add(k);
  }
  return actions;
}

async function oneByOne(
  db: Db,
  actions: { id: string }[],
  perAction: Stmt[][],
  planId: string,
  ctx: ExecutionContext,
) {
  for (const [i, action] of actions.entries()) {
    try {
      await db.$client.batch([...(perAction[i] ?? []), planStatusSql(planId, ctx.tenantId)], "write");
    } catch (error) {
      if (!isConstraintError(error)) throw error;
      await db.$client.batch(
        [
          {
            sql: "UPDATE plan_actions SET status = 'failed', message = ?, executed_at = ? WHERE id = ? AND status = 'pending' AND approved = 1",
            args: [failureMessage(error), ctx.now.toISOString(), action.id],
          },
          planStatusSql(planId, ctx.tenantId),
        ],
        "write",
      );
    }
  }
}

function errorText(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return `${typeof code === "string" ? code : ""} ${error instanceof Error ? error.message : ""}`;
}

export function isConstraintError(error: unknown): boolean {
  return /SQLITE_CONSTRAINT|constraint failed/i.test(errorText(error));
}

function failureMessage(error: unknown): string {
  if (/UNIQUE constraint failed: members\.tenant_id, members\.(email|employee_id)/.test(errorText(error))) {
    return (
      "Another member already has this email address or employee id, so this change cannot be applied; " +
      "fix the duplicate in the HRIS or on the platform and analyze again."
    );
  }
  return "This change breaks a rule of the member directory (a value is missing or duplicated), so it was not applied; analyze again.";
}

/** Executing while an approved action is pending; done once none is. A blocked plan stays blocked. */
function planStatusSql(planId: string, tenantId: string): Stmt {
  return {
    sql: `UPDATE plans SET status = CASE WHEN EXISTS (
            SELECT 1 FROM plan_actions WHERE plan_id = ? AND approved = 1 AND status = 'pending'
          ) THEN 'executing' ELSE 'done' END
          WHERE id = ? AND tenant_id = ? AND status <> 'blocked'
            AND EXISTS (SELECT 1 FROM plan_actions WHERE plan_id = ? AND approved = 1)`,
    args: [planId, planId, tenantId, planId],
  };
}

export function guardMessage(deprovisions: number, limit: number): string {
  return (
    `This plan would deactivate or delete ${deprovisions} members, more than the ${limit} the tenant allows ` +
    "in one sync. Check that the export is complete; if it is, an admin can override the guard for this plan."
  );
}

function segmentsFrom(
  mappingColumns: MappingColumn[],
  fieldRows: { id: string; key: string }[],
  optionRows: { fieldId: string; folded: string }[],
): Segments {
  const keyOf = new Map(fieldRows.map((f) => [f.id, f.key]));
  const existing = new Map(fieldRows.map((f) => [f.key, new Set<string>()]));
  for (const o of optionRows) existing.get(keyOf.get(o.fieldId) ?? "")?.add(o.folded);
  const columns = new Map(
    mappingColumns.filter((c) => c.field && c.kind !== "core").map((c) => [c.field as string, c]),
  );
  return { columns, existing };
}

/** The action as read for this batch: its id, and who approved it (recorded in the audit entry). */
interface Approved {
  id: string;
  approvedBy: string | null;
}

async function statementsFor(
  action: Approved,
  execution: Execution,
  token: string,
  ctx: ExecutionContext,
  segments: Segments,
): Promise<Stmt[]> {
  const now = ctx.now.toISOString();
  const actionId = action.id;
  if (!execution.ok) {
    return [
      {
        sql: "UPDATE plan_actions SET status = ?, message = ?, executed_at = ? WHERE id = ? AND status = 'pending' AND approved = 1",
        args: [execution.status, execution.message, now, actionId],
      },
    ];
  }
  const [condition, conditionArgs] = preconditionSql(execution.precondition, ctx.tenantId);
  const claim: Claim = {
    sql: "EXISTS (SELECT 1 FROM plan_actions WHERE id = ? AND claim = ?)",
    args: [actionId, token],
  };
  const effects: Stmt[] = [];
  for (const effect of execution.effects)
    effects.push(...(await effectSql(effect, ctx, action, claim, segments)));
  return [
    {
      sql: `UPDATE plan_actions SET status = 'done', claim = ?, executed_at = ?, message = NULL
            WHERE id = ? AND status = 'pending' AND approved = 1 AND ${condition}`,
      args: [token, now, actionId, ...conditionArgs],
    },
    ...effects,
    {
      sql: "UPDATE plan_actions SET status = 'stale', message = ?, executed_at = ? WHERE id = ? AND status = 'pending' AND approved = 1",
      args: [staleMessage(execution.precondition), now, actionId],
    },
  ];
}

/** SQL that holds only where this batch claimed the action. */
interface Claim {
  sql: string;
  args: Args;
}

function preconditionSql(p: Precondition, tenantId: string): [string, Args] {
  if (p.type === "member_version") {
    return [
      "EXISTS (SELECT 1 FROM members WHERE id = ? AND tenant_id = ? AND version = ?)",
      [p.memberId, tenantId, p.version],
    ];
  }
  return [
    "NOT EXISTS (SELECT 1 FROM members WHERE tenant_id = ? AND (email = ? OR employee_id = ?))",
    [tenantId, p.email, p.employeeId],
  ];
}

function staleMessage(p: Precondition): string {
  if (p.type === "member_version") {
    return "The member changed after this plan was made; analyze again to see the current differences.";
  }
  return `Someone with ${p.email} joined after this plan was made; analyze again.`;
}

async function effectSql(
  effect: Effect,
  ctx: ExecutionContext,
  action: Approved,
  claim: Claim,
  segments: Segments,
): Promise<Stmt[]> {
  const now = ctx.now.toISOString();
  const t = ctx.tenantId;
  const guarded = (sql: string, args: Args): Stmt[] => [{ sql, args: [...args, ...claim.args] }];
  switch (effect.type) {
    case "insert_member": {
      const { names, values } = memberColumns(effect.fields);
      const cols = ["id", "tenant_id", "source", ...names, "created_at", "updated_at"];
      return guarded(
        `INSERT INTO members (${cols.join(", ")}) SELECT ${cols.map(() => "?").join(", ")} WHERE ${claim.sql}`,
        [effect.memberId, t, "hris", ...values, now, now],
      );
    }
    case "update_member": {
      const { names, values } = memberColumns(effect.fields);
      const sets = [...names.map((n) => `${n} = ?`), "version = version + 1", "updated_at = ?"];
      return guarded(
        `UPDATE members SET ${sets.join(", ")} WHERE id = ? AND tenant_id = ? AND ${claim.sql}`,
        [...values, now, effect.memberId, t],
      );
    }
    case "join_hub":
      return guarded(
        `INSERT INTO hub_memberships (tenant_id, hub_id, member_id, created_at) SELECT ?, ?, ?, ? WHERE ${claim.sql} ON CONFLICT DO NOTHING`,
        [t, ctx.hubId, effect.memberId, now],
      );
    case "leave_hub":
      return guarded(
        `DELETE FROM hub_memberships WHERE tenant_id = ? AND hub_id = ? AND member_id = ? AND ${claim.sql}`,
        [t, ctx.hubId, effect.memberId],
      );
    case "invite": {
      const { statements } = await invitationStatements(
        {
          tenantId: t,
          hubId: ctx.hubId,
          memberId: effect.memberId,
          actionId: action.id,
          email: effect.email,
          name: effect.name,
          dedupeKey: `invite:${action.id}`,
          now: ctx.now,
        },
        {
          tenantName: ctx.tenantName,
          hubName: ctx.hubName,
          template: ctx.inviteTemplate,
          acceptUrl: ctx.acceptUrl,
        },
        claim.sql,
        claim.args,
      );
      return statements;
    }
    case "audit": {
      const entry = auditStatement(
        {
          tenantId: t,
          actor: ctx.actor,
          actionId: action.id,
          approvedBy: action.approvedBy,
          memberId: effect.memberId,
          change: effect.change,
          before: effect.before,
          after: effect.after,
          at: now,
        },
        claim.sql,
        claim.args,
      );
      return [entry];
    }
    case "segment_option":
      return segmentOptionSql(effect, ctx, claim, segments);
  }
}

/** Adds the field (first time its key is written) and the option, unless the batch knew them already. */
function segmentOptionSql(
  effect: Extract<Effect, { type: "segment_option" }>,
  ctx: ExecutionContext,
  claim: Claim,
  segments: Segments,
): Stmt[] {
  const folded = fold(effect.value);
  const known = segments.existing.get(effect.key);
  if (known?.has(folded)) return [];
  const now = ctx.now.toISOString();
  const statements: Stmt[] = [];
  if (!known) {
    // Kind and visibility come from the plan's mapping; without it (mapping since changed), the
    // shape of the value decides the kind, and a new field starts private: the safer default.
    const column = segments.columns.get(effect.key);
    const kind = column?.kind === "role" || column?.kind === "segment" ? column.kind : effect.kind;
    statements.push({
      sql: `INSERT INTO fields (id, tenant_id, key, label, kind, visibility, created_at)
            SELECT ?, ?, ?, ?, ?, ?, ? WHERE ${claim.sql} ON CONFLICT (tenant_id, key) DO NOTHING`,
      args: [
        crypto.randomUUID(),
        ctx.tenantId,
        effect.key,
        column?.column ?? effect.key,
        kind,
        column?.visibility ?? "private",
        now,
        ...claim.args,
      ],
    });
  }
  statements.push({
    sql: `INSERT INTO field_options (id, tenant_id, field_id, value, folded, created_at)
          SELECT ?, ?, f.id, ?, ?, ? FROM fields f WHERE f.tenant_id = ? AND f.key = ? AND ${claim.sql}
          ON CONFLICT (field_id, folded) DO NOTHING`,
    args: [
      crypto.randomUUID(),
      ctx.tenantId,
      effect.value,
      folded,
      now,
      ctx.tenantId,
      effect.key,
      ...claim.args,
    ],
  });
  return statements;
}

function memberColumns(fields: MemberFields): { names: string[]; values: Args } {
  const pairs: [string, string | null][] = Object.entries(fields.core).map(([field, value]) => [
    memberColumn(field as CoreField | DerivedField),
    value ?? null,
  ]);
  if (fields.profile) pairs.push([memberColumn("profile"), JSON.stringify(fields.profile)]);
  if (fields.status) pairs.push([memberColumn("status"), fields.status]);
  if (fields.source) pairs.push([memberColumn("source"), fields.source]);
  if (fields.deletedAt !== undefined) pairs.push([memberColumn("deletedAt"), fields.deletedAt]);
  return { names: pairs.map(([name]) => name), values: pairs.map(([, value]) => value) };
}
