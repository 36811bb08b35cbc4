// The Log tab: one row per sync run, oldest first, and a column chart of actions per run. Rows are
// merged by run id, so pulling the API's runs again updates them instead of adding duplicates.
import { isDate, textCell } from "./cells.ts";
import { isSheetRun, type LogRun } from "./sync-runs.ts";
import { columnIndex, columnLetter, ensureRows, ensureTab, type TabSpec } from "./tabs.ts";

type Spreadsheet = GoogleAppsScript.Spreadsheet.Spreadsheet;
type Sheet = GoogleAppsScript.Spreadsheet.Sheet;

const DATE_TIME = "yyyy-mm-dd hh:mm";

export const LOG_TAB: TabSpec = {
  name: "Log",
  ownedSheet: true,
  ownership: "the Log is rewritten from the API and this sheet's runs; edits here are replaced.",
  columns: [
    { header: "Started", width: 140, format: DATE_TIME },
    { header: "Finished", width: 140, format: DATE_TIME },
    { header: "Trigger", width: 120 },
    { header: "Status", width: 130 },
    { header: "Actions", width: 70 },
    { header: "Done", width: 60 },
    { header: "Failed", width: 60 },
    { header: "Stale", width: 60 },
    { header: "Skipped", width: 70 },
    { header: "Details", width: 280 },
    { header: "Plan", width: 120, hidden: true },
    { header: "Run id", width: 120, hidden: true },
  ],
};
const WIDTH = LOG_TAB.columns.length;
const STARTED = columnIndex(LOG_TAB, "Started");
const ACTIONS = columnIndex(LOG_TAB, "Actions");

/**
 * Adds or updates these runs and rewrites the tab (one read, one write). Where the API lists an
 * execution of a plan, the add-on's own record of applying that plan is dropped: the API's is the
 * complete one, and the chart would count the Apply twice. Returns every run now in the Log.
 */
export function writeLog(spreadsheet: Spreadsheet, runs: LogRun[], note: string | null): LogRun[] {
  const sheet = ensureTab(spreadsheet, LOG_TAB);
  const existing = readRuns(sheet);
  const executed = new Set(runs.filter((run) => run.execution && !isSheetRun(run)).map((run) => run.planId));
  const byId = new Map<string, LogRun>();
  for (const run of [...existing, ...runs]) {
    if (!(isSheetRun(run) && executed.has(run.planId))) byId.set(run.runId, run);
  }
  const merged = [...byId.values()].sort((a, b) =>
    a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0,
  );
  if (merged.length > 0) {
    ensureRows(sheet, merged.length);
    sheet.getRange(2, 1, merged.length, WIDTH).setValues(merged.map(cells));
  }
  if (existing.length > merged.length) {
    sheet.getRange(merged.length + 2, 1, existing.length - merged.length, WIDTH).clearContent();
  }
  sheet.getRange(1, 1).setNote(note ?? "");
  if (sheet.getCharts().length === 0) insertChart(sheet);
  return merged;
}

function readRuns(sheet: Sheet): LogRun[] {
  const last = sheet.getLastRow();
  if (last < 2) return [];
  return sheet
    .getRange(2, 1, last - 1, WIDTH)
    .getValues()
    .filter((cells) => typeof cells[WIDTH - 1] === "string" && cells[WIDTH - 1] !== "")
    .map((cells) => ({
      startedAt: iso(cells[0]) ?? "",
      finishedAt: iso(cells[1]),
      trigger: String(cells[2]),
      status: String(cells[3]),
      actions: Number(cells[4]) || 0,
      done: count(cells[5]),
      failed: count(cells[6]),
      stale: count(cells[7]),
      skipped: count(cells[8]),
      details: String(cells[9]),
      planId: cells[10] === "" ? null : String(cells[10]),
      runId: String(cells[11]),
      // Only executions have per-status counts.
      execution: typeof cells[5] === "number",
    }));
}

function cells(run: LogRun): (string | number | Date)[] {
  return [
    new Date(run.startedAt),
    run.finishedAt ? new Date(run.finishedAt) : "",
    textCell(run.trigger),
    textCell(run.status),
    run.actions,
    run.done ?? "",
    run.failed ?? "",
    run.stale ?? "",
    run.skipped ?? "",
    textCell(run.details),
    textCell(run.planId),
    textCell(run.runId),
  ];
}

// Whole-column ranges, so the chart takes in the runs logged after it was made.
function insertChart(sheet: Sheet): void {
  const started = columnLetter(STARTED);
  const actions = columnLetter(ACTIONS);
  const chart = sheet
    .newChart()
    .asColumnChart()
    .setTitle("Actions per run")
    .addRange(sheet.getRange(`${started}:${started}`))
    .addRange(sheet.getRange(`${actions}:${actions}`))
    .setNumHeaders(1)
    .setPosition(2, WIDTH + 2, 0, 0)
    .build();
  sheet.insertChart(chart);
}

function iso(value: unknown): string | null {
  if (isDate(value)) return new Date(value.getTime()).toISOString();
  return typeof value === "string" && value !== "" ? value : null;
}

function count(value: unknown): number | null {
  return typeof value === "number" ? value : null;
}
