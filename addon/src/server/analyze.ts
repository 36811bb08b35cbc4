// Analyze: the Mapping tab is saved as the hub's mapping, the Export is imported (as JSON rows with
// their sheet row numbers) and planned by the API, and the plan's actions are written to Review.
// Nothing in the sheet changes until the API has answered every call, so a failure leaves the
// admin's Review (and its ticks) as it was.
import type { ActionBody, ActionKindName, ImportResultBody } from "../shared/contract.ts";
import type { AnalyzeOptions, PlanIssues, PlanView } from "../shared/sidebar-api.ts";
import { ApiError } from "./api.ts";
import type { Context } from "./context.ts";
import { setCurrentPlan } from "./document-state.ts";
import { importTable, listAllActions, saveMapping } from "./endpoints.ts";
import { readExport } from "./export-tab.ts";
import { mappingInput, readMappingRows } from "./mapping-tab.ts";
import { planView } from "./plan-view.ts";
import { REVIEW_TAB, writeReview } from "./review-tab.ts";

/** How many of the API's import messages the sidebar lists; the rest are counted. */
const SHOWN_ISSUES = 5;
const ISSUE_CHARS = 300;

export function runAnalyze(context: Context, options: AnalyzeOptions): PlanView {
  const { spreadsheet, target, hub, document } = context;
  const table = readExport(spreadsheet);
  saveSheetMapping(context);
  const result = importTable(target, hub.id, table, options.partial === true);
  const actions: ActionBody[] = listAllActions(target, result.plan.id);
  const ticked: Map<ActionKindName, number> = writeReview(spreadsheet, actions);
  const issues = issuesOf(result);
  setCurrentPlan(document, { id: result.plan.id, issues });
  const review = spreadsheet.getSheetByName(REVIEW_TAB.name);
  if (review) spreadsheet.setActiveSheet(review);
  return planView(result.plan, ticked, issues);
}

function saveSheetMapping({ spreadsheet, target, hub }: Context): void {
  const rows = readMappingRows(spreadsheet);
  if (rows.length === 0) {
    throw new Error("The Mapping tab is empty. Press Auto-map, check the suggested fields, then Analyze.");
  }
  try {
    saveMapping(target, hub.id, mappingInput(rows.map(({ mapping }) => mapping)));
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 422 || error.details.length === 0) throw error;
    throw new Error(
      `Fix the Mapping tab, then Analyze again. ${mappingProblems(
        error,
        rows.map(({ row }) => row),
      )}`,
    );
  }
}

// The API names a problem by its index in the table ("columns[3].field"); the admin knows the row.
function mappingProblems(error: ApiError, sheetRows: number[]): string {
  return error.details
    .map((detail) => {
      // "columns[3].field" from the mapping check, "json.columns.3.field" from request validation.
      const match = /columns(?:\[(\d+)\]|\.(\d+))/.exec(detail.field ?? "");
      const index = match?.[1] ?? match?.[2];
      const row = index === undefined ? undefined : sheetRows[Number(index)];
      return row === undefined ? detail.message : `Row ${row}: ${detail.message}`;
    })
    .join(" ");
}

function issuesOf(result: ImportResultBody): PlanIssues {
  const issues = result.import.issues;
  return {
    errors: issues.filter((issue) => issue.level === "error").length,
    warnings: issues.filter((issue) => issue.level === "warning").length,
    messages: issues.slice(0, SHOWN_ISSUES).map((issue) => {
      const text = issue.row === null ? issue.message : `Export row ${issue.row}: ${issue.message}`;
      return text.length > ISSUE_CHARS ? `${text.slice(0, ISSUE_CHARS - 1)}…` : text;
    }),
  };
}
