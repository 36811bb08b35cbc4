// The tenant's auto-apply policy: on scheduled syncs and events, some kinds of action need no
// human approval (settings.autoApply; by default updates). A plan the deprovisioning guard
// blocked is never auto-approved, not even after an override: that plan needs a person.
import type { Db } from "../../db/client.ts";
import type { ActionKind, TenantSettings } from "../../db/schema.ts";
import type { Stmt } from "./audit.ts";
import { getTenant } from "./tenants.ts";

export const POLICY_APPROVER = "policy:autoApply";

/**
 * Approves the plan's pending actions of `kinds` that the tenant's policy allows (all the policy
 * allows when `kinds` is omitted). Returns how many actions it approved.
 */
export async function autoApprove(
  db: Db,
  tenantId: string,
  planId: string,
  kinds?: ActionKind[],
): Promise<number> {
  const { settings } = await getTenant(db, tenantId);
  const approval = policyApprovalStatement(tenantId, planId, settings, new Date(), kinds);
  return approval ? (await db.$client.execute(approval)).rowsAffected : 0;
}

/**
 * The policy's approval as one statement (autoApprove runs it; an event puts it in the batch that
 * also does what follows its plan): the plan's pending actions of the kinds the tenant's policy
 * allows, narrowed to `only` when given, unless the guard blocked the plan.
 */
export function policyApprovalStatement(
  tenantId: string,
  planId: string,
  settings: TenantSettings,
  now: Date,
  only?: ActionKind[],
): Stmt | null {
  const kinds = only ? settings.autoApply.filter((k) => only.includes(k)) : settings.autoApply;
  if (kinds.length === 0) return null;
  // policyApproved says the same of actions held in memory: the two change together.
  return {
    sql: `UPDATE plan_actions SET approved = 1, approved_by = ?, approved_at = ?
          WHERE tenant_id = ? AND plan_id = ? AND status = 'pending' AND kind IN (${kinds.map(() => "?").join(", ")})
            AND (SELECT guard ->> '$.blocked' FROM plans WHERE tenant_id = ? AND id = ?) = 0`,
    args: [POLICY_APPROVER, now.toISOString(), tenantId, planId, ...kinds, tenantId, planId],
  };
}

/**
 * The actions policyApprovalStatement approves, as they read once it has run (approved by the
 * policy), for a caller that runs them in the same batch: none of a plan the guard blocked.
 */
export function policyApproved<A extends { kind: ActionKind }>(
  actions: A[],
  settings: TenantSettings,
  blocked: boolean,
): (A & { approvedBy: string })[] {
  if (blocked) return [];
  return actions
    .filter((a) => settings.autoApply.includes(a.kind))
    .map((a) => ({ ...a, approvedBy: POLICY_APPROVER }));
}
