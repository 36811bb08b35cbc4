// A plan as getPlan answers it, and its first actions, as statements: for a request that reads
// them in the batch that last changed the plan instead of in round trips of their own.
import type { ResultSet } from "@libsql/client";
import type { ActionKind, ActionStatus } from "../../db/schema.ts";
import { AppError } from "../errors.ts";
import type { Stmt } from "./audit.ts";
import { type getPlan, progressFromCounts } from "./plans.ts";

export type PlanView = Awaited<ReturnType<typeof getPlan>>;

export interface ActionState {
  id: string;
  kind: ActionKind;
  status: ActionStatus;
  approved: boolean;
  reason: string;
  message: string | null;
}

/** The plan, its progress and its first `limit` actions; planStateFrom reads their results. */
export function planStateStatements(tenantId: string, planId: string, limit: number): Stmt[] {
  return [
    {
      sql: `SELECT id, tenant_id, hub_id, import_id, mapping_version, status, summary, guard, overridden_by,
              overridden_at, created_by, created_at
            FROM plans WHERE tenant_id = ? AND id = ?`,
      args: [tenantId, planId],
    },
    {
      sql: "SELECT status, count(*) AS n FROM plan_actions WHERE plan_id = ? AND approved = 1 GROUP BY status",
      args: [planId],
    },
    {
      sql: `SELECT id, kind, status, approved, reason, message FROM plan_actions
            WHERE tenant_id = ? AND plan_id = ? ORDER BY seq LIMIT ?`,
      args: [tenantId, planId, limit],
    },
  ];
}

export function planStateFrom(
  [plan, progress, actions]: ResultSet[],
  planId: string,
): { plan: PlanView; actions: ActionState[] } {
  const row = plan?.rows[0];
  if (!row || !progress || !actions) throw new AppError("not_found", `No plan ${planId} in this tenant.`);
  const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
  return {
    plan: {
      id: String(row.id),
      tenantId: String(row.tenant_id),
      hubId: String(row.hub_id),
      importId: String(row.import_id),
      mappingVersion: row.mapping_version === null ? null : Number(row.mapping_version),
      status: row.status as PlanView["status"],
      summary: JSON.parse(String(row.summary)) as PlanView["summary"],
      guard: JSON.parse(String(row.guard)) as PlanView["guard"],
      overriddenBy: text(row.overridden_by),
      overriddenAt: text(row.overridden_at),
      createdBy: text(row.created_by),
      createdAt: String(row.created_at),
      progress: progressFrom(progress),
    },
    actions: actions.rows.map((a) => ({
      id: String(a.id),
      kind: a.kind as ActionKind,
      status: a.status as ActionStatus,
      approved: Number(a.approved) === 1,
      reason: String(a.reason),
      message: text(a.message),
    })),
  };
}

/** As getPlan counts it: done / total over approved actions. */
function progressFrom(result: ResultSet): PlanView["progress"] {
  return progressFromCounts(result.rows.map((r) => ({ status: String(r.status), n: Number(r.n) })));
}
