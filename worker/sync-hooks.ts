// What follows each step of a sync, whoever ran it: the sync log row, and the webhook events for
// the tenant's endpoints. Called by sync.ts so routes, the cron and HRIS events all get them.
import type { Db } from "../db/client.ts";
import type { ActorType } from "../db/schema.ts";
import type { getPlan, NewImport } from "./store/plans.ts";
import { recordExecutionRun, recordPlanRun } from "./store/sync-runs.ts";
import { announceExecution, announcePlan } from "./store/webhooks.ts";

type PlanView = Awaited<ReturnType<typeof getPlan>>;

export async function afterPlan(db: Db, plan: PlanView, source: NewImport["source"], startedAt: Date) {
  await recordPlanRun(db, plan, source, startedAt);
  await announcePlan(db, plan.tenantId, plan.id);
  return plan;
}

/** Returns `plan` (the state after the run), for sync.ts to hand back. */
export async function afterExecution(db: Db, plan: PlanView, actorType: ActorType, startedAt: Date) {
  await recordExecutionRun(db, plan, actorType, startedAt);
  await announceExecution(db, plan.tenantId, plan.id);
  return plan;
}
