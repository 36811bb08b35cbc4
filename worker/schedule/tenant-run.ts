// One tenant's scheduled run, once it is due and holds its lease: each source pulled, planned,
// applied by policy and its statuses written back to the sheet; then the time-based work. Every
// source and pass is isolated: its failure is logged on a sync run and the rest goes on.
import type { Db } from "../../db/client.ts";
import type { SealedSecret, SyncSource, TenantSettings } from "../../db/schema.ts";
import type { Env } from "../env.ts";
import { getPlan, listActions } from "../store/plans.ts";
import type { Snapshot } from "../sync.ts";
import { type ApplyContext, applyByPolicy, planOnly } from "./apply.ts";
import { columnOfStatuses } from "./row-status.ts";
import { noteRunError, recordFailedRun } from "./run-log.ts";
import { errorSentence, SourceError } from "./source-error.ts";
import { openSecret, sourceContext, sourcesKeyOf } from "./source-secrets.ts";
import { sourceIdOf } from "./source-settings.ts";
import { readCsv } from "./sources/csv.ts";
import { readSheet, type SheetLayout, type SheetsClient } from "./sources/sheets.ts";
import { runTimeBasedWork } from "./time-based.ts";
import { writeStatuses } from "./writeback.ts";

export interface TenantRunContext extends ApplyContext {
  env: Env;
  /** Null when the deployment has no Google service account. */
  sheets: SheetsClient | null;
  fetch: typeof fetch;
}

export interface TenantReport {
  sources: { id: string; planId: string | null; error: string | null }[];
  leaverPlans: number;
  starterPlans: number;
}

export async function runTenant(
  ctx: TenantRunContext,
  tenant: { id: string; settings: TenantSettings },
): Promise<TenantReport> {
  const report: TenantReport = { sources: [], leaverPlans: 0, starterPlans: 0 };
  const snapshotted = new Set<string>();
  for (const [index, source] of (tenant.settings.sources ?? []).entries()) {
    const id = sourceIdOf(source, index);
    const outcome = await runSource(ctx, tenant.id, source, id, () => snapshotted.add(source.hubId));
    report.sources.push({ id, ...outcome });
  }
  Object.assign(report, await runTimeBasedWork(ctx, tenant, snapshotted));
  return report;
}

async function runSource(
  ctx: TenantRunContext,
  tenantId: string,
  source: SyncSource,
  sourceId: string,
  planned: () => void,
): Promise<{ planId: string | null; error: string | null }> {
  let planId: string | null = null;
  try {
    const pulled = await pull(ctx, tenantId, source, sourceId);
    const by = `source:${sourceId}`;
    const plan = await planOnly(ctx, {
      tenantId,
      hubId: source.hubId,
      snapshot: pulled.snapshot,
      partial: source.partial ?? false,
      by,
    });
    planId = plan.id;
    planned();
    await applyByPolicy(ctx, tenantId, plan.id, by);
    if (pulled.layout && ctx.sheets) await writeBack(ctx, ctx.sheets, tenantId, plan.id, pulled.layout);
    return { planId, error: null };
  } catch (error) {
    const sentence = errorSentence(error);
    await recordFailedRun(ctx.db, {
      tenantId,
      hubId: source.hubId,
      planId,
      error: sentence,
      startedAt: ctx.now,
    });
    return { planId, error: sentence };
  }
}

async function pull(
  ctx: TenantRunContext,
  tenantId: string,
  source: SyncSource,
  sourceId: string,
): Promise<{ snapshot: Snapshot; layout: SheetLayout | null }> {
  if (source.type === "csv") {
    const bearer = source.bearer ? await bearerOf(ctx.env, tenantId, sourceId, source.bearer) : null;
    return { snapshot: await readCsv(source.url, bearer, ctx.fetch), layout: null };
  }
  if (!ctx.sheets) {
    throw new SourceError(
      "This deployment has no Google service account (GOOGLE_SERVICE_ACCOUNT_JSON): sheet sources cannot be read.",
    );
  }
  return readSheet(ctx.sheets, source);
}

async function bearerOf(env: Env, tenantId: string, sourceId: string, sealed: SealedSecret) {
  const key = sourcesKeyOf(env);
  try {
    return await openSecret(key, sourceContext(tenantId, sourceId), sealed);
  } catch {
    throw new SourceError(
      "The source's bearer token cannot be decrypted (was SOURCES_ENCRYPTION_KEY changed?): save it again.",
    );
  }
}

/** A failed write-back is noted on the plan's run; the sync itself stands. */
async function writeBack(
  ctx: TenantRunContext,
  sheets: SheetsClient,
  tenantId: string,
  planId: string,
  layout: SheetLayout,
) {
  try {
    const actions = await allActions(ctx.db, tenantId, planId);
    const plan = await getPlan(ctx.db, tenantId, planId);
    const statuses = columnOfStatuses(
      layout.rowNumbers,
      new Set(layout.blankRows),
      actions,
      plan.status === "blocked",
    );
    await writeStatuses(sheets, layout, statuses);
  } catch (error) {
    await noteRunError(
      ctx.db,
      tenantId,
      planId,
      `Statuses were not written back to the sheet: ${errorSentence(error)}`,
    );
  }
}

async function allActions(db: Db, tenantId: string, planId: string) {
  const all = [];
  let after: number | undefined;
  for (;;) {
    const page = await listActions(db, tenantId, planId, {
      limit: 1000,
      ...(after === undefined ? {} : { after }),
    });
    all.push(...page.actions);
    if (page.next === null) return all;
    after = page.next;
  }
}
