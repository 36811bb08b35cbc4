/// <reference types="google-apps-script" />
// An in-memory Google spreadsheet behind a fake SpreadsheetApp, for running the BUILT add-on in a vm.
//
// Faithful where the add-on's correctness depends on it:
// - setValues reads strings the way Sheets reads typing: "=…" (and "+…", "-…", "@…" that are not
//   plain numbers) become formulas, number-like text becomes a number, TRUE/FALSE booleans, and
//   M/D/YYYY or YYYY-MM-DD a Date at midnight in the spreadsheet's time zone; a leading apostrophe
//   keeps the rest as text (and is not part of the value);
// - ranges outside the sheet, data of the wrong shape, cells over 50,000 characters, more than
//   10 million cells, and values a reject-input dropdown does not list throw as Sheets does;
// - getValues hands out copies (Dates as Date objects), getDisplayValues formats them.
//
// Every call the add-on makes on an object from this fake (SpreadsheetApp, Spreadsheet, Sheet, Range,
// builders, protections, rules, charts) is counted by class and method. Each class lists the members
// it serves, typed as keys of the real Apps Script interface; touching any other member throws. Tests
// inspect the raw objects (which count nothing) and hand the add-on the counting proxies.

type GasSpreadsheetApp = GoogleAppsScript.Spreadsheet.SpreadsheetApp;
type GasSpreadsheet = GoogleAppsScript.Spreadsheet.Spreadsheet;
type GasSheet = GoogleAppsScript.Spreadsheet.Sheet;
type GasRange = GoogleAppsScript.Spreadsheet.Range;
type GasProtection = GoogleAppsScript.Spreadsheet.Protection;
type GasDataValidation = GoogleAppsScript.Spreadsheet.DataValidation;
type GasDataValidationBuilder = GoogleAppsScript.Spreadsheet.DataValidationBuilder;
type GasRule = GoogleAppsScript.Spreadsheet.ConditionalFormatRule;
type GasRuleBuilder = GoogleAppsScript.Spreadsheet.ConditionalFormatRuleBuilder;
type GasChart = GoogleAppsScript.Spreadsheet.EmbeddedChart;
type GasChartBuilder = GoogleAppsScript.Spreadsheet.EmbeddedChartBuilder;
type GasColumnChartBuilder = GoogleAppsScript.Spreadsheet.EmbeddedColumnChartBuilder;

export type CellValue = string | number | boolean | Date;

const MAX_CELL_CHARS = 50_000;
const MAX_CELLS = 10_000_000;
const NEW_SHEET_ROWS = 1000;
const NEW_SHEET_COLUMNS = 26;

// --- call counting ------------------------------------------------------------------------------

/** Calls made through the proxies, as "Class.method" → count. */
export class CallLog {
  readonly counts = new Map<string, number>();

  record(name: string): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }

  total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }

  reset(): void {
    this.counts.clear();
  }

  /** "Range.getValues" → n, sorted by name: for printing. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** How many calls went to methods named like this one ("setValues", "getValues"...). */
  of(method: string): number {
    let sum = 0;
    for (const [name, n] of this.counts) if (name.endsWith(`.${method}`)) sum += n;
    return sum;
  }
}

const proxyOfRaw = new WeakMap<object, object>();
const rawOfProxy = new WeakMap<object, object>();

/** The counting proxy of a raw fake object, made once. */
function exposed<T>(raw: Fake): T {
  const known = proxyOfRaw.get(raw);
  if (known) return known as T;
  const members = new Set<string>(raw.apiMembers());
  const proxy = new Proxy(raw, {
    get(target, key) {
      if (typeof key === "symbol") return undefined;
      if (!members.has(key)) throw new Error(`The fake ${target.className} has no ${key}.`);
      const member: unknown = Reflect.get(target, key, target);
      if (typeof member !== "function") return outward(member);
      return (...args: unknown[]) => {
        target.log.record(`${target.className}.${key}`);
        return outward(member.apply(target, args.map(inward)));
      };
    },
  });
  proxyOfRaw.set(raw, proxy);
  rawOfProxy.set(proxy, raw);
  return proxy as T;
}

abstract class Fake {
  abstract readonly className: string;
  abstract readonly log: CallLog;
  abstract apiMembers(): readonly string[];
}

// Results leave as proxies; arguments come back in as raw objects (deeply, for rule matrices).
function outward(value: unknown): unknown {
  if (value instanceof Fake) return exposed(value);
  if (Array.isArray(value)) return value.map(outward);
  return value;
}

function inward(value: unknown): unknown {
  if (value !== null && typeof value === "object") {
    const raw = rawOfProxy.get(value);
    if (raw) return raw;
    if (Array.isArray(value)) return value.map(inward);
  }
  return value;
}

// --- SpreadsheetApp -------------------------------------------------------------------------------

