// The "parse" step: an HRIS export (CSV/TSV bytes or text, or the add-on's JSON table) → a Table of
// strings plus issues. Values are kept as written (no trimming, no typing): the map step normalises.
//
// Row numbers: the header is row 1 when it is the first line. Every line of the file counts, blank
// ones included, so without quoted line breaks a row's number is the line a person sees in a text
// editor or spreadsheet. A row whose quoted value spans several lines gets the number of the line it
// starts on, and the rows after it keep counting lines.
//
// A big export is read as a RowSource: decoded and read a piece at a time, each row handed to the
// caller and dropped, so neither the whole text nor all rows as arrays are ever held (parseCsv
// collects them, for callers that want a Table).
import Papa from "papaparse";
import { csvReader, type RawRecord } from "./csv-reader.ts";
import { type DecodedPieces, decodePieces, emptyFile, textPieces, UnreadableFile } from "./decode.ts";
import type { Issue, ParseResult } from "./types.ts";

export { UnreadableFile };

export type JsonCell = string | number | boolean | null;
export interface JsonTable {
  columns: string[];
  rows: JsonCell[][];
  rowNumbers?: number[];
}

/** An export opened for reading: its columns are known, its rows are read on demand. */
export interface RowSource {
  columns: string[];
  /** File and header issues; each row's issues are appended just before the row is handed over. */
  issues: Issue[];
  /** The first `limit` data rows, for auto-map's samples. */
  sample: (limit: number) => string[][];
  /**
   * Every data row in order, fitted to the columns. `issuesFrom` is where this row's issues start
   * in `issues`. Throws UnreadableFile for a file past the limits, after the rows it could read.
   */
  rows: (onRow: (cells: string[], line: number, issuesFrom: number) => void) => number;
  /** rows, awaiting `pause` between pieces of the file, so other work can run meanwhile. */
  rowsPaced: (
    onRow: (cells: string[], line: number, issuesFrom: number) => void,
    pause: () => Promise<void>,
  ) => Promise<number>;
}

const DELIMITERS = [",", ";", "\t", "|"] as const;
const SNIFF_ROWS = 30;
// Each repair re-reads a line; past this many the file is not a CSV we can trust.
const MAX_QUOTE_REPAIRS = 100;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// One import is read, planned and stored within one Worker invocation (128 MB in production): the
// file's bytes, one compact string per row and the members' index fit for this many people (see
// README, Performance). Bigger exports are split (by department, by country) into several imports.
export const MAX_ROWS = 500_000;
export const MAX_CELLS = 10_000_000;
const DATA_LIKE = /^(\d+([.,]\d+)?|\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4})$/;

/** Reads a CSV/TSV export. Throws only UnreadableFile, and only when nothing sensible can be read. */
export function parseCsv(input: Uint8Array | string): ParseResult {
  return guarded(() => {
    const source = openCsv(input);
    const rows: string[][] = [];
    const rowNumbers: number[] = [];
    source.rows((cells, line) => {
      rows.push(cells);
      rowNumbers.push(line);
    });
    return { table: { columns: source.columns, rows, rowNumbers }, issues: source.issues };
  });
}

/** Reads the add-on's table (a sheet range): same header and row checks as a CSV. */
export function parseJsonTable(body: JsonTable): ParseResult {
  return guarded(() => {
    const source = openJsonTable(body);
    const rows: string[][] = [];
    const rowNumbers: number[] = [];
    source.rows((cells, line) => {
      rows.push(cells);
      rowNumbers.push(line);
    });
    return { table: { columns: source.columns, rows, rowNumbers }, issues: source.issues };
  });
}

/** A CSV/TSV export opened row by row. Throws only UnreadableFile, as parseCsv does. */
export function openCsv(input: Uint8Array | string): RowSource {
  return guarded(() => {
    const decoded = typeof input === "string" ? textPieces(input) : decodePieces(input);
    const layout = prepare(decoded);
    const issues = [...decoded.issues];
    const header = readHeader(decoded, layout);
    const width =
      header.cells.length > namedWidth(header.cells)
        ? scanWidth(decoded, layout, header)
        : header.cells.length;
    const columns = nameColumns(header.cells.slice(0, width), issues);
    const fitter = rowFitter(header, width, layout.delimiter);
    return {
      columns,
      issues,
      sample: (limit) => guarded(() => sampleRows(decoded, layout, header, fitter, limit)),
      rows: (onRow) => guarded(() => readRows(decoded, layout, header, fitter, issues, onRow)),
      rowsPaced: async (onRow, pause) => {
        const reader = rowReader(header, fitter, issues, onRow);
        try {
          await eachRecordPaced(decoded, layout, reader.onRecord, pause);
          return reader.finish();
        } catch (error) {
          return guarded(() => {
            throw error;
          });
        }
      },
    };
  });
}

