// A plan as getPlan answers it, and its first actions, as statements: for a request that reads
// them in the batch that last changed the plan instead of in round trips of their own.
import type { ResultSet } from "@libsql/client";
import type { ActionKind, ActionStatus } from "../../db/schema.ts";
import type { Stmt } from "./audit.ts";
import { type PlanView, planFrom, planStatements } from "./plans.ts";

export type { PlanView } from "./plans.ts";

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
    ...planStatements(tenantId, planId),
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
  return {
    plan: planFrom([plan as ResultSet, progress as ResultSet], planId),
    actions: (actions?.rows ?? []).map((a) => ({
      id: String(a.id),
      kind: a.kind as ActionKind,
      status: a.status as ActionStatus,
      approved: Number(a.approved) === 1,
      reason: String(a.reason),
      message: a.message === null || a.message === undefined ? null : String(a.message),
    })),
  };
}
