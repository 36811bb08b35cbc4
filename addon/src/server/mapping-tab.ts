// The Mapping tab: the hub's data mapping table, one row per Export column. Auto-map fills it, the
// admin edits it (dropdowns of platform fields and kinds, a Reviewed checkbox), Analyze sends it.
import { CORE_FIELDS } from "../../../worker/engine/types.ts";
import type { DateOrderName, MappingColumnInput, MappingKind, Visibility } from "../shared/contract.ts";
import { cellString, isBlankCell, textCell } from "./cells.ts";
import { ensureTab, type TabSpec } from "./tabs.ts";

type Spreadsheet = GoogleAppsScript.Spreadsheet.Spreadsheet;
type Sheet = GoogleAppsScript.Spreadsheet.Sheet;
type DataValidation = GoogleAppsScript.Spreadsheet.DataValidation;

// Records rather than arrays: adding a kind to the contract fails to compile until it is listed here.
const KINDS = Object.keys({ core: true, segment: true, role: true } satisfies Record<MappingKind, true>);
const VISIBILITIES = Object.keys({ private: true, public: true } satisfies Record<Visibility, true>);
const DATE_ORDERS = Object.keys({ MDY: true, DMY: true } satisfies Record<DateOrderName, true>);
const CORE: ReadonlySet<string> = new Set(CORE_FIELDS);

/** "Full-Time → full-time": one HRIS value and its segment option per line of the Values cell. */
const VALUE_ARROW = "→";
const VALUE_LINE = /^(.*?)\s*(?:→|->)\s*(.*)$/;

export const MAPPING_TAB: TabSpec = {
  name: "Mapping",
  ownership: "auto-map writes the Column, Confidence and Why columns; edit the others.",
  columns: [
    { header: "Column", width: 200, owned: true },
    { header: "Field", width: 170 },
    { header: "Kind", width: 90 },
    { header: "Visibility", width: 90 },
    { header: "Values", width: 260 },
    { header: "Date order", width: 90 },
    { header: "Reviewed", width: 80 },
    { header: "Confidence", width: 90, owned: true, format: "0%" },
    { header: "Why", width: 360, owned: true },
  ],
  // Dropdowns for rows the admin adds by hand; auto-map sets them again on the rows it writes.
  setUp: (sheet) => setValidations(sheet, sheet.getMaxRows() - 1, [...CORE_FIELDS]),
};
const WIDTH = MAPPING_TAB.columns.length;

/** One row of the Mapping tab. */
export interface MappingRow {
  column: string;
  field: string | null;
  kind: MappingKind;
  visibility: Visibility;
  values: Record<string, string>;
  dateOrder: DateOrderName | null;
  reviewed: boolean;
  confidence: number | null;
  why: string;
}

/** The rows as the admin left them, each with its sheet row number for messages. */
export function readMappingRows(spreadsheet: Spreadsheet): { row: number; mapping: MappingRow }[] {
  const sheet = ensureTab(spreadsheet, MAPPING_TAB);
  const last = sheet.getLastRow();
  if (last < 2) return [];
  const values = sheet.getRange(2, 1, last - 1, WIDTH).getValues();
  const rows: { row: number; mapping: MappingRow }[] = [];
  values.forEach((cells, index) => {
    if (cells.every(isBlankCell)) return;
    rows.push({ row: index + 2, mapping: rowFromCells(cells, index + 2) });
  });
  return rows;
}

/** The table as the mapping route takes it. */
export function mappingInput(rows: MappingRow[]): MappingColumnInput[] {
  return rows.map((row) => ({
    column: row.column,
    field: row.field,
    kind: row.kind,
    visibility: row.visibility,
    values: row.values,
    reviewed: row.reviewed,
    dateOrder: row.dateOrder,
  }));
}

/** Replaces the table with these rows: one write for the cells, one for their dropdowns. */
export function writeMappingRows(spreadsheet: Spreadsheet, rows: MappingRow[], fields: string[]): void {
  const sheet = ensureTab(spreadsheet, MAPPING_TAB);
  const previous = Math.max(sheet.getLastRow() - 1, 0);
  if (rows.length > 0) {
    if (rows.length + 1 > sheet.getMaxRows()) sheet.insertRowsAfter(sheet.getMaxRows(), rows.length);
    sheet.getRange(2, 1, rows.length, WIDTH).setValues(rows.map(cellsFromRow));
    setValidations(sheet, rows.length, fields);
  }
  if (previous > rows.length) {
    sheet.getRange(rows.length + 2, 1, previous - rows.length, WIDTH).clearContent();
  }
}

