// Applying a SCIM request's plan. SCIM has no "accepted, waiting for approval" answer, and the
// identity provider is the admin's explicit intent, so a SCIM token approves every action of its
// own plans (approver `scim:<token id>`) and runs them at once, audited with actor `scim`. The
// safety is the deprovisioning guard, checked per plan and over a sliding window of SCIM
// deprovisions (burst-guard.ts); what it refuses stays in the plan, pending, for an admin.
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { MEMBER_CHANGE_KINDS, members, planActions } from "../../db/schema.ts";
import { isDeprovisioning } from "../engine/guard.ts";
import { executeLogged } from "../execution-log.ts";
import { getPlan, setApproval } from "../store/plans.ts";
import type { ScimCaller } from "../store/scim-tokens.ts";
import { getTenant } from "../store/tenants.ts";
import { recordRefusal, release, reserve, WINDOW_MINUTES, windowLimit } from "./burst-guard.ts";
import { badRequest, ScimError } from "./errors.ts";

// A request is one person (or one group's changes): execution is a few small batches.
const BUDGET_MS = 10_000;
const RUNNABLE = new Set<string>(MEMBER_CHANGE_KINDS);

export type ActionRow = typeof planActions.$inferSelect;

export interface ApplyContext {
  db: Db;
  caller: ScimCaller;
  now: Date;
  /** Where an invitee accepts; the token is appended. */
  acceptUrl: string;
}

/**
 * An action found stale: the member changed (or, for an invite, someone took the email) between
 * reading and applying. Updates retry; otherwise it answers as the 409 it is.
 */
export class StaleChange extends ScimError {
  constructor() {
    super(409, null, "The user changed while this request ran; read it again and retry.");
    this.name = "StaleChange";
  }
}

export async function actionsOf(db: Db, tenantId: string, planId: string): Promise<ActionRow[]> {
  return db
    .select()
    .from(planActions)
    .where(and(eq(planActions.tenantId, tenantId), eq(planActions.planId, planId)))
    .orderBy(asc(planActions.seq));
}

/**
 * Approves and executes the plan's actions, after the guard. Returns its actions as they ended;
 * throws a SCIM error for rows the engine refused, for guard refusals, and for failed actions.
 */
export async function applyPlan(ctx: ApplyContext, planId: string): Promise<ActionRow[]> {
  const { db, caller } = ctx;
  const plan = await getPlan(db, caller.tenantId, planId);
  const actions = await actionsOf(db, caller.tenantId, planId);
  const errors = actions.filter((a) => a.kind === "error");
  if (errors.length) throw badRequest("invalidValue", errors.map((a) => a.reason).join(" "));
  const runnable = actions.filter((a) => RUNNABLE.has(a.kind));
  if (runnable.length === 0) return actions;
  const deprovisions = runnable.filter((a) => isDeprovisioning(a.kind));
  if (deprovisions.length) await guard(ctx, plan, deprovisions);
  await setApproval(db, caller.tenantId, planId, { approved: true, all: true, by: `scim:${caller.tokenId}` });
  try {
    await executeLogged(db, caller.tenantId, planId, {
      actor: { type: "scim", id: caller.tokenId },
      acceptUrl: ctx.acceptUrl,
      budgetMs: BUDGET_MS,
    });
  } finally {
    await release(
      db,
      caller.tenantId,
      deprovisions.map((a) => a.id),
    );
  }
  const ended = await actionsOf(db, caller.tenantId, planId);
  for (const action of ended) failIfNotDone(action);
  return ended;
}

async function guard(
  ctx: ApplyContext,
  plan: Awaited<ReturnType<typeof getPlan>>,
  deprovisions: ActionRow[],
) {
  const { db, caller, now } = ctx;
  const tenant = await getTenant(db, caller.tenantId);
  const limit = windowLimit(tenant.settings.guard, await activeMembers(db, caller.tenantId));
  const reservation = plan.guard.blocked
    ? { ok: false, inWindow: 0, limit: plan.guard.limit }
    : await reserve(
        db,
        caller.tenantId,
        deprovisions.map((a) => a.id),
        now,
        limit,
      );
  if (reservation.ok) return;
  await recordRefusal(db, {
    tenantId: caller.tenantId,
    actor: { type: "scim", id: caller.tokenId },
    planId: plan.id,
    actions: deprovisions.map((a) => ({ id: a.id, kind: a.kind, memberId: a.memberId })),
    reservation,
    now,
  });
  throw new ScimError(
    409,
    null,
    `Refused by the deprovisioning guard: SCIM has deactivated or deleted ${reservation.inWindow} members in the ` +
      `last ${WINDOW_MINUTES} minutes, and this request would take that past the ${reservation.limit} the tenant ` +
      `allows. Nothing was changed; the change waits in plan ${plan.id} for an admin to approve, or retry later.`,
  );
}

async function activeMembers(db: Db, tenantId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)` })
    .from(members)
    .where(and(eq(members.tenantId, tenantId), inArray(members.status, ["active", "invited"])));
  return Number(row?.n ?? 0);
}

function failIfNotDone(action: ActionRow): void {
  if (!RUNNABLE.has(action.kind) || action.status === "done") return;
  if (action.status === "stale") throw new StaleChange();
  const message = action.message ?? "The change could not be applied.";
  if (/already has this email address or employee id/.test(message)) {
    throw new ScimError(409, "uniqueness", message);
  }
  if (/no longer exists/.test(message)) throw new ScimError(404, null, message);
  throw new ScimError(409, null, message);
}