export interface FakeSpreadsheetAppOptions {
  ui: GoogleAppsScript.Base.Ui;
  timeZone?: string;
}

export class FakeSpreadsheetApp extends Fake {
  readonly className = "SpreadsheetApp";
  readonly log = new CallLog();
  readonly spreadsheet: FakeSpreadsheet;
  readonly ProtectionType = { RANGE: "RANGE", SHEET: "SHEET" };
  readonly #ui: GoogleAppsScript.Base.Ui;

  constructor(options: FakeSpreadsheetAppOptions) {
    super();
    this.#ui = options.ui;
    this.spreadsheet = new FakeSpreadsheet(this.log, options.timeZone ?? "Europe/Berlin");
  }

  apiMembers() {
    return [
      "getActive",
      "getActiveSpreadsheet",
      "getUi",
      "newDataValidation",
      "newConditionalFormatRule",
      "ProtectionType",
      "flush",
    ] satisfies (keyof GasSpreadsheetApp)[];
  }

  /** What the add-on sees as the global SpreadsheetApp. */
  get service(): GasSpreadsheetApp {
    return exposed<GasSpreadsheetApp>(this);
  }

  getActive(): FakeSpreadsheet {
    return this.spreadsheet;
  }

  getActiveSpreadsheet(): FakeSpreadsheet {
    return this.spreadsheet;
  }

  // The Ui is a fake of its own (fakes.ts); it is not a Spreadsheet service object.
  getUi(): GoogleAppsScript.Base.Ui {
    return this.#ui;
  }

  newDataValidation(): FakeDataValidationBuilder {
    return new FakeDataValidationBuilder(this.log);
  }

  newConditionalFormatRule(): FakeRuleBuilder {
    return new FakeRuleBuilder(this.log);
  }

  flush(): void {}
}

// --- Spreadsheet ----------------------------------------------------------------------------------

export class FakeSpreadsheet extends Fake {
  readonly className = "Spreadsheet";
  readonly log: CallLog;
  readonly sheets: FakeSheet[] = [];
  readonly timeZone: string;
  active: FakeSheet | null = null;

  constructor(log: CallLog, timeZone: string) {
    super();
    this.log = log;
    this.timeZone = timeZone;
    // A new spreadsheet has one sheet, as in Sheets.
    this.sheets.push(new FakeSheet(this, "Sheet1"));
  }

  apiMembers() {
    return [
      "getSheetByName",
      "insertSheet",
      "getSheets",
      "getSpreadsheetTimeZone",
      "setActiveSheet",
      "getActiveSheet",
    ] satisfies (keyof GasSpreadsheet)[];
  }

  getSheetByName(name: string): FakeSheet | null {
    return this.sheets.find((sheet) => sheet.name === name) ?? null;
  }

  insertSheet(name: string): FakeSheet {
    if (this.getSheetByName(name)) {
      throw new Error(`A sheet with the name "${name}" already exists. Please enter another name.`);
    }
    const sheet = new FakeSheet(this, name);
    this.checkCellLimit(NEW_SHEET_ROWS * NEW_SHEET_COLUMNS);
    this.sheets.push(sheet);
    this.active = sheet;
    return sheet;
  }

  getSheets(): FakeSheet[] {
    return [...this.sheets];
  }

  getSpreadsheetTimeZone(): string {
    return this.timeZone;
  }

  setActiveSheet(sheet: FakeSheet): FakeSheet {
    this.active = sheet;
    return sheet;
  }

  getActiveSheet(): FakeSheet {
    return this.active ?? (this.sheets[0] as FakeSheet);
  }

  /** Test helper: the sheet, or an error naming the sheets there are. */
  sheet(name: string): FakeSheet {
    const found = this.getSheetByName(name);
    if (!found)
      throw new Error(`No sheet "${name}"; there are ${this.sheets.map((s) => s.name).join(", ")}.`);
    return found;
  }

  checkCellLimit(added: number): void {
    const cells = this.sheets.reduce((sum, sheet) => sum + sheet.maxRows * sheet.maxColumns, 0);
    if (cells + added > MAX_CELLS) {
      throw new Error(
        "This action would increase the number of cells in the workbook above the limit of 10000000 cells.",
      );
    }
  }
}

// --- Sheet ----------------------------------------------------------------------------------------

interface Cell {
  value: CellValue;
  formula?: string;
}

export class FakeSheet extends Fake {
  readonly className = "Sheet";
  readonly log: CallLog;
  readonly spreadsheet: FakeSpreadsheet;
  name: string;
  maxRows = NEW_SHEET_ROWS;
  maxColumns = NEW_SHEET_COLUMNS;
  frozenRows = 0;
  /** rows[r][c], 0-based; missing entries are empty cells. */
  readonly rows: (Cell | undefined)[][] = [];
  readonly notes = new Map<string, string>();
  readonly validations = new Map<string, FakeDataValidation>();
  /** Number formats by column (whole-column formats) and by cell. */
  readonly columnFormats = new Map<number, string>();
  readonly cellFormats = new Map<string, string>();
  readonly columnWidths = new Map<number, number>();
  readonly hiddenColumns = new Set<number>();
  readonly protections: FakeProtection[] = [];
  rules: FakeRule[] = [];
  readonly charts: FakeChart[] = [];
  /** Header styling and the like: recorded, not rendered. */
  readonly styles: { a1: string; style: string; value: string }[] = [];

