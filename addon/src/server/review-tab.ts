// The Review tab: one row per proposed action. The admin ticks Approve; everything else is written
// by the add-on, in whole-range reads and writes (a handful of calls for any number of rows).
//
// Ticks outlive a re-analyze: each row carries a hidden key (kind, person, and a hash of the changes),
// and a new plan's action inherits the tick of the old row with the same key. An action that changed
// in any way (another field, another value) gets a new key and starts unticked.
import type { ActionBody, ActionKindName } from "../shared/contract.ts";
import { isBlankCell, textCell } from "./cells.ts";
import { changesHash } from "./hash.ts";
import { isApprovable, isKind, KIND_ORDER, kindLabel } from "./kinds.ts";
import { columnIndex, columnLetter, ensureRows, ensureTab, type TabSpec } from "./tabs.ts";

type Spreadsheet = GoogleAppsScript.Spreadsheet.Spreadsheet;
type Sheet = GoogleAppsScript.Spreadsheet.Sheet;
type DataValidation = GoogleAppsScript.Spreadsheet.DataValidation;

/** Status → cell colours. Pending has none: it is the state of everything not yet applied. */
const STATUS_COLOURS: Record<string, { background: string; font: string }> = {
  done: { background: "#e6f4ea", font: "#137333" },
  failed: { background: "#fce8e6", font: "#a50e0e" },
  stale: { background: "#fef7e0", font: "#8a4b00" },
  skipped: { background: "#f1f3f4", font: "#5f6368" },
};

export const REVIEW_TAB: TabSpec = {
  name: "Review",
  ownership: "Analyze and Apply write every column except Approve; tick Approve, then Apply approved.",
  columns: [
    { header: "Approve", width: 70 },
    { header: "Action", width: 110, owned: true },
    { header: "Person", width: 240, owned: true },
    { header: "Changes", width: 320, owned: true },
    { header: "Reason", width: 320, owned: true },
    { header: "Status", width: 80, owned: true },
    { header: "Message", width: 280, owned: true },
    { header: "Export row", width: 80, owned: true },
    { header: "Action id", width: 120, owned: true, hidden: true },
    { header: "Key", width: 120, owned: true, hidden: true },
  ],
  setUp: (sheet) => colourStatuses(sheet),
};
const WIDTH = REVIEW_TAB.columns.length;
const STATUS = columnIndex(REVIEW_TAB, "Status");
const MESSAGE = columnIndex(REVIEW_TAB, "Message");
const ID = columnIndex(REVIEW_TAB, "Action id");
const KEY = columnIndex(REVIEW_TAB, "Key");
const KIND_SEPARATOR = "|";

/** What Apply needs from the tab: each row's action id, kind and tick, in sheet order. */
export interface ReviewRow {
  id: string;
  kind: string;
  ticked: boolean;
  /** The Approve cell as it was: a checkbox's true/false, or empty for rows with nothing to approve. */
  approveCell: boolean | "";
  status: string;
  message: string;
}

/** Every data row, in sheet order (the admin may have sorted it). One read. */
export function readReview(spreadsheet: Spreadsheet): ReviewRow[] {
  const sheet = sheetOf(spreadsheet);
  const last = sheet.getLastRow();
  if (last < 2) return [];
  return sheet
    .getRange(2, 1, last - 1, WIDTH)
    .getValues()
    .map((cells) => ({
      id: String(cells[ID - 1] ?? ""),
      kind: String(cells[KEY - 1] ?? "").split(KIND_SEPARATOR)[0] ?? "",
      ticked: cells[0] === true,
      approveCell: cells[0] === true || cells[0] === false ? cells[0] : "",
      status: String(cells[STATUS - 1] ?? ""),
      message: String(cells[MESSAGE - 1] ?? ""),
    }));
}

function sheetOf(spreadsheet: Spreadsheet): Sheet {
  return ensureTab(spreadsheet, REVIEW_TAB);
}

/**
 * Replaces the tab with the plan's actions, keeping the admin's ticks for unchanged actions.
 * Returns how many actions of each kind are ticked.
 */
export function writeReview(spreadsheet: Spreadsheet, actions: ActionBody[]): Map<ActionKindName, number> {
  const sheet = ensureTab(spreadsheet, REVIEW_TAB);
  const previous = previousTicks(sheet);
  const ordered = [...actions].sort(byKindThenPlanOrder);
  const ticked = new Map<ActionKindName, number>();
  const rows = ordered.map((action) => {
    const key = actionKey(action);
    const tick = isApprovable(action.kind) ? (previous.ticks.get(key) ?? action.approved) : null;
    if (tick) ticked.set(action.kind, (ticked.get(action.kind) ?? 0) + 1);
    return rowCells(action, key, tick);
  });
  if (rows.length > 0) {
    ensureRows(sheet, rows.length);
    sheet.getRange(2, 1, rows.length, WIDTH).setValues(rows);
    sheet.getRange(2, 1, rows.length, 1).setDataValidations(approveRules(ordered));
  }
  if (previous.rows > rows.length) {
    sheet
      .getRange(rows.length + 2, 1, previous.rows - rows.length, WIDTH)
      .clearContent()
      .clearDataValidations();
  }
  return ticked;
}