function cellsFromRow(row: MappingRow): (string | number | boolean)[] {
  return [
    textCell(row.column),
    textCell(row.field),
    // An ignored column has no kind worth showing; reading a blank Kind back gives "core" again.
    row.field === null ? "" : row.kind,
    row.visibility,
    textCell(valuesText(row.values)),
    row.dateOrder ?? "",
    row.reviewed,
    row.confidence ?? "",
    textCell(row.why),
  ];
}

// Field, Kind, Visibility, Values, Date order, Reviewed: one rule matrix, one call.
function setValidations(sheet: Sheet, rows: number, fields: string[]): void {
  const field = SpreadsheetApp.newDataValidation()
    .requireValueInList(unique([...CORE_FIELDS, ...fields]), true)
    // Segment and role keys are the tenant's own: a key not in the list is flagged, not refused.
    .setAllowInvalid(true)
    .setHelpText("A platform field, or the key of a segment or role.")
    .build();
  const kind = dropdown(KINDS, "core, segment or role.");
  const visibility = dropdown(VISIBILITIES, "private or public.");
  const dateOrder = dropdown(DATE_ORDERS, "MDY (US) or DMY, for dates like 03/04/2025; empty to infer.");
  const reviewed = SpreadsheetApp.newDataValidation().requireCheckbox().build();
  const rules: (DataValidation | null)[] = [field, kind, visibility, null, dateOrder, reviewed];
  sheet.getRange(2, 2, rows, rules.length).setDataValidations(Array.from({ length: rows }, () => rules));
}

function dropdown(values: string[], help: string): DataValidation {
  return SpreadsheetApp.newDataValidation()
    .requireValueInList(values, true)
    .setAllowInvalid(false)
    .setHelpText(help)
    .build();
}

function rowFromCells(cells: unknown[], row: number): MappingRow {
  const text = (index: number) => cellString(cells[index], String).trim();
  const column = text(0);
  if (!column)
    throw mappingError(row, "has no column name. Copy the Export column's name into it, or delete the row.");
  const field = text(1) || null;
  return {
    column,
    field,
    kind: kindOf(text(2), field, row),
    visibility: choice(text(3).toLowerCase() || "private", VISIBILITIES, row, "Visibility") as Visibility,
    values: valuesOf(text(4), row),
    dateOrder: text(5)
      ? (choice(text(5).toUpperCase(), DATE_ORDERS, row, "Date order") as DateOrderName)
      : null,
    reviewed: cells[6] === true || text(6).toUpperCase() === "TRUE",
    confidence: typeof cells[7] === "number" ? cells[7] : null,
    why: text(8),
  };
}

function kindOf(raw: string, field: string | null, row: number): MappingKind {
  if (!raw) return field === null || CORE.has(field) ? "core" : "segment";
  return choice(raw.toLowerCase(), KINDS, row, "Kind") as MappingKind;
}

function choice(value: string, allowed: string[], row: number, header: string): string {
  if (allowed.includes(value)) return value;
  throw mappingError(row, `has “${value}” as ${header}; choose one of ${allowed.join(", ")}.`);
}

function valuesOf(raw: string, row: number): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of raw.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const match = VALUE_LINE.exec(line.trim());
    if (!match) {
      throw mappingError(
        row,
        `has “${line.trim()}” in Values; write each value as “HRIS value ${VALUE_ARROW} option”.`,
      );
    }
    values[match[1] ?? ""] = match[2] ?? "";
  }
  return values;
}

function valuesText(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([from, to]) => `${from} ${VALUE_ARROW} ${to}`)
    .join("\n");
}

function mappingError(row: number, problem: string): Error {
  return new Error(`Mapping row ${row} ${problem}`);
}

function unique(values: string[]): string[] {
  return [...new Set(values.filter(Boolean))];
}