  constructor(spreadsheet: FakeSpreadsheet, name: string) {
    super();
    this.spreadsheet = spreadsheet;
    this.log = spreadsheet.log;
    this.name = name;
  }

  apiMembers() {
    return [
      "getName",
      "getRange",
      "getDataRange",
      "getLastRow",
      "getLastColumn",
      "getMaxRows",
      "getMaxColumns",
      "insertRowsAfter",
      "setFrozenRows",
      "getFrozenRows",
      "setColumnWidth",
      "getColumnWidth",
      "hideColumns",
      "isColumnHiddenByUser",
      "protect",
      "getProtections",
      "setConditionalFormatRules",
      "getConditionalFormatRules",
      "newChart",
      "insertChart",
      "getCharts",
      "updateChart",
    ] satisfies (keyof GasSheet)[];
  }

  getName(): string {
    return this.name;
  }

  getRange(a: number | string, column?: number, numRows?: number, numColumns?: number): FakeRange {
    if (typeof a === "string") return this.rangeFromA1(a);
    return this.range(a, column ?? 1, numRows ?? 1, numColumns ?? 1);
  }

  getDataRange(): FakeRange {
    return this.range(1, 1, Math.max(this.getLastRow(), 1), Math.max(this.getLastColumn(), 1));
  }

  getLastRow(): number {
    for (let r = this.rows.length - 1; r >= 0; r--) {
      if (this.rows[r]?.some(hasContent)) return r + 1;
    }
    return 0;
  }

  getLastColumn(): number {
    let last = 0;
    for (const row of this.rows) {
      if (!row) continue;
      for (let c = row.length - 1; c >= last; c--) {
        if (hasContent(row[c])) {
          last = c + 1;
          break;
        }
      }
    }
    return last;
  }

  getMaxRows(): number {
    return this.maxRows;
  }

  getMaxColumns(): number {
    return this.maxColumns;
  }

  insertRowsAfter(afterPosition: number, howMany: number): FakeSheet {
    if (afterPosition < 1 || afterPosition > this.maxRows || howMany < 1) {
      throw new Error("Those rows are out of bounds.");
    }
    this.spreadsheet.checkCellLimit(howMany * this.maxColumns);
    // Cells below the insertion move down. (The add-on only appends, but be exact anyway.)
    if (afterPosition < this.rows.length) {
      this.rows.splice(afterPosition, 0, ...Array.from({ length: howMany }, () => []));
    }
    this.maxRows += howMany;
    return this;
  }

  setFrozenRows(rows: number): void {
    this.frozenRows = rows;
  }

  getFrozenRows(): number {
    return this.frozenRows;
  }

  setColumnWidth(column: number, width: number): FakeSheet {
    this.columnWidths.set(column, width);
    return this;
  }

  getColumnWidth(column: number): number {
    return this.columnWidths.get(column) ?? 100;
  }

  hideColumns(column: number, count = 1): void {
    for (let c = column; c < column + count; c++) this.hiddenColumns.add(c);
  }

  isColumnHiddenByUser(column: number): boolean {
    return this.hiddenColumns.has(column);
  }

  protect(): FakeProtection {
    const protection = new FakeProtection(this.log, this, null);
    this.protections.push(protection);
    return protection;
  }

  getProtections(type: string): FakeProtection[] {
    return this.protections.filter((p) => (type === "SHEET" ? p.range === null : p.range !== null));
  }

  setConditionalFormatRules(rules: FakeRule[]): void {
    for (const rule of rules) {
      if (!(rule instanceof FakeRule))
        throw new Error("Conditional format rules must come from newConditionalFormatRule().");
    }
    this.rules = [...rules];
  }

  getConditionalFormatRules(): FakeRule[] {
    return [...this.rules];
  }

  newChart(): FakeChartBuilder {
    return new FakeChartBuilder(this.log, this, null);
  }

  insertChart(chart: FakeChart): void {
    if (!(chart instanceof FakeChart)) throw new Error("insertChart takes a chart built by newChart().");
    chart.sheet = this;
    this.charts.push(chart);
  }

  getCharts(): FakeChart[] {
    return [...this.charts];
  }

  updateChart(chart: FakeChart): void {
    const index = this.charts.findIndex((existing) => existing.id === chart.id);
    if (index < 0) throw new Error("The chart is not on this sheet.");
    this.charts[index] = chart;
  }

  // --- inside the fake ---

