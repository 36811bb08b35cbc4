// The tabs the add-on owns, created on first use: header row (bold, frozen), column widths, hidden
// columns, and warning-only protection of the columns the add-on writes. Warning-only, because the
// admin may have good reason to touch them and a hard lock would need the owner to lift it; the
// warning says the add-on replaces those cells on its next run.
//
// Protections use whole-column ranges ("B:J"): they cover rows the sheet gains later, where a range
// with a last row would stop at the size the sheet had when the tab was made.

type Sheet = GoogleAppsScript.Spreadsheet.Sheet;
type Spreadsheet = GoogleAppsScript.Spreadsheet.Spreadsheet;

export interface TabColumn {
  header: string;
  /** Pixels. */
  width: number;
  /** Written by the add-on; protected with a warning. */
  owned?: boolean;
  /** Machine data the admin does not need to see (action ids, match keys). */
  hidden?: boolean;
  /** A number format for the column's data cells. */
  format?: string;
}

export interface TabSpec {
  name: string;
  columns: TabColumn[];
  /** The whole sheet is the add-on's (Log): one sheet-level protection instead of column ranges. */
  ownedSheet?: boolean;
  /** Shown with the protection warning. */
  ownership: string;
  /** Extra set-up done once, after the header: data validation, conditional formats, charts. */
  setUp?: (sheet: Sheet) => void;
}

const HEADER_BACKGROUND = "#e8eaed";

/** The tab, created and laid out if it does not exist yet. */
export function ensureTab(spreadsheet: Spreadsheet, spec: TabSpec): Sheet {
  return spreadsheet.getSheetByName(spec.name) ?? createTab(spreadsheet, spec);
}

function createTab(spreadsheet: Spreadsheet, spec: TabSpec): Sheet {
  const sheet = spreadsheet.insertSheet(spec.name);
  if (spec.columns.length > 0) layOut(sheet, spec.columns);
  protect(sheet, spec);
  spec.setUp?.(sheet);
  return sheet;
}

function layOut(sheet: Sheet, columns: TabColumn[]): void {
  sheet
    .getRange(1, 1, 1, columns.length)
    .setValues([columns.map((column) => column.header)])
    .setFontWeight("bold")
    .setBackground(HEADER_BACKGROUND);
  sheet.setFrozenRows(1);
  columns.forEach((column, index) => {
    const letter = columnLetter(index + 1);
    sheet.setColumnWidth(index + 1, column.width);
    // Whole columns, so rows added later are formatted too; the header stays text either way.
    if (column.format) sheet.getRange(`${letter}:${letter}`).setNumberFormat(column.format);
    if (column.hidden) sheet.hideColumns(index + 1);
  });
}

function protect(sheet: Sheet, spec: TabSpec): void {
  const description = `profile-sync: ${spec.ownership}`;
  if (spec.ownedSheet) {
    sheet.protect().setWarningOnly(true).setDescription(description);
    return;
  }
  for (const run of ownedRuns(spec.columns)) {
    sheet.getRange(run).protect().setWarningOnly(true).setDescription(description);
  }
}

/** Contiguous owned columns as whole-column A1 ranges: one protection each ("B:J"). */
export function ownedRuns(columns: TabColumn[]): string[] {
  const runs: string[] = [];
  let start = -1;
  columns.forEach((column, index) => {
    if (column.owned && start < 0) start = index;
    const endsHere = column.owned && !columns[index + 1]?.owned;
    if (endsHere) {
      runs.push(`${columnLetter(start + 1)}:${columnLetter(index + 1)}`);
      start = -1;
    }
  });
  return runs;
}

/** 1 → A, 27 → AA. */
export function columnLetter(column: number): string {
  let letters = "";
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}

/** 1-based index of a column by its header in the spec. */
export function columnIndex(spec: TabSpec, header: string): number {
  const index = spec.columns.findIndex((column) => column.header === header);
  if (index < 0) throw new Error(`The ${spec.name} tab has no column "${header}".`);
  return index + 1;
}

/**
 * Makes room for `rows` data rows below the header. Sheets refuses ranges past the sheet's last row,
 * and a new tab has 1,000.
 */
export function ensureRows(sheet: Sheet, rows: number): void {
  const needed = rows + 1;
  const max = sheet.getMaxRows();
  if (needed > max) sheet.insertRowsAfter(max, needed - max);
}
