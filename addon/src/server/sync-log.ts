// Keeps the Log tab current: the runs given (an Apply from this sheet) plus the API's sync runs for
// this hub, pulled when the deployment lists them.
import type { SyncRunBody } from "../shared/contract.ts";
import type { LogResult } from "../shared/sidebar-api.ts";
import { messageOf } from "./api.ts";
import type { Context } from "./context.ts";
import { setLastSyncAt } from "./document-state.ts";
import { listSyncRuns } from "./endpoints.ts";
import { writeLog } from "./log-tab.ts";
import { type LogRun, logRuns } from "./sync-runs.ts";

const NOT_LISTED =
  "This deployment does not list sync runs (GET /v1/sync-runs answered 404), so the Log shows the runs applied from this sheet only.";

/**
 * Writes these runs and the pulled ones to Log. A failure to pull is noted, not thrown: the runs
 * given (an Apply that already happened) must be logged whatever the API says about its list.
 */
export function recordRuns(context: Context, runs: LogRun[]): LogResult {
  const { answer, note } = pull(context);
  const pulled = answer === null ? [] : logRuns(answer, context.hub.id);
  const logged = writeLog(context.spreadsheet, [...pulled, ...runs], note);
  const finished = logged.map((run) => run.finishedAt).filter((at): at is string => at !== null);
  const lastSyncAt = finished.sort().pop() ?? null;
  if (lastSyncAt) setLastSyncAt(context.document, lastSyncAt);
  return { runs: logged.length, pulled: answer !== null, note, lastSyncAt };
}

function pull(context: Context): { answer: SyncRunBody[] | null; note: string | null } {
  try {
    const answer = listSyncRuns(context.target, context.hub.id);
    return { answer, note: answer === null ? NOT_LISTED : null };
  } catch (error) {
    return { answer: null, note: `The API's sync runs could not be pulled this time: ${messageOf(error)}` };
  }
}
