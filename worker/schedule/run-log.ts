// The scheduled sync's own lines in the sync log: a source that gave no snapshot, and problems
// after planning (write-back), so GET /v1/sync-runs and the add-on's Log show them. Plans and
// executions log themselves (sync-hooks.ts).
import type { Db } from "../../db/client.ts";
import { syncRuns } from "../../db/schema.ts";

export async function recordFailedRun(
  db: Db,
  run: { tenantId: string; hubId: string | null; planId?: string | null; error: string; startedAt: Date },
): Promise<void> {
  await db.insert(syncRuns).values({
    id: crypto.randomUUID(),
    tenantId: run.tenantId,
    hubId: run.hubId,
    trigger: "cron",
    status: "failed",
    planId: run.planId ?? null,
    error: run.error,
    startedAt: run.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
  });
}

/** Adds `error` to the plan's last logged run (the execution if there was one, else the plan). */
export async function noteRunError(db: Db, tenantId: string, planId: string, error: string): Promise<void> {
  await db.$client.execute({
    sql: `UPDATE sync_runs SET error = ? WHERE id = (
            SELECT id FROM sync_runs WHERE tenant_id = ? AND plan_id = ?
            ORDER BY finished_at DESC, rowid DESC LIMIT 1)`,
    args: [error, tenantId, planId],
  });
}
