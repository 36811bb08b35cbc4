// One sync from snapshot to stored plan, and from approvals to executed actions: the engine's
// pure steps with storage around them. Routes, the cron and events all come through here.
import type { Db } from "../db/client.ts";
import type { MappingColumn } from "../db/schema.ts";
import { suggestColumns } from "./engine/automap.ts";
import { isoDateInZone } from "./engine/dates.ts";
import { deriveFields } from "./engine/derive.ts";
import { evaluateGuard } from "./engine/guard.ts";
import { applyMapping } from "./engine/mapping.ts";
import { indexMembers, matchRecords } from "./engine/match.ts";
import { parseCsv, parseJsonTable, UnreadableFile } from "./engine/parse.ts";
import { planActions } from "./engine/plan.ts";
import type { ParseResult } from "./engine/types.ts";
import { AppError } from "./errors.ts";
import { type Actor, type ExecutionContext, executeBatch, executionContext } from "./store/execution.ts";
import { latestMapping, saveMapping } from "./store/mappings.ts";
import { contentRegionsOf, loadSnapshots } from "./store/members.ts";
import { getPlan, type NewImport, savePlan } from "./store/plans.ts";
import { getHub, getTenant } from "./store/tenants.ts";
import { afterExecution, afterPlan } from "./sync-hooks.ts";

export type Snapshot =
  | { format: "csv"; body: Uint8Array | string }
  | { format: "json"; body: Parameters<typeof parseJsonTable>[0] };

export interface ImportOptions {
  source: NewImport["source"];
  filename: string | null;
  partial: boolean;
  createdBy: string;
  now: Date;
  /** Use this mapping instead of the hub's (an HRIS event names core fields itself). */
  mapping?: { version: number | null; columns: MappingColumn[] };
}

export function parseSnapshot(snapshot: Snapshot): ParseResult {
  try {
    return snapshot.format === "csv" ? parseCsv(snapshot.body) : parseJsonTable(snapshot.body);
  } catch (error) {
    if (error instanceof UnreadableFile) {
      throw new AppError("unreadable_file", error.message, [{ message: error.message, field: "body" }]);
    }
    throw error;
  }
}

export async function importAndPlan(
  db: Db,
  tenantId: string,
  hubId: string,
  snapshot: Snapshot,
  options: ImportOptions,
) {
  const [tenant, hub] = await Promise.all([getTenant(db, tenantId), getHub(db, tenantId, hubId)]);
  const { table, issues } = parseSnapshot(snapshot);
  const mapping =
    options.mapping ??
    (await mappingFor(db, tenantId, hub.id, table.columns, table.rows.slice(0, 50), options.createdBy));
  const mapped = applyMapping(table, mapping.columns, tenant.settings.dateOrder, issues);
  const members = await loadSnapshots(db, tenantId, hub.id);
  const regions = await contentRegionsOf(db, tenantId);
  const today = isoDateInZone(options.now, tenant.settings.timeZone);
  const matches = deriveFields(matchRecords(mapped.records, indexMembers(members)), members, {
    newId: () => crypto.randomUUID(),
    regions,
    today,
  });
  const hubMembers = members.filter((m) => m.inHub);
  const actions = planActions(matches, mapped.rejected, hubMembers, {
    hubId: hub.id,
    today,
    partial: options.partial,
  });
  const activeCount = hubMembers.filter((m) => m.status === "active" || m.status === "invited").length;
  const guard = evaluateGuard(actions, activeCount, tenant.settings.guard);
  const allIssues = [...issues, ...mapped.issues];
  const plan = await savePlan(
    db,
    {
      tenantId,
      hubId: hub.id,
      source: options.source,
      filename: options.filename,
      partial: options.partial,
      columns: table.columns,
      rowCount: table.rows.length,
      issues: allIssues,
      createdBy: options.createdBy,
    },
    { mappingVersion: mapping.version, guard, actions },
  );
  await afterPlan(db, plan, options.source, options.now);
  const summary = {
    id: plan.importId,
    rowCount: table.rows.length,
    columns: table.columns,
    issues: allIssues,
  };
  return { import: summary, plan };
}

/** The hub's saved mapping, or — first time only — auto-map's core-field suggestions, saved as version 1. */
async function mappingFor(
  db: Db,
  tenantId: string,
  hubId: string,
  columns: string[],
  samples: string[][],
  by: string,
) {
  const saved = await latestMapping(db, tenantId, hubId);
  if (saved) return saved;
  const suggested: MappingColumn[] = suggestColumns(columns, samples, []).map((s) => ({
    column: s.column,
    field: s.kind === "core" ? s.field : null,
    kind: "core",
    visibility: "private",
    values: {},
    reviewed: false,
  }));
  return saveMapping(db, tenantId, hubId, suggested, `auto-map (${by})`);
}

/** Executes approved actions in bounded batches until done or the time budget is spent. */
export async function executePlan(
  db: Db,
  tenantId: string,
  planId: string,
  options: { actor: Actor; acceptUrl: string; budgetMs: number; batchSize?: number },
) {
  const plan = await getPlan(db, tenantId, planId);
  const ctx: ExecutionContext = await executionContext(db, {
    tenantId,
    hubId: plan.hubId,
    actor: options.actor,
    acceptUrl: options.acceptUrl,
    now: new Date(),
  });
  if (plan.status === "blocked") await afterExecution(db, plan, options.actor.type, ctx.now);
  const started = Date.now();
  while (Date.now() - started < options.budgetMs) {
    const looked = await executeBatch(db, planId, ctx, options.batchSize ?? 200);
    if (looked === 0) break;
  }
  return afterExecution(db, await getPlan(db, tenantId, planId), options.actor.type, ctx.now);
}