/** The add-on's table opened row by row. */
export function openJsonTable(body: JsonTable): RowSource {
  return guarded(() => {
    const columns: unknown = body?.columns;
    const rows: unknown = body?.rows;
    if (!Array.isArray(columns) || !Array.isArray(rows)) {
      throw new UnreadableFile("no_header", "The data has no column names: send `columns` and `rows`.");
    }
    if (rows.length > MAX_ROWS) throw tooManyRows(rows.length);
    const cells = rows.reduce((n: number, row: unknown) => n + Math.max(columns.length, lengthOf(row)), 0);
    if (cells > MAX_CELLS) throw tooManyCells(rows.length, columns.length);
    const header = { cells: columns.map(cellText), line: 1 };
    const data: RawRecord[] = rows.map((row: unknown, i) => ({
      cells: Array.isArray(row) ? row.map(cellText) : [],
      line: sourceRow(body.rowNumbers?.[i], i),
    }));
    if (isBlank(header.cells)) {
      if (data.every((r) => isBlank(r.cells))) throw emptyFile();
      throw new UnreadableFile("no_header", "The first row is empty: put the column names in row 1.");
    }
    rejectDataAsHeader(header);
    const width = tableWidth(header.cells, data);
    const issues: Issue[] = [];
    const named = nameColumns(header.cells.slice(0, width), issues);
    const fitter = rowFitter(header, width);
    const fitted = (limit: number, onRow: (cells: string[], line: number, from: number) => void) => {
      let count = 0;
      for (const record of data) {
        if (count >= limit) break;
        if (!record.badQuotes && isBlank(record.cells)) continue;
        const from = issues.length;
        const row = fitter(record, issues);
        if (!row) continue;
        count++;
        onRow(row, record.line, from);
      }
      return count;
    };
    return {
      columns: named,
      issues,
      sample: (limit) => {
        const sample: string[][] = [];
        const scratch: Issue[] = [];
        for (const record of data) {
          if (sample.length >= limit) break;
          if (isBlank(record.cells)) continue;
          const row = fitter(record, scratch);
          if (row) sample.push(row);
        }
        return sample;
      },
      rows: (onRow) => {
        const count = fitted(Number.POSITIVE_INFINITY, onRow);
        if (count === 0) issues.push(noRows());
        return count;
      },
      // The table is already in memory (the request's JSON): nothing to interleave with.
      rowsPaced: async (onRow) => {
        const count = fitted(Number.POSITIVE_INFINITY, onRow);
        if (count === 0) issues.push(noRows());
        return count;
      },
    };
  });
}

// The contract is "only UnreadableFile escapes", so a bug here still reaches the admin as one clear
// error instead of a crash; the distinct code keeps it visible in tests and logs. An error thrown by
// the caller's row handler is theirs, and passes through as it is.
class CallerError extends Error {
  original: unknown;

  constructor(original: unknown) {
    super("caller error");
    this.original = original;
  }
}

function guarded<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof CallerError) throw error.original;
    if (error instanceof UnreadableFile) throw error;
    const message = "The file could not be read because of an unexpected problem. Please send it to support.";
    throw new UnreadableFile("internal_error", message, { cause: error });
  }
}

interface Layout {
  delimiter: string;
  /** The line number of the first line read (2 after Excel's "sep=" line). */
  firstLine: number;
  /** Characters to skip at the start of the text ("sep=;" and its line break). */
  skip: number;
}

// Enough of the start of the text to find the delimiter from its first rows.
const HEAD_CHARS = 1 << 20;

