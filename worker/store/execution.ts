// Executes approved actions exactly once. Each batch is one atomic libSQL transaction; inside it,
// every action first tries to claim itself (pending → done under a fresh token, only if its
// precondition still holds), and every effect is written only where that claim took. A retry,
// a second executor or a re-run after a crash finds the action no longer pending and writes
// nothing; a batch that dies before commit leaves no trace.
import { and, asc, eq, getTableColumns, inArray } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { type ActorType, members, planActions } from "../../db/schema.ts";
import {
  type Effect,
  type Execution,
  executionOf,
  type MemberFields,
  type Precondition,
} from "../engine/execute.ts";
import type { CoreField, DerivedField } from "../engine/types.ts";
import { AppError } from "../errors.ts";
import { sha256Hex } from "../keys.ts";
import { snapshotOf } from "./members.ts";
import { getPlan } from "./plans.ts";

const INVITATION_DAYS = 14;

export interface Actor {
  type: ActorType;
  id: string;
}

export interface ExecutionContext {
  tenantId: string;
  hubId: string;
  actor: Actor;
  /** Where an invitee accepts: the token is appended. */
  acceptUrl: string;
  now: Date;
}

type Args = (string | number | null)[];
interface Stmt {
  sql: string;
  args: Args;
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
  if (actions.length === 0) return 0;
  const memberIds = actions.map((a) => a.memberId).filter((id): id is string => id !== null);
  const rows = memberIds.length
    ? await db
        .select()
        .from(members)
        .where(and(eq(members.tenantId, ctx.tenantId), inArray(members.id, memberIds)))
    : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const token = crypto.randomUUID();
  const nowIso = ctx.now.toISOString();
  const statements: Stmt[] = [];
  for (const action of actions) {
    const row = action.memberId ? byId.get(action.memberId) : undefined;
    const snapshot = row ? snapshotOf(row, true) : null;
    const execution = executionOf(action, snapshot, nowIso);
    statements.push(...(await statementsFor(action.id, execution, token, ctx)));
  }
  await db.$client.batch(statements, "write");
  return actions.length;
}

export function guardMessage(deprovisions: number, limit: number): string {
  return (
    `This plan would deactivate or delete ${deprovisions} members, more than the ${limit} the tenant allows ` +
    "in one sync. Check that the export is complete; if it is, an admin can override the guard for this plan."
  );
}

async function statementsFor(
  actionId: string,
  execution: Execution,
  token: string,
  ctx: ExecutionContext,
): Promise<Stmt[]> {
  const now = ctx.now.toISOString();
  if (!execution.ok) {
    return [
      {
        sql: "UPDATE plan_actions SET status = ?, message = ?, executed_at = ? WHERE id = ? AND status = 'pending' AND approved = 1",
        args: [execution.status, execution.message, now, actionId],
      },
    ];
  }
  const [condition, conditionArgs] = preconditionSql(execution.precondition, ctx.tenantId);
  const claimed = "EXISTS (SELECT 1 FROM plan_actions WHERE id = ? AND claim = ?)";
  const effects: Stmt[] = [];
  for (const effect of execution.effects) {
    for (const s of await effectSql(effect, ctx, actionId, claimed))
      effects.push({ sql: s.sql, args: [...s.args, actionId, token] });
  }
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

function preconditionSql(p: Precondition, tenantId: string): [string, (string | number | null)[]] {
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
  actionId: string,
  claimed: string,
): Promise<Stmt[]> {
  const now = ctx.now.toISOString();
  const t = ctx.tenantId;
  switch (effect.type) {
    case "insert_member": {
      const { names, values } = memberColumns(effect.fields);
      const cols = ["id", "tenant_id", "source", ...names, "created_at", "updated_at"];
      const args: Args = [effect.memberId, t, "hris", ...values, now, now];
      return [
        {
          sql: `INSERT INTO members (${cols.join(", ")}) SELECT ${cols.map(() => "?").join(", ")} WHERE ${claimed}`,
          args,
        },
      ];
    }
    case "update_member": {
      const { names, values } = memberColumns(effect.fields);
      const sets = [...names.map((n) => `${n} = ?`), "version = version + 1", "updated_at = ?"];
      const args: Args = [...values, now, effect.memberId, t];
      return [
        { sql: `UPDATE members SET ${sets.join(", ")} WHERE id = ? AND tenant_id = ? AND ${claimed}`, args },
      ];
    }
    case "join_hub":
      return [
        {
          sql: `INSERT INTO hub_memberships (tenant_id, hub_id, member_id, created_at) SELECT ?, ?, ?, ? WHERE ${claimed} ON CONFLICT DO NOTHING`,
          args: [t, ctx.hubId, effect.memberId, now],
        },
      ];
    case "leave_hub":
      return [
        {
          sql: `DELETE FROM hub_memberships WHERE tenant_id = ? AND hub_id = ? AND member_id = ? AND ${claimed}`,
          args: [t, ctx.hubId, effect.memberId],
        },
      ];
    case "invite":
      return inviteSql(effect, ctx, actionId, claimed);
    case "audit":
      return [
        {
          sql: `INSERT INTO audit_log (tenant_id, actor_type, actor_id, action_id, member_id, change, before, after, at)
                SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE ${claimed}`,
          args: [
            t,
            ctx.actor.type,
            ctx.actor.id,
            actionId,
            effect.memberId,
            effect.change,
            JSON.stringify(effect.before),
            JSON.stringify(effect.after),
            now,
          ],
        },
      ];
  }
}

async function inviteSql(
  effect: Extract<Effect, { type: "invite" }>,
  ctx: ExecutionContext,
  actionId: string,
  claimed: string,
): Promise<Stmt[]> {
  const token = crypto.randomUUID().replaceAll("-", "") + crypto.randomUUID().replaceAll("-", "");
  const expires = new Date(ctx.now.getTime() + INVITATION_DAYS * 86_400_000).toISOString();
  const link = `${ctx.acceptUrl}${token}`;
  const greeting = effect.name ? `Hello ${effect.name},` : "Hello,";
  const text = `${greeting}\n\nYou are invited to join. Accept here (valid for ${INVITATION_DAYS} days):\n${link}\n`;
  const html = `<p>${escapeHtml(greeting)}</p><p>You are invited to join. <a href="${escapeHtml(link)}">Accept the invitation</a> (valid for ${INVITATION_DAYS} days).</p>`;
  const now = ctx.now.toISOString();
  return [
    {
      sql: `INSERT INTO invitations (id, tenant_id, hub_id, member_id, action_id, token_hash, expires_at, created_at)
            SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE ${claimed}`,
      args: [
        crypto.randomUUID(),
        ctx.tenantId,
        ctx.hubId,
        effect.memberId,
        actionId,
        await sha256Hex(token),
        expires,
        now,
      ],
    },
    {
      sql: `INSERT INTO outbox (id, tenant_id, channel, dedupe_key, recipient, subject, text, html, created_at)
            SELECT ?, ?, 'email', ?, ?, ?, ?, ?, ? WHERE ${claimed}`,
      args: [
        crypto.randomUUID(),
        ctx.tenantId,
        `invite:${actionId}`,
        effect.email,
        "You're invited",
        text,
        html,
        now,
      ],
    },
  ];
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

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
