// Apply approved: the ticks in Review become approvals, the API executes them in bounded calls, and
// each row's status and message come back into Review.
//
// Apps Script stops an execution after 6 minutes. The execute loop stops starting new calls once
// 4.5 minutes are used, keeping the rest for reading the statuses back and writing them; where it
// stopped is saved in document properties and the sidebar calls Apply again to continue. Every
// invocation makes progress (it always takes its first step), and the API runs each action exactly
// once however often it is asked, so continuing is always safe.
import type { PlanBody } from "../shared/contract.ts";
import type { ApplyResult } from "../shared/sidebar-api.ts";
import type { Context } from "./context.ts";
import { type ApplyCursor, getApplyCursor, getCurrentPlan, setApplyCursor } from "./document-state.ts";
import { executePlan, getPlan, listAllActions, setApprovals } from "./endpoints.ts";
import { isApprovable } from "./kinds.ts";
import { planView } from "./plan-view.ts";
import { countTicks, type ReviewRow, readReview, writeStatuses } from "./review-tab.ts";
import { recordRuns } from "./sync-log.ts";
import { sheetRun } from "./sync-runs.ts";

/** Time an invocation may spend starting execute calls: 4.5 of Apps Script's 6 minutes. */
export const APPLY_BUDGET_MS = 270_000;
/** The longest one execute call takes: the API stops its own work after ~20 s, plus the round trip. */
const EXECUTE_CALL_MS = 30_000;

export function runApply(context: Context): ApplyResult {
  const { spreadsheet, target, document } = context;
  const current = getCurrentPlan(document);
  if (!current) {
    throw new Error(
      "There is no plan to apply yet. Press Analyze, tick the rows to apply in Review, then Apply approved.",
    );
  }
  const started = Date.now();
  const rows = readReview(spreadsheet);
  let cursor: ApplyCursor = getApplyCursor(document) ?? fresh(current.id, started);
  if (cursor.planId !== current.id) cursor = fresh(current.id, started);
  let stepped = false;
  if (cursor.phase === "approve") {
    sendApprovals(context, current.id, rows);
    cursor = { ...cursor, phase: "execute" };
    setApplyCursor(document, cursor);
    stepped = true;
  }
  let plan: PlanBody | null = null;
  while (!stepped || Date.now() - started + EXECUTE_CALL_MS <= APPLY_BUDGET_MS) {
    plan = executePlan(target, current.id);
    stepped = true;
    if (plan.progress.complete) break;
  }
  plan ??= getPlan(target, current.id);
  const written = writeStatuses(spreadsheet, rows, listAllActions(target, current.id));
  if (plan.progress.complete) finish(context, cursor, plan);
  return {
    complete: plan.progress.complete,
    progress: plan.progress,
    written,
    plan: planView(plan, countTicks(rows), current.issues),
  };
}

function fresh(planId: string, started: number): ApplyCursor {
  return { planId, phase: "approve", startedAt: new Date(started).toISOString() };
}

// Ticked rows are approved and unticked ones unapproved, so a tick removed since an earlier Apply
// counts too. Only pending actions change; what already ran keeps its history.
function sendApprovals({ target }: Context, planId: string, rows: ReviewRow[]): void {
  const approvable = rows.filter((row) => row.id && isApprovable(row.kind));
  const ticked = approvable.filter((row) => row.ticked).map((row) => row.id);
  if (ticked.length === 0) {
    throw new Error(
      "Nothing is ticked in Review. Tick Approve on the rows to apply (or use “Approve all” in the sidebar), then Apply approved.",
    );
  }
  const unticked = approvable.filter((row) => !row.ticked).map((row) => row.id);
  setApprovals(target, planId, ticked, true);
  if (unticked.length > 0) setApprovals(target, planId, unticked, false);
}

function finish(context: Context, cursor: ApplyCursor, plan: PlanBody): void {
  setApplyCursor(context.document, null);
  recordRuns(context, [sheetRun(plan.id, cursor.startedAt, new Date().toISOString(), plan.progress)]);
}