  range(row: number, column: number, numRows: number, numColumns: number, wholeColumns = false): FakeRange {
    for (const [name, n] of [
      ["row", row],
      ["column", column],
      ["number of rows", numRows],
      ["number of columns", numColumns],
    ] as const) {
      if (!Number.isInteger(n)) throw new Error(`The ${name} of the range must be a whole number, not ${n}.`);
    }
    if (numRows < 1) throw new Error("The number of rows in the range must be at least 1.");
    if (numColumns < 1) throw new Error("The number of columns in the range must be at least 1.");
    if (
      row < 1 ||
      column < 1 ||
      row + numRows - 1 > this.maxRows ||
      column + numColumns - 1 > this.maxColumns
    ) {
      throw new Error("The coordinates of the range are outside the dimensions of the sheet.");
    }
    return new FakeRange(this, row, column, numRows, numColumns, wholeColumns);
  }

  rangeFromA1(a1: string): FakeRange {
    const columns = /^([A-Z]+):([A-Z]+)$/.exec(a1);
    if (columns) {
      const first = columnNumber(columns[1] ?? "");
      const last = columnNumber(columns[2] ?? "");
      return this.range(1, first, this.maxRows, last - first + 1, true);
    }
    const cells = /^([A-Z]+)(\d+)(?::([A-Z]+)(\d+)?)?$/.exec(a1);
    if (!cells) throw new Error(`Range not found: ${a1}`);
    const row = Number(cells[2]);
    const column = columnNumber(cells[1] ?? "");
    if (!cells[3]) return this.range(row, column, 1, 1);
    const lastColumn = columnNumber(cells[3]);
    const lastRow = cells[4] ? Number(cells[4]) : this.maxRows;
    return this.range(row, column, lastRow - row + 1, lastColumn - column + 1);
  }

  cell(row: number, column: number): Cell | undefined {
    return this.rows[row - 1]?.[column - 1];
  }

  setCell(row: number, column: number, cell: Cell | undefined): void {
    let line = this.rows[row - 1];
    if (!line) {
      line = [];
      this.rows[row - 1] = line;
    }
    line[column - 1] = cell;
  }

  numberFormat(row: number, column: number): string | undefined {
    return this.cellFormats.get(`${row}:${column}`) ?? this.columnFormats.get(column);
  }

  /** Test helper: what an admin pasting these rows at A1 would get (the sheet grows to fit). */
  paste(rows: string[][]): void {
    const width = Math.max(...rows.map((row) => row.length));
    if (rows.length > this.maxRows) this.insertRowsAfter(this.maxRows, rows.length - this.maxRows);
    if (width > this.maxColumns) this.maxColumns = width;
    const grid = rows.map((row) => Array.from({ length: width }, (_, i) => row[i] ?? ""));
    this.range(1, 1, grid.length, width).setValues(grid);
  }

  /** Test helper: every cell's display text, up to the last row and column with content. */
  displayed(): string[][] {
    const rows = this.getLastRow();
    const columns = this.getLastColumn();
    if (rows === 0 || columns === 0) return [];
    return this.range(1, 1, rows, columns).getDisplayValues();
  }

  /** Test helper: the formulas anywhere on the sheet, as "A1: =…". */
  formulas(): string[] {
    const found: string[] = [];
    this.rows.forEach((row, r) => {
      row?.forEach((cell, c) => {
        if (cell?.formula) found.push(`${columnLetter(c + 1)}${r + 1}: ${cell.formula}`);
      });
    });
    return found;
  }
}

function hasContent(cell: Cell | undefined): boolean {
  return cell !== undefined && (cell.value !== "" || cell.formula !== undefined);
}

// --- Range ----------------------------------------------------------------------------------------

export class FakeRange extends Fake {
  readonly className = "Range";
  readonly log: CallLog;
  readonly sheet: FakeSheet;
  readonly row: number;
  readonly column: number;
  readonly #numRows: number;
  readonly numColumns: number;
  /** "B:J": whole columns keep up with rows the sheet gains. */
  readonly wholeColumns: boolean;

  constructor(
    sheet: FakeSheet,
    row: number,
    column: number,
    numRows: number,
    numColumns: number,
    whole: boolean,
  ) {
    super();
    this.sheet = sheet;
    this.log = sheet.log;
    this.row = row;
    this.column = column;
    this.#numRows = numRows;
    this.numColumns = numColumns;
    this.wholeColumns = whole;
  }

  apiMembers() {
    return [
      "getValues",
      "setValues",
      "getDisplayValues",
      "getFormulas",
      "getRow",
      "getColumn",
      "getNumRows",
      "getNumColumns",
      "getA1Notation",
      "clearContent",
      "clearDataValidations",
      "setDataValidation",
      "setDataValidations",
      "getDataValidations",
      "setNote",
      "getNote",
      "setFontWeight",
      "setBackground",
      "setNumberFormat",
      "protect",
    ] satisfies (keyof GasRange)[];
  }

