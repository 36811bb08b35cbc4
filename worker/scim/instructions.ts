// Plans for what a SCIM request says outright rather than as a row of fields: "delete this user",
// "remove these members from the group", "this member's email is now…". The planner proposes
// actions from rows; these are instructions, so their plan holds the actions they name, and then
// runs like any other (approval, execution exactly once, audit, webhooks, the sync log).
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import type { ActionKind, MappingColumn } from "../../db/schema.ts";
import { hubMemberships, members, planActions, plans } from "../../db/schema.ts";
import { evaluateGuard } from "../engine/guard.ts";
import { applyMapping } from "../engine/mapping.ts";
import type { PlannedAction } from "../engine/types.ts";
import { type PlanView, savePlan } from "../store/plans.ts";
import { getTenant } from "../store/tenants.ts";
import { afterPlanStatements } from "../sync-hooks.ts";
import type { MemberRow } from "./directory.ts";
import { badRequest } from "./errors.ts";

export function instruction(
  kind: Extract<ActionKind, "delete_from_hub" | "delete_from_tenant">,
  member: MemberRow,
  reason: string,
): PlannedAction {
  return {
    kind,
    row: null,
    memberId: member.id,
    memberVersion: member.version,
    email: member.email,
    employeeId: member.employeeId,
    name: [member.firstName, member.lastName].filter(Boolean).join(" ") || null,
    changes: [],
    payload: null,
    reason,
    warnings: [],
  };
}

/** Stores a plan of `actions` in `hubId`, the deprovisioning guard evaluated as for any plan. */
export async function planInstructions(
  db: Db,
  tenantId: string,
  hubId: string,
  actions: PlannedAction[],
  options: { createdBy: string; now: Date },
): Promise<PlanView> {
  const [tenant, active] = await Promise.all([getTenant(db, tenantId), activeInHub(db, tenantId, hubId)]);
  return savePlan(
    db,
    {
      tenantId,
      hubId,
      source: "api",
      filename: null,
      partial: true,
      columns: [],
      rowCount: 0,
      issues: [],
      createdBy: options.createdBy,
    },
    {
      mappingVersion: null,
      guard: evaluateGuard(actions, active, tenant.settings.guard),
      actions,
      also: (stored) => afterPlanStatements(stored, "api", options.now),
    },
  );
}

async function activeInHub(db: Db, tenantId: string, hubId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)` })
    .from(hubMemberships)
    .innerJoin(members, eq(members.id, hubMemberships.memberId))
    .where(
      and(
        eq(hubMemberships.tenantId, tenantId),
        eq(hubMemberships.hubId, hubId),
        sql`${members.status} in ('active', 'invited')`,
      ),
    );
  return Number(row?.n ?? 0);
}

const EMAIL_COLUMN: MappingColumn = {
  column: "email",
  field: "email",
  kind: "core",
  visibility: "private",
  values: {},
  reviewed: true,
};

/** The email as the engine would read it from a file; invalidValue with the engine's reason if it could not. */
export function checkedEmail(email: string): string {
  const { records, rejected } = applyMapping(
    { columns: ["email"], rows: [[email]], rowNumbers: [1] },
    [EMAIL_COLUMN],
    null,
  );
  const record = records[0];
  if (!record?.core.email)
    throw badRequest("invalidValue", rejected[0]?.message ?? `"${email}" is not an email address.`);
  return record.core.email;
}

const EMAIL_REASON = "The identity provider changed this member's email; the member stays the same.";

/**
 * Makes the plan change `member`'s email to `email`. A member without an employee id is matched by
 * email, so its plan was made with the old one; the change rides on the member's pending action
 * (update, reactivation or deactivation), or is added as an update of its own.
 */
export async function addEmailChange(
  db: Db,
  tenantId: string,
  plan: PlanView,
  member: MemberRow,
  email: string,
): Promise<void> {
  const actions = await db
    .select()
    .from(planActions)
    .where(
      and(
        eq(planActions.tenantId, tenantId),
        eq(planActions.planId, plan.id),
        eq(planActions.memberId, member.id),
      ),
    );
  const change = { field: "email", before: member.email, after: email };
  const existing = actions.find((a) => ["update", "reactivate", "deactivate"].includes(a.kind));
  if (existing) {
    const payload = (existing.payload ?? {}) as { core?: Record<string, unknown>; mapped?: string[] };
    const next = {
      ...payload,
      core: { ...payload.core, email },
      mapped: [...new Set([...(payload.mapped ?? []), "email"])].sort(),
    };
    await db
      .update(planActions)
      .set({
        payload: next,
        email,
        changes: [...existing.changes.filter((c) => c.field !== "email"), change],
      })
      .where(
        and(
          eq(planActions.tenantId, tenantId),
          eq(planActions.id, existing.id),
          eq(planActions.status, "pending"),
          eq(planActions.approved, false),
        ),
      );
    return;
  }
  const [last] = await db
    .select({ n: sql<number>`coalesce(max(${planActions.seq}), -1)` })
    .from(planActions)
    .where(and(eq(planActions.tenantId, tenantId), eq(planActions.planId, plan.id)));
  const seq = Number(last?.n ?? -1);
  const summary = { ...plan.summary, update: (plan.summary.update ?? 0) + 1 };
  await db.batch([
    db.insert(planActions).values({
      id: crypto.randomUUID(),
      tenantId,
      planId: plan.id,
      seq: seq + 1,
      kind: "update",
      row: 1,
      memberId: member.id,
      memberVersion: member.version,
      email,
      employeeId: member.employeeId,
      name: [member.firstName, member.lastName].filter(Boolean).join(" ") || null,
      changes: [change],
      payload: { core: { email }, derived: {}, profile: {}, mapped: ["email"] },
      reason: EMAIL_REASON,
    }),
    db
      .update(plans)
      .set({ summary })
      .where(and(eq(plans.tenantId, tenantId), eq(plans.id, plan.id))),
  ]);
}
