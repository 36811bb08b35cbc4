// Imports, plans and their actions, scoped to one tenant.
import { and, asc, count, eq, gt, inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { type ActionKind, type ActionStatus, imports, planActions, plans } from "../../db/schema.ts";
import type { GuardResult } from "../engine/guard.ts";
import type { Issue, PlannedAction } from "../engine/types.ts";
import { AppError } from "../errors.ts";

// libSQL caps a statement's bound parameters; ~20 columns an action keeps a chunk well under it.
const INSERT_CHUNK = 200;

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
}

/** Stores the import, the plan and every action in one atomic batch: a plan is whole or absent. */
export async function savePlan(db: Db, input: NewImport, plan: NewPlan) {
  const importId = crypto.randomUUID();
  const planId = crypto.randomUUID();
  const summary = summarise(plan.actions);
  const { tenantId, hubId, createdBy } = input;
  const rows = plan.actions.map((a, seq) => ({ ...a, id: crypto.randomUUID(), tenantId, planId, seq }));
  const chunks = [];
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    chunks.push(db.insert(planActions).values(rows.slice(i, i + INSERT_CHUNK)));
  }
  await db.batch([
    db.insert(imports).values({ ...input, id: importId, issues: input.issues.map(stripColumn) }),
    db.insert(plans).values({
      id: planId,
      tenantId,
      hubId,
      importId,
      mappingVersion: plan.mappingVersion,
      status: plan.guard.blocked ? "blocked" : "ready",
      summary,
      guard: plan.guard,
      createdBy,
    }),
    ...chunks,
  ]);
  return getPlan(db, tenantId, planId);
}

function stripColumn({ row, level, code, message, column }: Issue) {
  return { row, level, code, message: column ? `${column}: ${message}` : message };
}

function summarise(actions: PlannedAction[]): Partial<Record<ActionKind, number>> {
  const summary: Partial<Record<ActionKind, number>> = {};
  for (const a of actions) summary[a.kind] = (summary[a.kind] ?? 0) + 1;
  return summary;
}

export async function getPlan(db: Db, tenantId: string, planId: string) {
  const plan = await db.query.plans.findFirst({
    where: and(eq(plans.tenantId, tenantId), eq(plans.id, planId)),
  });
  if (!plan) throw new AppError("not_found", `No plan ${planId} in this tenant.`);
  return { ...plan, progress: await progressOf(db, planId) };
}

/** Done / total over approved actions: what a client polls while a plan executes. */
async function progressOf(db: Db, planId: string) {
  const rows = await db
    .select({ status: planActions.status, n: count() })
    .from(planActions)
    .where(and(eq(planActions.planId, planId), eq(planActions.approved, true)))
    .groupBy(planActions.status);
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
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return { actions: page, next: rows.length > filter.limit && last ? last.seq : null };
}

const APPROVABLE: ActionKind[] = [
  "invite",
  "update",
  "reactivate",
  "deactivate",
  "delete_from_hub",
  "delete_from_tenant",
];

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
        inArray(planActions.kind, APPROVABLE),
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