  get numRows(): number {
    return this.wholeColumns ? this.sheet.maxRows : this.#numRows;
  }

  getRow(): number {
    return this.row;
  }

  getColumn(): number {
    return this.column;
  }

  getNumRows(): number {
    return this.numRows;
  }

  getNumColumns(): number {
    return this.numColumns;
  }

  getA1Notation(): string {
    const first = columnLetter(this.column);
    const last = columnLetter(this.column + this.numColumns - 1);
    if (this.wholeColumns) return `${first}:${last}`;
    const start = `${first}${this.row}`;
    if (this.numRows === 1 && this.numColumns === 1) return start;
    return `${start}:${last}${this.row + this.numRows - 1}`;
  }

  getValues(): CellValue[][] {
    return this.grid((row, column) => copy(this.sheet.cell(row, column)?.value ?? ""));
  }

  getDisplayValues(): string[][] {
    return this.grid((row, column) => {
      const value = this.sheet.cell(row, column)?.value ?? "";
      return display(value, this.sheet.numberFormat(row, column), this.sheet.spreadsheet.timeZone);
    });
  }

  getFormulas(): string[][] {
    return this.grid((row, column) => this.sheet.cell(row, column)?.formula ?? "");
  }

  setValues(values: unknown[][]): FakeRange {
    this.checkShape(values, "data");
    const timeZone = this.sheet.spreadsheet.timeZone;
    const entered = values.map((line) => line.map((value) => enter(value, timeZone)));
    entered.forEach((line, r) => {
      line.forEach((cell, c) => {
        this.checkValidation(this.row + r, this.column + c, cell.value);
      });
    });
    entered.forEach((line, r) => {
      line.forEach((cell, c) => {
        this.sheet.setCell(this.row + r, this.column + c, cell);
      });
    });
    return this;
  }

  clearContent(): FakeRange {
    this.each((row, column) => this.sheet.setCell(row, column, undefined));
    return this;
  }

  clearDataValidations(): FakeRange {
    this.each((row, column) => this.sheet.validations.delete(`${row}:${column}`));
    return this;
  }

  setDataValidation(rule: FakeDataValidation | null): FakeRange {
    this.each((row, column) => this.putValidation(row, column, rule));
    return this;
  }

  setDataValidations(rules: (FakeDataValidation | null)[][]): FakeRange {
    this.checkShape(rules, "rules");
    rules.forEach((line, r) => {
      line.forEach((rule, c) => {
        this.putValidation(this.row + r, this.column + c, rule);
      });
    });
    return this;
  }

  getDataValidations(): (FakeDataValidation | null)[][] {
    return this.grid((row, column) => this.sheet.validations.get(`${row}:${column}`) ?? null);
  }

  setNote(note: string): FakeRange {
    this.each((row, column) => {
      if (note) this.sheet.notes.set(`${row}:${column}`, note);
      else this.sheet.notes.delete(`${row}:${column}`);
    });
    return this;
  }

  getNote(): string {
    return this.sheet.notes.get(`${this.row}:${this.column}`) ?? "";
  }

  setFontWeight(weight: string): FakeRange {
    this.sheet.styles.push({ a1: this.getA1Notation(), style: "fontWeight", value: weight });
    return this;
  }

  setBackground(colour: string): FakeRange {
    this.sheet.styles.push({ a1: this.getA1Notation(), style: "background", value: colour });
    return this;
  }

  setNumberFormat(format: string): FakeRange {
    if (this.wholeColumns) {
      for (let c = this.column; c < this.column + this.numColumns; c++)
        this.sheet.columnFormats.set(c, format);
    } else {
      this.each((row, column) => this.sheet.cellFormats.set(`${row}:${column}`, format));
    }
    return this;
  }

  protect(): FakeProtection {
    const protection = new FakeProtection(this.log, this.sheet, this);
    this.sheet.protections.push(protection);
    return protection;
  }

  // --- inside the fake ---

  private grid<T>(read: (row: number, column: number) => T): T[][] {
    const rows: T[][] = [];
    for (let r = 0; r < this.numRows; r++) {
      const line: T[] = [];
      for (let c = 0; c < this.numColumns; c++) line.push(read(this.row + r, this.column + c));
      rows.push(line);
    }
    return rows;
  }

  private each(visit: (row: number, column: number) => void): void {
    for (let r = 0; r < this.numRows; r++) {
      for (let c = 0; c < this.numColumns; c++) visit(this.row + r, this.column + c);
    }
  }

  private checkShape(values: unknown[][], what: string): void {
    if (!Array.isArray(values) || values.length !== this.numRows) {
      throw new Error(
        `The number of rows in the ${what} does not match the number of rows in the range. The ${what} has ${Array.isArray(values) ? values.length : 0} but the range has ${this.numRows}.`,
      );
    }
    for (const line of values) {
      if (!Array.isArray(line) || line.length !== this.numColumns) {
        throw new Error(
          `The number of columns in the ${what} does not match the number of columns in the range. The ${what} has ${Array.isArray(line) ? line.length : 0} but the range has ${this.numColumns}.`,
        );
      }
    }
  }

