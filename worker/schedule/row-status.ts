// What the status column says for each row after a scheduled run: the row's action and where it
// stands, in words an admin reads in the sheet.
import type { planActions } from "../../db/schema.ts";

type Action = Pick<
  typeof planActions.$inferSelect,
  "kind" | "row" | "status" | "approved" | "reason" | "message"
>;

const DONE: Record<string, string> = {
  invite: "Invited",
  update: "Updated",
  reactivate: "Reactivated",
  deactivate: "Deactivated",
  delete_from_hub: "Removed from the hub",
  delete_from_tenant: "Deleted",
};

export function rowStatus(action: Action | undefined, planBlocked: boolean): string {
  if (!action) return "Up to date";
  if (action.kind === "error") return `Error: ${action.reason}`;
  if (action.kind === "skip") return `Skipped: ${action.reason}`;
  if (action.kind === "scheduled") return `Scheduled: ${action.reason}`;
  if (action.status === "done") return DONE[action.kind] ?? "Done";
  if (action.status !== "pending") return `${capitalised(action.status)}: ${action.message ?? action.reason}`;
  if (planBlocked) {
    return `Blocked: this sync would deprovision more people than the guard allows; an admin must review it (${action.kind}).`;
  }
  if (action.approved) return `Approved, not applied yet (${action.kind}): the next run continues.`;
  return `Waiting for approval (${action.kind}): ${action.reason}`;
}

/** One status per sheet row, blank for rows with nothing in them. */
export function columnOfStatuses(
  rowNumbers: number[],
  blankRows: ReadonlySet<number>,
  actions: Action[],
  planBlocked: boolean,
): string[] {
  const byRow = new Map(actions.filter((a) => a.row !== null).map((a) => [a.row as number, a]));
  return rowNumbers.map((row) => (blankRows.has(row) ? "" : rowStatus(byRow.get(row), planBlocked)));
}

function capitalised(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
