// Sync runs as the Log tab shows them: the API's runs (imports and executions, whoever started them:
// this sheet, the cron, events, scripts) and, where the deployment does not list runs, the Applies
// made from this sheet, recorded by the add-on itself.
import type { ProgressBody, SyncRunBody } from "../shared/contract.ts";

export interface LogRun {
  /** The API's run id, or "sheet:<plan>:<started>" for a run recorded by the add-on. */
  runId: string;
  startedAt: string;
  finishedAt: string | null;
  trigger: string;
  status: string;
  /** Planned actions for an import, approved actions for an execution. */
  actions: number;
  done: number | null;
  failed: number | null;
  stale: number | null;
  skipped: number | null;
  details: string;
  planId: string | null;
  /** An execution (Apply) rather than an import and plan. */
  execution: boolean;
}

const SHEET_RUN = "sheet:";
const TRIGGERS: Record<SyncRunBody["trigger"], string> = {
  manual: "manual",
  cron: "scheduled",
  event: "HRIS event",
  api: "API (sheet or script)",
};

/** An Apply from this sheet, as one Log row. */
export function sheetRun(
  planId: string,
  startedAt: string,
  finishedAt: string,
  progress: ProgressBody,
): LogRun {
  return {
    runId: `${SHEET_RUN}${planId}:${startedAt}`,
    startedAt,
    finishedAt,
    trigger: "manual (this sheet)",
    status: progress.failed > 0 || progress.stale > 0 ? "done with problems" : "done",
    actions: progress.approved,
    done: progress.done,
    failed: progress.failed,
    stale: progress.stale,
    skipped: progress.skipped,
    details: applied(progress),
    planId,
    execution: true,
  };
}

export function isSheetRun(run: LogRun): boolean {
  return run.runId.startsWith(SHEET_RUN);
}

/** The API's runs of this hub as Log rows. */
export function logRuns(runs: SyncRunBody[], hubId: string): LogRun[] {
  return runs.filter((run) => run.hubId === null || run.hubId === hubId).map(logRun);
}

// An execution run's counts are the plan's progress when it ended; an import run's are actions per kind.
function logRun(run: SyncRunBody): LogRun {
  const { counts } = run;
  const execution = counts.approved !== undefined;
  const error = run.error ? ` ${run.error}` : "";
  const kinds = Object.entries(counts).map(([kind, n]) => `${kind} ${n}`);
  return {
    runId: run.id,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    trigger: TRIGGERS[run.trigger],
    status: run.status,
    actions: execution ? (counts.approved ?? 0) : Object.values(counts).reduce((sum, n) => sum + n, 0),
    done: execution ? (counts.done ?? 0) : null,
    failed: execution ? (counts.failed ?? 0) : null,
    stale: execution ? (counts.stale ?? 0) : null,
    skipped: execution ? (counts.skipped ?? 0) : null,
    details: (execution ? applied(counts) : `Plan: ${kinds.join(", ") || "nothing to do"}.`) + error,
    planId: run.planId,
    execution,
  };
}

function applied(counts: Partial<Record<keyof ProgressBody, unknown>>): string {
  const n = (key: keyof ProgressBody) => (typeof counts[key] === "number" ? counts[key] : 0);
  const problems = [
    n("failed") ? `${n("failed")} failed` : "",
    n("stale") ? `${n("stale")} stale` : "",
    n("pending") ? `${n("pending")} still pending` : "",
  ].filter(Boolean);
  return `Apply: ${n("done")} of ${n("approved")} done${problems.length ? `; ${problems.join(", ")}` : ""}.`;
}