  private putValidation(row: number, column: number, rule: FakeDataValidation | null): void {
    if (rule !== null && !(rule instanceof FakeDataValidation)) {
      throw new Error("Data validation rules must come from newDataValidation().build().");
    }
    if (rule) this.sheet.validations.set(`${row}:${column}`, rule);
    else this.sheet.validations.delete(`${row}:${column}`);
  }

  // A script writing a value a reject-input rule does not allow fails, as typing it would.
  private checkValidation(row: number, column: number, value: CellValue): void {
    const rule = this.sheet.validations.get(`${row}:${column}`);
    if (!rule || rule.allowInvalid || value === "") return;
    const ok = rule.type === "CHECKBOX" ? typeof value === "boolean" : rule.values.includes(String(value));
    if (!ok) {
      throw new Error(
        `The data you entered in cell ${columnLetter(column)}${row} violates the data validation rules set on this cell.`,
      );
    }
  }
}

// --- how Sheets reads what is written -------------------------------------------------------------

/** A value written by setValues (or pasted), as Sheets stores it. */
function enter(value: unknown, timeZone: string): Cell {
  if (value === null || value === undefined) return { value: "" };
  if (typeof value === "number" || typeof value === "boolean") return { value };
  if (Object.prototype.toString.call(value) === "[object Date]")
    return { value: new Date((value as Date).getTime()) };
  const text = String(value);
  if (text.length > MAX_CELL_CHARS) {
    throw new Error(
      `Your input contains more than the maximum of ${MAX_CELL_CHARS} characters in a single cell.`,
    );
  }
  if (text.startsWith("'")) return { value: text.slice(1) };
  if (/^[+-]?\d+(\.\d+)?$/.test(text.trim())) return { value: Number(text) };
  // Sheets starts a formula at "="; like Excel it also reads "+", "-" and "@" openers as formulas.
  if (/^[=+\-@]./.test(text)) return { value: "#ERROR!", formula: text.startsWith("=") ? text : `=${text}` };
  if (/^(true|false)$/i.test(text)) return { value: text.toLowerCase() === "true" };
  const date = typedDate(text, timeZone);
  if (date) return { value: date };
  return { value: text };
}

// The spreadsheet's locale is en_US: 3/4/2019 is March 4th.
function typedDate(text: string, timeZone: string): Date | null {
  let m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim());
  if (m) return zonedMidnight(Number(m[3]), Number(m[1]), Number(m[2]), timeZone);
  m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (m) return zonedMidnight(Number(m[1]), Number(m[2]), Number(m[3]), timeZone);
  return null;
}

/** The instant of 00:00 on that day in that time zone. */
export function zonedMidnight(year: number, month: number, day: number, timeZone: string): Date | null {
  const utc = Date.UTC(year, month - 1, day);
  const check = new Date(utc);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  let instant = utc - offsetMs(utc, timeZone);
  // Once more, in case the offset differs at the corrected instant (a DST change that day).
  instant = utc - offsetMs(instant, timeZone);
  return new Date(instant);
}

