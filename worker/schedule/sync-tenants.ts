// Every tick of the worker's cron: each tenant whose own schedule fired since its last run is
// synced, one at a time, under a lease. A tenant that fails is logged and the next one runs; a
// tenant another run holds is skipped; tenants left when the tick's time runs out stay due and run
// at the next tick.
import { asc } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { type TenantSettings, tenants } from "../../db/schema.ts";
import type { Env } from "../env.ts";
import { settleCronLines } from "../execution-log.ts";
import { lastRunOf, releaseLease, takeLease } from "../store/leases.ts";
import { DEFAULT_SETTINGS } from "../store/tenants.ts";
import { dueOccurrence } from "./due.ts";
import { accessTokens, serviceAccountOf } from "./google-auth.ts";
import { googleEndpoints } from "./google-endpoints.ts";
import { recordFailedRun } from "./run-log.ts";
import { errorSentence } from "./source-error.ts";
import type { SheetsClient } from "./sources/sheets.ts";
import { runTenant, type TenantReport } from "./tenant-run.ts";

export const LEASE_NAME = "scheduled-sync";
/**
 * A cron invocation lives at most 15 minutes, so a lease held a minute longer outlives the run
 * that took it: no two runs of a tenant overlap, and one that died frees its tenant after this.
 */
const LEASE_TTL_MS = 16 * 60_000;
/** Execution time per plan. */
const PLAN_BUDGET_MS = 60_000;
/** Cron invocations may run 15 minutes; no new tenant starts after this much of it. */
const TICK_BUDGET_MS = 11 * 60_000;

export type TenantOutcome =
  | { tenantId: string; status: "not_due" | "leased" | "deferred" }
  | { tenantId: string; status: "ran"; occurrence: string; report: TenantReport }
  | { tenantId: string; status: "failed"; error: string };

export async function syncDueTenants(db: Db, env: Env, now: Date): Promise<TenantOutcome[]> {
  const started = Date.now();
  const shared = {
    db,
    env,
    now,
    acceptUrl: `${publicOrigin(env)}/invitations/accept?token=`,
    budgetMs: PLAN_BUDGET_MS,
    sheets: sheetsClient(env),
    fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init),
  };
  const all = await db
    .select({ id: tenants.id, settings: tenants.settings })
    .from(tenants)
    .orderBy(asc(tenants.createdAt), asc(tenants.id));
  const outcomes: TenantOutcome[] = [];
  for (const tenant of all) {
    if (Date.now() - started > TICK_BUDGET_MS) {
      outcomes.push({ tenantId: tenant.id, status: "deferred" });
      continue;
    }
    outcomes.push(
      await syncTenant(shared, { id: tenant.id, settings: { ...DEFAULT_SETTINGS, ...tenant.settings } }),
    );
  }
  return outcomes;
}

async function syncTenant(
  ctx: Parameters<typeof runTenant>[0],
  tenant: { id: string; settings: TenantSettings },
): Promise<TenantOutcome> {
  const { db } = ctx;
  let occurrence: Date | null;
  try {
    occurrence = dueOccurrence(tenant.settings, await lastRunOf(db, tenant.id, LEASE_NAME), ctx.now);
  } catch (error) {
    // Settings are checked when saved, so this is a tenant edited behind the API's back.
    console.error(
      `scheduled sync: tenant ${tenant.id} has a schedule that cannot be read (${errorSentence(error)})`,
    );
    return { tenantId: tenant.id, status: "failed", error: errorSentence(error) };
  }
  if (!occurrence) return { tenantId: tenant.id, status: "not_due" };
  const holder = crypto.randomUUID();
  const taken = await takeLease(db, tenant.id, LEASE_NAME, {
    holder,
    now: new Date(),
    ttlMs: LEASE_TTL_MS,
    occurrence,
  });
  if (!taken) return { tenantId: tenant.id, status: "leased" };
  try {
    // Holding the lease, this is the tenant's only scheduled run: one still `running` in the log died.
    await settleCronLines(db, tenant.id);
    const report = await runTenant(ctx, tenant);
    return { tenantId: tenant.id, status: "ran", occurrence: occurrence.toISOString(), report };
  } catch (error) {
    const sentence = errorSentence(error);
    await recordFailedRun(db, {
      tenantId: tenant.id,
      hubId: null,
      error: sentence,
      startedAt: ctx.now,
    }).catch(() => {});
    return { tenantId: tenant.id, status: "failed", error: sentence };
  } finally {
    await releaseLease(db, tenant.id, LEASE_NAME, holder, occurrence);
  }
}

function sheetsClient(env: Env): SheetsClient | null {
  let account: ReturnType<typeof serviceAccountOf>;
  try {
    account = serviceAccountOf(env);
  } catch (error) {
    console.error(`scheduled sync: ${errorSentence(error)}`);
    return null;
  }
  if (!account) return null;
  const endpoints = googleEndpoints(env);
  return {
    baseUrl: endpoints.sheetsUrl,
    token: accessTokens(account, endpoints.tokenUrl),
    account: account.clientEmail,
    fetch: (input, init) => fetch(input, init),
  };
}

/** Invitation links point here; development falls back to the local worker. */
function publicOrigin(env: Env): string {
  if (env.PUBLIC_URL) return env.PUBLIC_URL.replace(/\/+$/, "");
  if (env.ENVIRONMENT === "development") return "http://127.0.0.1:8787";
  const problem = "PUBLIC_URL is not set: scheduled syncs cannot build invitation links, so none run.";
  console.error(`scheduled sync: ${problem}`);
  throw new Error(problem);
}
