// The Export tab: the admin pastes the HRIS export here, column names in row 1. The add-on only
// reads it, with one getValues over the data range, whatever the number of rows.
import { type ApiCell, apiCell, cellString, dateFormatter, isBlankCell } from "./cells.ts";
import { ensureTab, type TabSpec } from "./tabs.ts";

type Spreadsheet = GoogleAppsScript.Spreadsheet.Spreadsheet;

export const EXPORT_TAB: TabSpec = {
  name: "Export",
  columns: [],
  ownership: "",
  setUp: (sheet) => {
    sheet.setFrozenRows(1);
    sheet.getRange(1, 1).setNote("Paste your HRIS export here: column names in row 1, one person per row.");
  },
};

/** The export as the import route takes it: names, rows, and each row's number in the sheet. */
export interface ExportTable {
  columns: string[];
  rows: ApiCell[][];
  rowNumbers: number[];
}

/** Auto-map reads the header and at most this many people. */
export const SAMPLE_ROWS = 50;

export function readExport(spreadsheet: Spreadsheet): ExportTable {
  const sheet = ensureTab(spreadsheet, EXPORT_TAB);
  const values = sheet.getDataRange().getValues();
  const formatDate = dateFormatter(spreadsheet.getSpreadsheetTimeZone());
  const [header, ...data] = requireHeader(values);
  const table: ExportTable = { columns: columnNames(header, formatDate), rows: [], rowNumbers: [] };
  data.forEach((row, index) => {
    if (row.every(isBlankCell)) return;
    table.rows.push(row.map((value) => apiCell(value, formatDate)));
    // +2: the header is row 1 and data starts on row 2.
    table.rowNumbers.push(index + 2);
  });
  if (table.rows.length === 0) {
    throw new Error(
      "The Export tab has column names but no people. Paste the whole export, one person per row below the names.",
    );
  }
  return table;
}

/** The header and up to SAMPLE_ROWS people, as text: what auto-map looks at. */
export function readExportSample(spreadsheet: Spreadsheet): { columns: string[]; rows: string[][] } {
  const sheet = ensureTab(spreadsheet, EXPORT_TAB);
  const lastRow = sheet.getLastRow();
  const lastColumn = sheet.getLastColumn();
  const values =
    lastRow === 0 ? [] : sheet.getRange(1, 1, Math.min(lastRow, SAMPLE_ROWS + 1), lastColumn).getValues();
  const formatDate = dateFormatter(spreadsheet.getSpreadsheetTimeZone());
  const [header, ...data] = requireHeader(values);
  return {
    columns: columnNames(header, formatDate),
    rows: data
      .filter((row) => !row.every(isBlankCell))
      .map((row) => row.map((value) => cellString(value, formatDate))),
  };
}

function requireHeader(values: unknown[][]): [unknown[], ...unknown[][]] {
  const [header, ...data] = values;
  if (!header || header.every(isBlankCell)) {
    throw new Error(
      "The Export tab is empty. Paste your HRIS export into it, with the column names in row 1.",
    );
  }
  return [header, ...data];
}

// The API names columns this way too (spaces collapsed, trimmed), so Mapping rows written from these
// names match the columns the API reads.
function columnNames(header: unknown[], formatDate: (date: Date) => string): string[] {
  return header.map((value) => cellString(value, formatDate).replace(/\s+/g, " ").trim());
}