/** Ticks every row of this kind (one read, one write); returns the ticks per kind afterwards. */
export function tickKind(spreadsheet: Spreadsheet, kind: ActionKindName): Map<ActionKindName, number> {
  const rows = readReview(spreadsheet);
  if (rows.length === 0) return new Map();
  const approve = rows.map((row) => {
    if (row.kind === kind) row.ticked = true;
    return [row.kind === kind ? true : row.approveCell];
  });
  sheetOf(spreadsheet).getRange(2, 1, approve.length, 1).setValues(approve);
  return countTicks(rows);
}

export function tickedCounts(spreadsheet: Spreadsheet): Map<ActionKindName, number> {
  return countTicks(readReview(spreadsheet));
}

export function countTicks(rows: ReviewRow[]): Map<ActionKindName, number> {
  const ticked = new Map<ActionKindName, number>();
  for (const row of rows) {
    if (row.ticked && isKind(row.kind)) ticked.set(row.kind, (ticked.get(row.kind) ?? 0) + 1);
  }
  return ticked;
}

/** Writes status and message for every row whose action is in `actions`: one write for the block. */
export function writeStatuses(spreadsheet: Spreadsheet, rows: ReviewRow[], actions: ActionBody[]): number {
  if (rows.length === 0) return 0;
  const sheet = ensureTab(spreadsheet, REVIEW_TAB);
  const byId = new Map(actions.map((action) => [action.id, action]));
  let written = 0;
  const cells = rows.map((row) => {
    const action = byId.get(row.id);
    if (action) written++;
    return [textCell(action?.status ?? row.status), textCell(action ? action.message : row.message)];
  });
  sheet.getRange(2, STATUS, cells.length, 2).setValues(cells);
  return written;
}

function previousTicks(sheet: Sheet): { rows: number; ticks: Map<string, boolean> } {
  const last = sheet.getLastRow();
  const ticks = new Map<string, boolean>();
  if (last < 2) return { rows: 0, ticks };
  const values = sheet.getRange(2, 1, last - 1, WIDTH).getValues();
  for (const cells of values) {
    const key = cells[KEY - 1];
    if (typeof key === "string" && key && !isBlankCell(cells[0])) ticks.set(key, cells[0] === true);
  }
  return { rows: values.length, ticks };
}

function rowCells(action: ActionBody, key: string, tick: boolean | null): (string | number | boolean)[] {
  return [
    tick ?? "",
    kindLabel(action.kind),
    textCell(person(action)),
    textCell(changesText(action)),
    textCell([action.reason, ...action.warnings.map((warning) => `⚠ ${warning}`)].join("\n")),
    textCell(action.status),
    textCell(action.message),
    action.row ?? "",
    textCell(action.id),
    textCell(key),
  ];
}

function person(action: ActionBody): string {
  const email = action.email ? `<${action.email}>` : "";
  const name = action.name ?? (action.employeeId ? `Employee ${action.employeeId}` : "");
  return [name, email].filter(Boolean).join(" ") || (action.row ? `Export row ${action.row}` : "");
}

function changesText(action: ActionBody): string {
  return action.changes
    .map((change) => `${change.field}: ${shown(change.before)} → ${shown(change.after)}`)
    .join("\n");
}

function shown(value: string | null): string {
  return value === null || value === "" ? "—" : value;
}

/** Kind, who, and a hash of exactly what would change: equal keys mean the same proposal. */
export function actionKey(action: ActionBody): string {
  const who = action.employeeId
    ? `id:${action.employeeId}`
    : action.email
      ? `email:${action.email.toLowerCase()}`
      : `row:${action.row ?? ""}:${action.reason}`;
  return [action.kind, who, changesHash(action.changes)].join(KIND_SEPARATOR);
}

function approveRules(actions: ActionBody[]): (DataValidation | null)[][] {
  const checkbox = SpreadsheetApp.newDataValidation().requireCheckbox().build();
  return actions.map((action) => [isApprovable(action.kind) ? checkbox : null]);
}

function byKindThenPlanOrder(a: ActionBody, b: ActionBody): number {
  return KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || a.seq - b.seq;
}

// Whole-column rules, so rows added by a later, longer plan are coloured too.
function colourStatuses(sheet: Sheet): void {
  const letter = columnLetter(STATUS);
  const status = sheet.getRange(`${letter}:${letter}`);
  const rules = Object.entries(STATUS_COLOURS).map(([value, colours]) =>
    SpreadsheetApp.newConditionalFormatRule()
      .whenTextEqualTo(value)
      .setBackground(colours.background)
      .setFontColor(colours.font)
      .setRanges([status])
      .build(),
  );
  sheet.setConditionalFormatRules([...sheet.getConditionalFormatRules(), ...rules]);
}
