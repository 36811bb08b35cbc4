// What a scheduled sync applies without a person: the kinds in the tenant's autoApply (as for
// HRIS events; never deletions here), plus two rules of its own (settings.scheduledAutoApply,
// default both): `starters`, invites of people an earlier plan of the hub had scheduled (their
// start date has now arrived), and `leavers`, deactivations a row asks for (termination date
// passed, leaver status). A deactivation of someone merely absent from the export has no row and
// waits for approval. A plan the deprovisioning guard blocked is never approved.
import { and, eq, inArray, ne } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import {
  type ActionKind,
  planActions,
  plans,
  type ScheduledRule,
  type TenantSettings,
} from "../../db/schema.ts";
import { getPlan, setApproval } from "../store/plans.ts";
import { autoApprove } from "../store/policy.ts";
import { getTenant } from "../store/tenants.ts";

export const SCHEDULE_APPROVER = "policy:scheduled";
const DEFAULT_RULES: readonly ScheduledRule[] = ["starters", "leavers"];
const NEVER_SCHEDULED: readonly ActionKind[] = ["delete_from_hub", "delete_from_tenant"];
/** Keeps a lookup's bound parameters well under libSQL's limit. */
const CHUNK = 100;

export function scheduledRulesOf(settings: TenantSettings): ScheduledRule[] {
  return settings.scheduledAutoApply ?? [...DEFAULT_RULES];
}

/** Approves what the scheduled policy allows in the plan; returns how many actions it approved. */
export async function approveScheduled(db: Db, tenantId: string, planId: string): Promise<number> {
  const [tenant, plan] = await Promise.all([getTenant(db, tenantId), getPlan(db, tenantId, planId)]);
  if (plan.guard.blocked || plan.status === "blocked") return 0;
  const kinds = tenant.settings.autoApply.filter((k) => !NEVER_SCHEDULED.includes(k));
  const byKind = kinds.length ? await autoApprove(db, tenantId, planId, kinds) : 0;
  const ids = await ruleMatches(
    db,
    tenantId,
    plan,
    new Set(scheduledRulesOf(tenant.settings)),
    new Set(kinds),
  );
  if (ids.length === 0) return byKind;
  const byRule = await setApproval(db, tenantId, planId, {
    approved: true,
    actionIds: ids,
    by: SCHEDULE_APPROVER,
  });
  return byKind + byRule;
}

async function ruleMatches(
  db: Db,
  tenantId: string,
  plan: { id: string; hubId: string },
  rules: Set<ScheduledRule>,
  approvedKinds: Set<ActionKind>,
): Promise<string[]> {
  const wanted: ActionKind[] = [];
  if (rules.has("starters") && !approvedKinds.has("invite")) wanted.push("invite");
  if (rules.has("leavers") && !approvedKinds.has("deactivate")) wanted.push("deactivate");
  if (wanted.length === 0) return [];
  const pending = await db
    .select({ id: planActions.id, kind: planActions.kind, row: planActions.row, email: planActions.email })
    .from(planActions)
    .where(
      and(
        eq(planActions.tenantId, tenantId),
        eq(planActions.planId, plan.id),
        eq(planActions.status, "pending"),
        eq(planActions.approved, false),
        inArray(planActions.kind, wanted),
      ),
    );
  const leavers = pending.filter((a) => a.kind === "deactivate" && a.row !== null);
  const invites = pending.filter((a) => a.kind === "invite");
  const scheduled = await scheduledBefore(db, tenantId, plan, invites.map((a) => a.email).filter(isText));
  const starters = invites.filter((a) => a.email !== null && scheduled.has(a.email));
  return [...leavers, ...starters].map((a) => a.id);
}

/** Which of `emails` another plan of the hub proposed as a scheduled starter. */
async function scheduledBefore(
  db: Db,
  tenantId: string,
  plan: { id: string; hubId: string },
  emails: string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < emails.length; i += CHUNK) {
    const rows = await db
      .selectDistinct({ email: planActions.email })
      .from(planActions)
      .innerJoin(plans, eq(plans.id, planActions.planId))
      .where(
        and(
          eq(planActions.tenantId, tenantId),
          eq(plans.tenantId, tenantId),
          eq(plans.hubId, plan.hubId),
          eq(planActions.kind, "scheduled"),
          ne(planActions.planId, plan.id),
          inArray(planActions.email, emails.slice(i, i + CHUNK)),
        ),
      );
    for (const r of rows) if (r.email) found.add(r.email);
  }
  return found;
}

function isText(value: string | null): value is string {
  return value !== null;
}