function offsetMs(instant: number, timeZone: string): number {
  const parts = zonedParts(new Date(instant), timeZone);
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

export function zonedParts(date: Date, timeZone: string) {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
  const get = (type: string) => Number(format.formatToParts(date).find((p) => p.type === type)?.value);
  return {
    year: get("year"),
    month: get("month"),
    day: get("day"),
    hour: get("hour"),
    minute: get("minute"),
    second: get("second"),
  };
}

function display(value: CellValue, format: string | undefined, timeZone: string): string {
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (typeof value === "number") return format === "0%" ? `${Math.round(value * 100)}%` : String(value);
  if (value instanceof Date) {
    const p = zonedParts(value, timeZone);
    const two = (n: number) => String(n).padStart(2, "0");
    if (format?.startsWith("yyyy-mm-dd")) {
      return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)}`;
    }
    return `${p.month}/${p.day}/${p.year}`;
  }
  return value;
}

function copy(value: CellValue): CellValue {
  return value instanceof Date ? new Date(value.getTime()) : value;
}

export function columnLetter(column: number): string {
  let letters = "";
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}

function columnNumber(letters: string): number {
  let n = 0;
  for (const letter of letters) n = n * 26 + (letter.charCodeAt(0) - 64);
  return n;
}

// --- protections ----------------------------------------------------------------------------------

export class FakeProtection extends Fake {
  readonly className = "Protection";
  readonly log: CallLog;
  readonly sheet: FakeSheet;
  readonly range: FakeRange | null;
  warningOnly = false;
  description = "";

  constructor(log: CallLog, sheet: FakeSheet, range: FakeRange | null) {
    super();
    this.log = log;
    this.sheet = sheet;
    this.range = range;
  }

  apiMembers() {
    return [
      "setWarningOnly",
      "isWarningOnly",
      "setDescription",
      "getDescription",
      "getRange",
    ] satisfies (keyof GasProtection)[];
  }

  setWarningOnly(warningOnly: boolean): FakeProtection {
    this.warningOnly = warningOnly;
    return this;
  }

  isWarningOnly(): boolean {
    return this.warningOnly;
  }

  setDescription(description: string): FakeProtection {
    this.description = description;
    return this;
  }

  getDescription(): string {
    return this.description;
  }

  getRange(): FakeRange {
    return this.range ?? this.sheet.range(1, 1, this.sheet.maxRows, this.sheet.maxColumns);
  }
}

// --- data validation ------------------------------------------------------------------------------

export class FakeDataValidation extends Fake {
  readonly className = "DataValidation";
  readonly log: CallLog;
  readonly type: "CHECKBOX" | "VALUE_IN_LIST";
  readonly values: string[];
  readonly allowInvalid: boolean;
  readonly helpText: string;

  constructor(log: CallLog, builder: FakeDataValidationBuilder) {
    super();
    this.log = log;
    if (!builder.type)
      throw new Error("A data validation rule needs a criterion (requireCheckbox, requireValueInList...).");
    this.type = builder.type;
    this.values = [...builder.values];
    this.allowInvalid = builder.allowInvalid;
    this.helpText = builder.helpText;
  }

  apiMembers() {
    return [
      "getCriteriaType",
      "getCriteriaValues",
      "getAllowInvalid",
      "getHelpText",
    ] satisfies (keyof GasDataValidation)[];
  }

  getCriteriaType(): string {
    return this.type;
  }

  getCriteriaValues(): unknown[] {
    return this.type === "VALUE_IN_LIST" ? [[...this.values], true] : [];
  }

  getAllowInvalid(): boolean {
    return this.allowInvalid;
  }

  getHelpText(): string {
    return this.helpText;
  }
}

export class FakeDataValidationBuilder extends Fake {
  readonly className = "DataValidationBuilder";
  readonly log: CallLog;
  type: "CHECKBOX" | "VALUE_IN_LIST" | null = null;
  values: string[] = [];
  allowInvalid = true;
  helpText = "";

  constructor(log: CallLog) {
    super();
    this.log = log;
  }

  apiMembers() {
    return [
      "requireCheckbox",
      "requireValueInList",
      "setAllowInvalid",
      "setHelpText",
      "build",
    ] satisfies (keyof GasDataValidationBuilder)[];
  }

  requireCheckbox(): FakeDataValidationBuilder {
    this.type = "CHECKBOX";
    return this;
  }

  requireValueInList(values: string[]): FakeDataValidationBuilder {
    // Sheets refuses dropdowns of more than 500 items.
    if (values.length > 500) throw new Error("A dropdown may list at most 500 items.");
    this.type = "VALUE_IN_LIST";
    this.values = values.map(String);
    return this;
  }

  setAllowInvalid(allow: boolean): FakeDataValidationBuilder {
    this.allowInvalid = allow;
    return this;
  }

  setHelpText(text: string): FakeDataValidationBuilder {
    this.helpText = text;
    return this;
  }

  build(): FakeDataValidation {
    return new FakeDataValidation(this.log, this);
  }
}

// --- conditional formatting -----------------------------------------------------------------------

export class FakeRule extends Fake {
  readonly className = "ConditionalFormatRule";
  readonly log: CallLog;
  readonly text: string;
  readonly background: string | null;
  readonly fontColor: string | null;
  readonly ranges: FakeRange[];

  constructor(log: CallLog, builder: FakeRuleBuilder) {
    super();
    this.log = log;
    if (builder.text === null) throw new Error("The fake conditional format rule needs whenTextEqualTo.");
    if (builder.ranges.length === 0) throw new Error("A conditional format rule needs at least one range.");
    this.text = builder.text;
    this.background = builder.background;
    this.fontColor = builder.fontColor;
    this.ranges = [...builder.ranges];
  }

  apiMembers() {
    return ["getRanges"] satisfies (keyof GasRule)[];
  }

  getRanges(): FakeRange[] {
    return [...this.ranges];
  }

  /** Test helper: whether the rule colours this cell. */
  applies(sheet: FakeSheet, row: number, column: number): boolean {
    const inRange = this.ranges.some(
      (range) =>
        range.sheet === sheet &&
        row >= range.row &&
        row < range.row + range.numRows &&
        column >= range.column &&
        column < range.column + range.numColumns,
    );
    const value = sheet.cell(row, column)?.value;
    return inRange && typeof value === "string" && value === this.text;
  }
}

export class FakeRuleBuilder extends Fake {
  readonly className = "ConditionalFormatRuleBuilder";
  readonly log: CallLog;
  text: string | null = null;
  background: string | null = null;
  fontColor: string | null = null;
  ranges: FakeRange[] = [];

  constructor(log: CallLog) {
    super();
    this.log = log;
  }

  apiMembers() {
    return [
      "whenTextEqualTo",
      "setBackground",
      "setFontColor",
      "setRanges",
      "build",
    ] satisfies (keyof GasRuleBuilder)[];
  }

  whenTextEqualTo(text: string): FakeRuleBuilder {
    this.text = text;
    return this;
  }

  setBackground(colour: string): FakeRuleBuilder {
    this.background = colour;
    return this;
  }

  setFontColor(colour: string): FakeRuleBuilder {
    this.fontColor = colour;
    return this;
  }

  setRanges(ranges: FakeRange[]): FakeRuleBuilder {
    for (const range of ranges) if (!(range instanceof FakeRange)) throw new Error("setRanges takes ranges.");
    this.ranges = [...ranges];
    return this;
  }

  build(): FakeRule {
    return new FakeRule(this.log, this);
  }
}

// --- charts ---------------------------------------------------------------------------------------

let nextChartId = 1;

export class FakeChart extends Fake {
  readonly className = "EmbeddedChart";
  readonly log: CallLog;
  readonly id: number;
  sheet: FakeSheet;
  readonly type: string;
  readonly ranges: FakeRange[];
  readonly options: Record<string, unknown>;
  readonly position: { row: number; column: number };
  readonly numHeaders: number;

  constructor(log: CallLog, builder: FakeChartBuilder, id: number) {
    super();
    this.log = log;
    if (builder.ranges.length === 0) throw new Error("A chart needs at least one range.");
    this.id = id;
    this.sheet = builder.sheet;
    this.type = builder.type;
    this.ranges = [...builder.ranges];
    this.options = { ...builder.options };
    this.position = { ...builder.position };
    this.numHeaders = builder.numHeaders;
  }

  apiMembers() {
    return ["getRanges", "modify", "getChartId"] satisfies (keyof GasChart)[];
  }

  getRanges(): FakeRange[] {
    return [...this.ranges];
  }

  getChartId(): number {
    return this.id;
  }

  modify(): FakeChartBuilder {
    const builder = new FakeChartBuilder(this.log, this.sheet, this.id);
    builder.type = this.type;
    builder.ranges = [...this.ranges];
    builder.options = { ...this.options };
    builder.position = { ...this.position };
    builder.numHeaders = this.numHeaders;
    return builder;
  }

  /** Test helper: the chart's data as Sheets would plot it, header row excluded. */
  series(): { label: string; points: CellValue[] }[] {
    return this.ranges.map((range) => {
      const values = range.getValues().map((row) => row[0] ?? "");
      const last = range.sheet.getLastRow();
      return { label: String(values[0] ?? ""), points: values.slice(this.numHeaders, last) };
    });
  }
}

export class FakeChartBuilder extends Fake {
  readonly className = "EmbeddedChartBuilder";
  readonly log: CallLog;
  readonly sheet: FakeSheet;
  readonly chartId: number | null;
  type = "";
  ranges: FakeRange[] = [];
  options: Record<string, unknown> = {};
  position = { row: 1, column: 1 };
  numHeaders = -1;

  constructor(log: CallLog, sheet: FakeSheet, chartId: number | null) {
    super();
    this.log = log;
    this.sheet = sheet;
    this.chartId = chartId;
  }

  apiMembers() {
    return [
      "asColumnChart",
      "addRange",
      "clearRanges",
      "setNumHeaders",
      "setOption",
      "setPosition",
      "setTitle",
      "build",
    ] satisfies (keyof GasChartBuilder | keyof GasColumnChartBuilder)[];
  }

  asColumnChart(): FakeChartBuilder {
    this.type = "COLUMN";
    return this;
  }

  addRange(range: FakeRange): FakeChartBuilder {
    if (!(range instanceof FakeRange)) throw new Error("addRange takes a range.");
    this.ranges.push(range);
    return this;
  }

  clearRanges(): FakeChartBuilder {
    this.ranges = [];
    return this;
  }

  setNumHeaders(headers: number): FakeChartBuilder {
    this.numHeaders = headers;
    return this;
  }

  setOption(option: string, value: unknown): FakeChartBuilder {
    this.options[option] = value;
    return this;
  }

  setTitle(title: string): FakeChartBuilder {
    this.options.title = title;
    return this;
  }

  setPosition(row: number, column: number): FakeChartBuilder {
    this.position = { row, column };
    return this;
  }

  build(): FakeChart {
    if (!this.type) throw new Error("The fake chart builder needs a chart type (asColumnChart()).");
    return new FakeChart(this.log, this, this.chartId ?? nextChartId++);
  }
}
