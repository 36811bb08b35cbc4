// An execution's line in the sync log while it runs. sync.ts logs an execution when it ends; one
// that never ends (the worker killed, the client hung up, the database gone mid-run) would leave no
// line at all, and the log would read as if nothing had been cut off. So a `running` line goes in
// before the run and comes out once the run has logged its end. A run that fails marks its line
// `interrupted`; one that cannot (the database is down, the process died) leaves it `running`, and
// it is marked `interrupted` by the next execution of the same plan, by the next scheduled run of
// the tenant (for the cron's own runs, which its lease keeps from overlapping), and, for readers,
// once it is older than any run can last.
import type { ResultSet } from "@libsql/client";
import type { Db } from "../db/client.ts";
import type { ActorType } from "../db/schema.ts";
import { AppError } from "./errors.ts";
import type { Stmt } from "./store/audit.ts";
import type { ExecutionContext, FirstReadDone } from "./store/execution.ts";
import { endedRunStatement } from "./store/sync-runs.ts";
import { executePlan, runApproved } from "./sync.ts";

/** No run lasts this long (a cron invocation ends at 15 minutes): a `running` line this old is dead. */
export const RUNNING_AT_MOST_MS = 15 * 60_000;

export const INTERRUPTED =
  "This run stopped before it finished (the worker, the connection or the database went away). " +
  "Actions it had done stay done; execute the plan again to run the rest.";

// As store/sync-runs.ts logs each actor's executions.
const TRIGGER_OF_ACTOR: Record<ActorType, "manual" | "cron" | "event" | "api"> = {
  api_key: "api",
  admin: "manual",
  member: "manual",
  cron: "cron",
  event: "event",
  scim: "api",
  system: "cron",
};

type ExecuteOptions = Parameters<typeof executePlan>[3];

/** executePlan with its `running` line in the sync log for as long as it runs. */
export async function executeLogged(db: Db, tenantId: string, planId: string, options: ExecuteOptions) {
  const line = crypto.randomUUID();
  await db.$client.batch(
    openLineStatements(tenantId, planId, options.actor.type, line, { fresh: false, ifStartable: false }),
    "write",
  );
  try {
    const plan = await executePlan(db, tenantId, planId, options);
    await removeLine(db, tenantId, line);
    return plan;
  } catch (error) {
    await settleFailed(db, tenantId, line, error);
    throw error;
  }
}

/** A refusal (4xx) ran nothing: its line goes. Anything else cut the run off. */
async function settleFailed(db: Db, tenantId: string, line: string, error: unknown): Promise<void> {
  const settle = error instanceof AppError && error.status < 500 ? removeLine : markInterrupted;
  await settle(db, tenantId, line).catch(() => {});
}

/**
 * Statements that mark the plan's earlier `running` lines interrupted (an execution that died
 * before it could say so; one still running meanwhile replaces its line with its result when it
 * ends) and open this run's `line`. Nothing is written for a plan the tenant does not have.
 * `ifStartable`: only if the plan has approved actions pending and is not blocked (for the batch
 * that approves what the run will execute). `fresh`: the plan was made by this request, so no
 * earlier line of it can be running.
 */
export function openLineStatements(
  tenantId: string,
  planId: string,
  actorType: ActorType,
  line: string,
  options: { fresh: boolean; ifStartable: boolean },
): Stmt[] {
  const now = new Date().toISOString();
  const startable = options.ifStartable
    ? `plans.status != 'blocked'
    AND EXISTS (SELECT 1 FROM plan_actions WHERE plan_id = plans.id AND approved = 1 AND status = 'pending')`
    : "1";
  const open: Stmt = {
    sql: `INSERT INTO sync_runs (id, tenant_id, hub_id, trigger, status, plan_id, counts, started_at)
          SELECT ?, tenant_id, hub_id, ?, 'running', id, '{}', ? FROM plans WHERE tenant_id = ? AND id = ? AND ${startable}`,
    args: [line, TRIGGER_OF_ACTOR[actorType], now, tenantId, planId],
  };
  if (options.fresh) return [open];
  return [
    {
      sql: `UPDATE sync_runs SET status = 'interrupted', error = ?, finished_at = ?
            WHERE tenant_id = ? AND plan_id = ? AND status = 'running'
              AND EXISTS (SELECT 1 FROM plans WHERE tenant_id = ? AND id = ? AND ${startable})`,
      args: [INTERRUPTED, now, tenantId, planId, tenantId, planId],
    },
    open,
  ];
}

/**
 * executePlan for a caller that has opened the run's line (openLineStatements) and holds the
 * execution context: runs the plan's approved actions, then turns the line into the run's in the
 * same round trip as `after` (statements reading what the caller needs), whose results it returns.
 */
export async function executeUnderLine(
  db: Db,
  line: string,
  planId: string,
  ctx: ExecutionContext,
  /** `read`: the first read, when the caller made it in a batch of its own (firstRead). */
  options: { budgetMs: number; after: Stmt[]; read?: FirstReadDone },
): Promise<ResultSet[]> {
  try {
    // The line ends in the batch that runs the last actions, when there is one; else on its own.
    const last = () => [endedRunStatement(ctx.tenantId, line, planId, new Date()), ...options.after];
    const results =
      (await runApproved(db, planId, ctx, options.budgetMs, { last: last(), read: options.read })) ??
      (await db.$client.batch(last(), "write"));
    return results.slice(1);
  } catch (error) {
    await settleFailed(db, ctx.tenantId, line, error);
    throw error;
  }
}

/** Lines the tenant's scheduled runs left `running`: no other run of the tenant holds its lease now. */
export async function settleCronLines(db: Db, tenantId: string): Promise<void> {
  await db.$client.execute({
    sql: `UPDATE sync_runs SET status = 'interrupted', error = ?, finished_at = ?
          WHERE tenant_id = ? AND trigger = 'cron' AND status = 'running'`,
    args: [INTERRUPTED, new Date().toISOString(), tenantId],
  });
}

/** How a line reads: `running` long past any run's end is a run that died. */
export function asRead<T extends { status: string; startedAt: string; error: string | null }>(
  run: T,
  now: Date,
): T {
  if (run.status !== "running") return run;
  if (now.getTime() - Date.parse(run.startedAt) < RUNNING_AT_MOST_MS) return run;
  return { ...run, status: "interrupted", error: run.error ?? INTERRUPTED };
}

async function removeLine(db: Db, tenantId: string, id: string): Promise<void> {
  await db.$client.execute({
    sql: "DELETE FROM sync_runs WHERE tenant_id = ? AND id = ?",
    args: [tenantId, id],
  });
}

async function markInterrupted(db: Db, tenantId: string, id: string): Promise<void> {
  await db.$client.execute({
    sql: `UPDATE sync_runs SET status = 'interrupted', error = ?, finished_at = ?
          WHERE tenant_id = ? AND id = ? AND status = 'running'`,
    args: [INTERRUPTED, new Date().toISOString(), tenantId, id],
  });
}
