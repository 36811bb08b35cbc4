// What follows each step of a sync, whoever ran it: the sync log row, and the webhook events for
// the tenant's endpoints. Called by sync.ts so routes, the cron and HRIS events all get them.
import type { Db } from "../db/client.ts";
import type { ActorType } from "../db/schema.ts";
import type { Stmt } from "./store/audit.ts";
import type { NewImport, PlanView } from "./store/plans.ts";
import { executionRunStatement, planRunStatement } from "./store/sync-runs.ts";
import {
  announceExecution,
  endpointsFrom,
  endpointsStatement,
  planCreatedStatement,
} from "./store/webhooks.ts";

/** What logs and announces `plan`: written in the batch that stores it (StreamedPlan.also). */
export function afterPlanStatements(plan: PlanView, source: NewImport["source"], startedAt: Date): Stmt[] {
  return [planRunStatement(plan, source, startedAt), planCreatedStatement(plan)];
}

/** Returns `plan` (the state after the run), for sync.ts to hand back. */
export async function afterExecution(db: Db, plan: PlanView, actorType: ActorType, startedAt: Date) {
  const [, endpoints] = await db.$client.batch(
    [executionRunStatement(plan, actorType, startedAt), endpointsStatement(plan.tenantId)],
    "write",
  );
  await announceExecution(db, plan, endpointsFrom(endpoints as NonNullable<typeof endpoints>));
  return plan;
}
