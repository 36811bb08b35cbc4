// The sync log: one row per import+plan and per execution run, whoever started it (the add-on,
// an API client, the cron, an HRIS event). The add-on's Log tab and GET /v1/sync-runs read it.
import { and, desc, eq, lt, or } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { type ActorType, syncRuns } from "../../db/schema.ts";
import type { Stmt } from "./audit.ts";
import type { NewImport, PlanView } from "./plans.ts";

type Trigger = (typeof syncRuns.$inferInsert)["trigger"];
type Status = (typeof syncRuns.$inferInsert)["status"];

const TRIGGER_OF_SOURCE: Record<NewImport["source"], Trigger> = {
  sheet: "manual",
  upload: "api",
  api: "api",
  cron: "cron",
  event: "event",
};

const TRIGGER_OF_ACTOR: Record<ActorType, Trigger> = {
  api_key: "api",
  admin: "manual",
  member: "manual",
  cron: "cron",
  event: "event",
  scim: "api",
  system: "cron",
};

/** An import that was planned: counts are the plan's actions per kind. */
export function planRunStatement(plan: PlanView, source: NewImport["source"], startedAt: Date): Stmt {
  return runStatement(plan, {
    trigger: TRIGGER_OF_SOURCE[source],
    status: plan.status === "blocked" ? "blocked" : "done",
    counts: { ...plan.summary },
    startedAt,
  });
}

/**
 * An execution run: counts are the plan's progress when it ended. `interrupted` means the time
 * budget ran out with approved actions still pending (call execute again); `blocked`, that the
 * deprovisioning guard refused to start.
 */
export function executionRunStatement(plan: PlanView, actorType: ActorType, startedAt: Date): Stmt {
  const { complete, ...counts } = plan.progress;
  return runStatement(plan, {
    trigger: TRIGGER_OF_ACTOR[actorType],
    status: plan.status === "blocked" ? "blocked" : complete ? "done" : "interrupted",
    counts,
    startedAt,
  });
}

function runStatement(
  plan: PlanView,
  run: { trigger: Trigger; status: Status; counts: Record<string, number>; startedAt: Date },
): Stmt {
  return {
    sql: `INSERT INTO sync_runs (id, tenant_id, hub_id, trigger, status, plan_id, counts, started_at, finished_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [
      crypto.randomUUID(),
      plan.tenantId,
      plan.hubId,
      run.trigger,
      run.status,
      plan.id,
      JSON.stringify(run.counts),
      run.startedAt.toISOString(),
      new Date().toISOString(),
    ],
  };
}

/**
 * Turns the line `runId` of an execution of `planId` into the run recordExecutionRun would write
 * once it ended, computed from the plan as it stands: for a caller that has not read the plan back.
 */
export function endedRunStatement(tenantId: string, runId: string, planId: string, finishedAt: Date): Stmt {
  const of = (status: string) => `count(*) FILTER (WHERE status = '${status}')`;
  return {
    sql: `UPDATE sync_runs SET
            status = CASE
              WHEN (SELECT status FROM plans WHERE tenant_id = ?1 AND id = ?2) = 'blocked' THEN 'blocked'
              WHEN EXISTS (SELECT 1 FROM plan_actions WHERE plan_id = ?2 AND approved = 1 AND status = 'pending')
                THEN 'interrupted'
              ELSE 'done' END,
            counts = (SELECT json_object('approved', count(*), 'pending', ${of("pending")}, 'done', ${of("done")},
                        'failed', ${of("failed")}, 'stale', ${of("stale")}, 'skipped', ${of("skipped")})
                      FROM plan_actions WHERE plan_id = ?2 AND approved = 1),
            error = NULL,
            finished_at = ?4
          WHERE tenant_id = ?1 AND id = ?3`,
    args: [tenantId, planId, runId, finishedAt.toISOString()],
  };
}

export interface SyncRunFilter {
  hubId?: string;
  planId?: string;
  /** (startedAt, id) of the last run of the previous page. */
  before?: [string, string];
  limit: number;
}

/** Newest first, by (started_at, id): new runs land before the first page, never inside a later one. */
export async function listSyncRuns(db: Db, tenantId: string, filter: SyncRunFilter) {
  const rows = await db
    .select()
    .from(syncRuns)
    .where(
      and(
        eq(syncRuns.tenantId, tenantId),
        filter.hubId ? eq(syncRuns.hubId, filter.hubId) : undefined,
        filter.planId ? eq(syncRuns.planId, filter.planId) : undefined,
        filter.before
          ? or(
              lt(syncRuns.startedAt, filter.before[0]),
              and(eq(syncRuns.startedAt, filter.before[0]), lt(syncRuns.id, filter.before[1])),
            )
          : undefined,
      ),
    )
    .orderBy(desc(syncRuns.startedAt), desc(syncRuns.id))
    .limit(filter.limit + 1);
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  const next: [string, string] | null = rows.length > filter.limit && last ? [last.startedAt, last.id] : null;
  return { runs: page.map(({ tenantId: _t, ...run }) => run), next };
}
