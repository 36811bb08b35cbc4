// Executes approved actions exactly once. Each batch is one atomic libSQL transaction; inside it,
// every action first tries to claim itself (pending → done under a fresh token, only if its
// precondition still holds), and every effect is written only where that claim took. A retry,
// a second executor or a re-run after a crash finds the action no longer pending and writes
// nothing; a batch that dies before commit leaves no trace. The same batch moves the plan's
// status on: executing while approved actions are pending, done when none is.
import { and, asc, eq, getTableColumns, inArray } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import {
  fieldOptions,
  fields,
  type InviteTemplate,
  type MappingColumn,
  mappings,
  members,
  planActions,
} from "../../db/schema.ts";
import {
  type Effect,
  type Execution,
  executionOf,
  type MemberFields,
  type Precondition,
} from "../engine/execute.ts";
import { fold } from "../engine/fold.ts";
import type { CoreField, DerivedField } from "../engine/types.ts";
import { AppError } from "../errors.ts";
import { type Actor, type Args, auditStatement, type Stmt } from "./audit.ts";
import { invitationStatements, inviteTemplateOf } from "./invitations.ts";
import { snapshotOf } from "./members.ts";
import { getPlan } from "./plans.ts";
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
interface Segments {
  /** From the plan's mapping: how a new field is created. */
  columns: Map<string, MappingColumn>;
  /** Existing field key → folded option values. */
  existing: Map<string, Set<string>>;
}

const MEMBER_COLUMNS = getTableColumns(members);
const column = (field: keyof typeof MEMBER_COLUMNS) => MEMBER_COLUMNS[field].name;

/** Runs up to `limit` approved pending actions of a plan; returns how many it looked at. */
export async function executeBatch(
  db: Db,
  planId: string,
  ctx: ExecutionContext,
  limit: number,
): Promise<number> {
  const plan = await getPlan(db, ctx.tenantId, planId);
  if (plan.status === "blocked") {
    throw new AppError("deprovisioning_guard", guardMessage(plan.guard.deprovisions, plan.guard.limit));
  }
  const actions = await db
    .select()
    .from(planActions)
    .where(
      and(
        eq(planActions.tenantId, ctx.tenantId),
        eq(planActions.planId, planId),
        eq(planActions.approved, true),
        eq(planActions.status, "pending"),
      ),
    )
    .orderBy(asc(planActions.seq))
    .limit(limit);
  if (actions.length === 0) {
    await db.$client.execute(planStatusSql(planId, ctx.tenantId));
    return 0;
  }
  const memberIds = actions.map((a) => a.memberId).filter((id): id is string => id !== null);
  const rows = memberIds.length
    ? await db
        .select()
        .from(members)
        .where(and(eq(members.tenantId, ctx.tenantId), inArray(members.id, memberIds)))
    : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const segments = await segmentsOf(db, ctx.tenantId, plan.hubId, plan.mappingVersion);
  const token = crypto.randomUUID();
  const perAction: Stmt[][] = [];
  for (const action of actions) {
    const row = action.memberId ? byId.get(action.memberId) : undefined;
    const snapshot = row ? snapshotOf(row, true) : null;
    const execution = executionOf(action, snapshot, ctx.now.toISOString());
    perAction.push(await statementsFor(action, execution, token, ctx, segments));
  }
  try {
    await db.$client.batch([...perAction.flat(), planStatusSql(planId, ctx.tenantId)], "write");
  } catch (error) {
    if (!isConstraintError(error)) throw error;
    // One action's change collides with data written since planning (an email another member
    // took…); the whole batch rolled back. Run each alone so only the colliding one fails.
    await oneByOne(db, actions, perAction, planId, ctx);
  }
  return actions.length;
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

function isConstraintError(error: unknown): boolean {
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

async function segmentsOf(
  db: Db,
  tenantId: string,
  hubId: string,
  mappingVersion: number | null,
): Promise<Segments> {
  const [mapping, fieldRows, optionRows] = await Promise.all([
    mappingVersion === null
      ? undefined
      : db.query.mappings.findFirst({
          where: and(
            eq(mappings.tenantId, tenantId),
            eq(mappings.hubId, hubId),
            eq(mappings.version, mappingVersion),
          ),
        }),
    db.select({ id: fields.id, key: fields.key }).from(fields).where(eq(fields.tenantId, tenantId)),
    db
      .select({ fieldId: fieldOptions.fieldId, folded: fieldOptions.folded })
      .from(fieldOptions)
      .where(eq(fieldOptions.tenantId, tenantId)),
  ]);
  const keyOf = new Map(fieldRows.map((f) => [f.id, f.key]));
  const existing = new Map(fieldRows.map((f) => [f.key, new Set<string>()]));
  for (const o of optionRows) existing.get(keyOf.get(o.fieldId) ?? "")?.add(o.folded);
  const columns = new Map(
    (mapping?.columns ?? []).filter((c) => c.field && c.kind !== "core").map((c) => [c.field as string, c]),
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
    column(field as CoreField | DerivedField),
    value ?? null,
  ]);
  if (fields.profile) pairs.push([column("profile"), JSON.stringify(fields.profile)]);
  if (fields.status) pairs.push([column("status"), fields.status]);
  if (fields.source) pairs.push([column("source"), fields.source]);
  if (fields.deletedAt !== undefined) pairs.push([column("deletedAt"), fields.deletedAt]);
  return { names: pairs.map(([name]) => name), values: pairs.map(([, value]) => value) };
}