function prepare(decoded: DecodedPieces): Layout {
  let head = "";
  for (const piece of decoded.pieces()) {
    head += piece;
    if (head.length >= HEAD_CHARS) break;
  }
  // An empty or blank file is refused whole; a big one is not blank once its start is not.
  if (head.trim() === "" && head.length < HEAD_CHARS) throw emptyFile();
  // Excel writes "sep=;" as a first line to say which separator follows.
  const sep = /^sep=([^"\r\n])(\r\n?|\n)/i.exec(head);
  const layout: Layout = sep?.[1]
    ? { delimiter: sep[1], firstLine: 2, skip: sep[0].length }
    : { delimiter: ",", firstLine: 1, skip: 0 };
  const start = head.slice(layout.skip).replace(/\r\n?/g, "\n");
  if (!sep) layout.delimiter = detectDelimiter(start);
  checkCells(start, layout.delimiter, decoded.lines - (layout.firstLine - 1));
  return layout;
}

// Papa's own guesser prefers whichever delimiter gives the most even field counts, which can pick
// ";" for a comma file whose values contain semicolons. The header decides here: among delimiters
// that split it into several columns, the one whose rows match it best wins, then the one giving
// more columns. A header no delimiter splits is a one-column file.
function detectDelimiter(text: string): string {
  let best: string = DELIMITERS[0];
  let bestScore = [0, 0];
  for (const delimiter of DELIMITERS) {
    const score = delimiterScore(text, delimiter);
    if (!score) continue;
    const [fit = 0, width = 0] = score;
    const [bestFit = 0, bestWidth = 0] = bestScore;
    if (fit > bestFit || (fit === bestFit && width > bestWidth)) {
      best = delimiter;
      bestScore = score;
    }
  }
  return best;
}

function delimiterScore(text: string, delimiter: string): number[] | null {
  const { data } = Papa.parse<string[]>(text, { delimiter, newline: "\n", preview: SNIFF_ROWS });
  const [header, ...rows] = data.filter((r) => !isBlank(r));
  const width = header?.length ?? 0;
  if (width < 2) return null;
  const matching = rows.filter((r) => r.length === width).length;
  return [rows.length === 0 ? 1 : matching / rows.length, width];
}

// Before the full read, so an oversized table is refused before it is read. Lines are an upper
// bound on rows (quoted line breaks and blank lines count too); the exact row count is checked as
// the rows are read.
function checkCells(start: string, delimiter: string, lines: number): void {
  const { data } = Papa.parse<string[]>(start, { delimiter, newline: "\n", preview: 1 });
  const width = data[0]?.length ?? 1;
  if ((lines - 1) * width > MAX_CELLS) throw tooManyCells(lines - 1, width);
}

class Stop extends Error {}

/**
 * Reads the text's records in order, handing each to `onRecord` until it returns false. Broken
 * quotes past MAX_QUOTE_REPAIRS make the file unreadable.
 */
function eachRecord(decoded: DecodedPieces, layout: Layout, onRecord: (record: RawRecord) => boolean): void {
  const reader = recordReader(layout, onRecord);
  try {
    let skip = layout.skip;
    for (const piece of decoded.pieces()) {
      const text = skip > 0 ? piece.slice(skip) : piece;
      skip = Math.max(0, skip - piece.length);
      reader.push(text);
    }
    reader.end();
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
  }
}

/** eachRecord, awaiting `pause` after each piece of text. */
async function eachRecordPaced(
  decoded: DecodedPieces,
  layout: Layout,
  onRecord: (record: RawRecord) => boolean,
  pause: () => Promise<void>,
): Promise<void> {
  const reader = recordReader(layout, onRecord);
  let skip = layout.skip;
  for (const piece of decoded.pieces()) {
    const text = skip > 0 ? piece.slice(skip) : piece;
    skip = Math.max(0, skip - piece.length);
    reader.push(text);
    await pause();
  }
  reader.end();
}

function recordReader(layout: Layout, onRecord: (record: RawRecord) => boolean) {
  return csvReader({
    delimiter: layout.delimiter,
    firstLine: layout.firstLine,
    onRecord: (record) => {
      if (!onRecord(record)) throw new Stop();
    },
    onBadQuotes: (count) => {
      if (count > MAX_QUOTE_REPAIRS) throw unbalancedQuotes(`more than ${MAX_QUOTE_REPAIRS} rows have`);
    },
  });
}

function isData(record: RawRecord): boolean {
  return Boolean(record.badQuotes) || !isBlank(record.cells);
}

function readHeader(decoded: DecodedPieces, layout: Layout): RawRecord {
  let header: RawRecord | null = null;
  eachRecord(decoded, layout, (record) => {
    if (!isData(record)) return true;
    header = record;
    return false;
  });
  const found = header as RawRecord | null;
  if (!found) throw emptyFile();
  if (found.badQuotes) throw unbalancedQuotes("the header row has");
  rejectDataAsHeader(found);
  return found;
}

/** The header's last named column; columns after it count only if some row has a value there. */
function namedWidth(header: string[]): number {
  for (let i = header.length - 1; i > 0; i--) if (header[i]?.trim()) return i + 1;
  return 1;
}

/** Reads the whole file once more to see whether rows fill the header's unnamed last columns. */
function scanWidth(decoded: DecodedPieces, layout: Layout, header: RawRecord): number {
  let width = namedWidth(header.cells);
  let past = false;
  eachRecord(decoded, layout, (record) => {
    if (!past) {
      past = record.line === header.line;
      return true;
    }
    if (!isData(record)) return true;
    for (let i = header.cells.length - 1; i >= width; i--) {
      if (record.cells[i]?.trim()) {
        width = i + 1;
        break;
      }
    }
    return width < header.cells.length;
  });
  return width;
}

type Fitter = (record: RawRecord, issues: Issue[]) => string[] | null;

/** A data record as a row of the table, its issues pushed; null for a repeated header. */
function rowFitter(header: RawRecord, width: number, delimiter?: string): Fitter {
  return (record, issues) => {
    if (repeatsHeader(record, header, width)) {
      const message = `Row ${record.line} repeats the column names (exports joined together, or a report's page header); it was skipped.`;
      issues.push({ row: record.line, level: "warning", code: "repeated_header", message });
      return null;
    }
    if (delimiter) checkDelimiter(record, width, delimiter, issues);
    return fitRow(record, width, issues);
  };
}

function sampleRows(
  decoded: DecodedPieces,
  layout: Layout,
  header: RawRecord,
  fitter: Fitter,
  limit: number,
): string[][] {
  const sample: string[][] = [];
  const scratch: Issue[] = [];
  let past = false;
  if (limit <= 0) return sample;
  eachRecord(decoded, layout, (record) => {
    if (!past) {
      past = record.line === header.line;
      return true;
    }
    if (!isData(record)) return true;
    const row = fitter(record, scratch);
    if (row) sample.push(row);
    return sample.length < limit;
  });
  return sample;
}

function readRows(
  decoded: DecodedPieces,
  layout: Layout,
  header: RawRecord,
  fitter: Fitter,
  issues: Issue[],
  onRow: (cells: string[], line: number, issuesFrom: number) => void,
): number {
  const reader = rowReader(header, fitter, issues, onRow);
  eachRecord(decoded, layout, reader.onRecord);
  return reader.finish();
}

/** The data rows among the records: after the header, blank ones skipped, each fitted. */
function rowReader(
  header: RawRecord,
  fitter: Fitter,
  issues: Issue[],
  onRow: (cells: string[], line: number, issuesFrom: number) => void,
): { onRecord: (record: RawRecord) => boolean; finish: () => number } {
  let past = false;
  let records = 0;
  let rows = 0;
  return {
    onRecord(record) {
      if (!past) {
        past = record.line === header.line;
        return true;
      }
      if (!isData(record)) return true;
      records++;
      // Past the limit the rest is only counted, for the message.
      if (records > MAX_ROWS) return true;
      const from = issues.length;
      const row = fitter(record, issues);
      if (!row) return true;
      rows++;
      try {
        onRow(row, record.line, from);
      } catch (error) {
        throw new CallerError(error);
      }
      return true;
    },
    finish() {
      if (records > MAX_ROWS) throw tooManyRows(records);
      if (rows === 0) issues.push(noRows());
      return rows;
    },
  };
}

function noRows(): Issue {
  return {
    row: null,
    level: "warning",
    code: "no_rows",
    message: "The file has column names but no people.",
  };
}

function tooManyRows(rows: number): UnreadableFile {
  return new UnreadableFile(
    "too_many_rows",
    `The file has ${count(rows)} rows; one import reads at most ${count(MAX_ROWS)} people. ` +
      "Split the export (for example by department or country) into several files.",
  );
}

function tooManyCells(rows: number, columns: number): UnreadableFile {
  return new UnreadableFile(
    "too_many_cells",
    `The file has about ${count(rows)} rows of ${count(columns)} columns; one import reads at most ` +
      `${count(MAX_CELLS)} values. Leave out the columns you do not map, or split the export into several files.`,
  );
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}

// Without a header the first person would become the column names and nothing could be mapped.
function rejectDataAsHeader(header: RawRecord): void {
  const cells = header.cells.map((c) => c.trim()).filter(Boolean);
  const email = cells.find((c) => EMAIL.test(c));
  if (!email && !(cells.length > 1 && cells.every((c) => DATA_LIKE.test(c)))) return;
  const example = email ?? cells[0];
  throw new UnreadableFile(
    "no_header",
    `The first row (row ${header.line}) looks like data, not column names: it contains “${example}”. ` +
      "Add a header row with names such as “Email” and “First name”.",
  );
}

// Trailing columns with neither a name nor any value are padding from the exporting tool: dropped.
function tableWidth(header: string[], data: RawRecord[]): number {
  for (let i = header.length - 1; i > 0; i--) {
    if (header[i]?.trim() || data.some((r) => r.cells[i]?.trim())) return i + 1;
  }
  return 1;
}

function nameColumns(raw: string[], issues: Issue[]): string[] {
  const names = raw.map((c) => c.replace(/\s+/g, " ").trim());
  const taken = new Set(names.map((n) => n.toLowerCase()));
  const seen = new Set<string>();
  return names.map((name, i) => {
    let result = name;
    if (!result) {
      result = `Column ${i + 1}`;
      const message = `Column ${i + 1} has no name in the header row; it is called “${result}” here.`;
      issues.push({ row: null, level: "warning", code: "blank_header", message, column: result });
    }
    if (seen.has(result.toLowerCase())) {
      const renamed = freeName(result, taken);
      const message = `The header “${result}” appears more than once; column ${i + 1} is called “${renamed}” here. Check which one should be mapped.`;
      issues.push({ row: null, level: "warning", code: "duplicate_header", message, column: renamed });
      result = renamed;
    }
    seen.add(result.toLowerCase());
    taken.add(result.toLowerCase());
    return result;
  });
}

function freeName(name: string, taken: Set<string>): string {
  for (let n = 2; ; n++) {
    const candidate = `${name} (${n})`;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
}

function repeatsHeader(record: RawRecord, header: RawRecord, width: number): boolean {
  if (width < 2 || record.badQuotes) return false;
  const same = (a?: string, b?: string) => (a ?? "").trim().toLowerCase() === (b ?? "").trim().toLowerCase();
  // Cheap first: most rows differ from the header in their first cell.
  if (!same(header.cells[0], record.cells[0])) return false;
  return header.cells.slice(0, width).every((name, i) => same(name, record.cells[i]));
}

// A row written with another separator than the header's reads as one long value: say so, instead
// of the misleading "no email" that its empty columns would give.
function checkDelimiter(record: RawRecord, width: number, delimiter: string, issues: Issue[]): void {
  if (width < 3 || record.badQuotes || record.cells.length > width / 2) return;
  const text = record.cells.join(delimiter);
  const other = DELIMITERS.find((d) => d !== delimiter && text.split(d).length >= Math.max(3, width * 0.75));
  if (!other) return;
  const message =
    `Row ${record.line} is separated by ${delimiterName(other)} but the header row by ${delimiterName(delimiter)}, ` +
    "so its values cannot be put in the right columns. Make the file use one separator and import it again.";
  issues.push({ row: record.line, level: "error", code: "wrong_delimiter", message });
}

function delimiterName(delimiter: string): string {
  return delimiter === "\t" ? "tabs" : `“${delimiter}”`;
}

function fitRow(record: RawRecord, width: number, issues: Issue[]): string[] {
  const row = record.cells.length === width ? record.cells : record.cells.slice(0, width);
  while (row.length < width) row.push("");
  if (record.cells.length > width) {
    const extra = record.cells.slice(width).filter((c) => c.trim() !== "");
    if (extra.length > 0) {
      const shown = extra.slice(0, 3).map(quoted).join(", ");
      const message =
        `Row ${record.line} has more values than there are columns; the extra values (${shown}) were ignored. ` +
        "A value containing the separator probably needs quotes.";
      issues.push({ row: record.line, level: "warning", code: "extra_cells", message });
    }
  }
  if (record.badQuotes) {
    const message = `Row ${record.line} has a quote (") that is never closed, so its values may be split wrongly. Fix the quote in the file and import it again.`;
    issues.push({ row: record.line, level: "error", code: "unbalanced_quotes", message });
  }
  return row;
}

function unbalancedQuotes(where: string): UnreadableFile {
  return new UnreadableFile(
    "unbalanced_quotes",
    `The file cannot be read: ${where} a quote (") that is never closed. Export the file again from your HRIS or spreadsheet.`,
  );
}

function quoted(value: string): string {
  return value.length > 40 ? `“${value.slice(0, 40)}…”` : `“${value}”`;
}

function isBlank(cells: string[]): boolean {
  for (const c of cells) if (c.trim() !== "") return false;
  return true;
}

function lengthOf(row: unknown): number {
  return Array.isArray(row) ? row.length : 0;
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : String(value);
}

function sourceRow(given: number | undefined, index: number): number {
  return Number.isInteger(given) && (given ?? 0) > 0 ? (given as number) : index + 2;
}
