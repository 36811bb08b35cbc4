// The sync log: one row per import+plan and per execution run, whoever started it (the add-on,
// an API client, the cron, an HRIS event). The add-on's Log tab and GET /v1/sync-runs read it.
import { and, desc, eq, lt, or } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { type ActorType, syncRuns } from "../../db/schema.ts";
import type { getPlan, NewImport } from "./plans.ts";

type Trigger = (typeof syncRuns.$inferInsert)["trigger"];
type PlanView = Awaited<ReturnType<typeof getPlan>>;

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
export async function recordPlanRun(
  db: Db,
  plan: PlanView,
  source: NewImport["source"],
  startedAt: Date,
): Promise<void> {
  await db.insert(syncRuns).values({
    id: crypto.randomUUID(),
    tenantId: plan.tenantId,
    hubId: plan.hubId,
    trigger: TRIGGER_OF_SOURCE[source],
    status: plan.status === "blocked" ? "blocked" : "done",
    planId: plan.id,
    counts: { ...plan.summary },
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
  });
}

/**
 * An execution run: counts are the plan's progress when it ended. `interrupted` means the time
 * budget ran out with approved actions still pending (call execute again); `blocked`, that the
 * deprovisioning guard refused to start.
 */
export async function recordExecutionRun(
  db: Db,
  plan: PlanView,
  actorType: ActorType,
  startedAt: Date,
): Promise<void> {
  const { complete, ...counts } = plan.progress;
  const status = plan.status === "blocked" ? "blocked" : complete ? "done" : "interrupted";
  await db.insert(syncRuns).values({
    id: crypto.randomUUID(),
    tenantId: plan.tenantId,
    hubId: plan.hubId,
    trigger: TRIGGER_OF_ACTOR[actorType],
    status,
    planId: plan.id,
    counts,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
  });
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
