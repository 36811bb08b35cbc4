// The tenant's auto-apply policy: on scheduled syncs and events, some kinds of action need no
// human approval (settings.autoApply; by default updates). A plan the deprovisioning guard
// blocked is never auto-approved, not even after an override: that plan needs a person.
import type { Db } from "../../db/client.ts";
import type { ActionKind, TenantSettings } from "../../db/schema.ts";
import type { Stmt } from "./audit.ts";
import { getPlan, setApproval } from "./plans.ts";
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
  const [tenant, plan] = await Promise.all([getTenant(db, tenantId), getPlan(db, tenantId, planId)]);
  if (plan.guard.blocked) return 0;
  const allowed = new Set(tenant.settings.autoApply);
  const chosen = (kinds ?? tenant.settings.autoApply).filter((k) => allowed.has(k));
  if (chosen.length === 0) return 0;
  return setApproval(db, tenantId, planId, { approved: true, kinds: chosen, by: POLICY_APPROVER });
}

/**
 * autoApprove as one statement, for the batch that also does what follows a plan: approves the
 * plan's pending actions of the kinds the tenant's policy allows, unless the guard blocked it.
 */
export function policyApprovalStatement(
  tenantId: string,
  planId: string,
  settings: TenantSettings,
  now: Date,
): Stmt | null {
  const kinds = settings.autoApply;
  if (kinds.length === 0) return null;
  return {
    sql: `UPDATE plan_actions SET approved = 1, approved_by = ?, approved_at = ?
          WHERE tenant_id = ? AND plan_id = ? AND status = 'pending' AND kind IN (${kinds.map(() => "?").join(", ")})
            AND (SELECT guard ->> '$.blocked' FROM plans WHERE tenant_id = ? AND id = ?) = 0`,
    args: [POLICY_APPROVER, now.toISOString(), tenantId, planId, ...kinds, tenantId, planId],
  };
}
