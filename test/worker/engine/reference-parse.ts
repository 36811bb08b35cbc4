// The parser as it was before it read exports in pieces (Papa Parse over the whole text), kept as
// the reference the streaming reader must agree with, record for record and issue for issue.
import Papa from "papaparse";
import { checkText, emptyFile, UnreadableFile } from "../../../worker/engine/decode.ts";
import { MAX_CELLS, MAX_ROWS } from "../../../worker/engine/parse.ts";
import type { Issue, ParseResult } from "../../../worker/engine/types.ts";

interface RawRecord {
  cells: string[];
  line: number;
  badQuotes?: boolean;
}

/** The previous parseCsv, for text. */
export function referenceParseCsv(input: string): ParseResult {
  return guarded(() => {
    const decoded = checkText(input);
    const { text, delimiter, firstLine } = prepare(decoded.text);
    checkCells(text, delimiter);
    const records = readRecords(text, delimiter, firstLine).filter((r) => r.badQuotes || !isBlank(r.cells));
    const [header, ...data] = records;
    if (!header) throw emptyFile();
    return buildTable(header, data, decoded.issues, delimiter);
  });
}

/** The previous record reader: Papa over the text, one stray quote repaired per pass. */
export function referenceRecords(text: string, delimiter: string): RawRecord[] {
  return readRecords(text, delimiter, 1);
}

const DELIMITERS = [",", ";", "\t", "|"] as const;
const SNIFF_ROWS = 30;
// Each repair re-reads the rest of the file; past this many the file is not a CSV we can trust.
const MAX_QUOTE_REPAIRS = 100;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATA_LIKE = /^(\d+([.,]\d+)?|\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4})$/;

// The contract is "only UnreadableFile escapes", so a bug here still reaches the admin as one clear
// error instead of a crash; the distinct code keeps it visible in tests and logs.
function guarded(read: () => ParseResult): ParseResult {
  try {
    return read();
  } catch (error) {
    if (error instanceof UnreadableFile) throw error;
    const message = "The file could not be read because of an unexpected problem. Please send it to support.";
    throw new UnreadableFile("internal_error", message, { cause: error });
  }
}

function prepare(raw: string): { text: string; delimiter: string; firstLine: number } {
  // One line-break style for the parser and for line counting; CRLF inside quoted values becomes LF.
  const text = raw.replace(/\r\n?/g, "\n");
  if (text.trim() === "") throw emptyFile();
  // Excel writes "sep=;" as a first line to say which separator follows.
  const sep = /^sep=([^"\n])\n/i.exec(text);
  if (sep?.[1]) return { text: text.slice(sep[0].length), delimiter: sep[1], firstLine: 2 };
  return { text, delimiter: detectDelimiter(text), firstLine: 1 };
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

// Papa reads the whole text in one go. On a quote problem, the rows before it stand, the line where
// the bad row starts is read on its own, and parsing resumes on the next line: one stray quote costs
// one row, not the rest of the file.
function readRecords(text: string, delimiter: string, firstLine: number): RawRecord[] {
  const starts = lineStarts(text);
  const records: RawRecord[] = [];
  let line = firstLine;
  for (let repairs = 0; ; repairs++) {
    const start = starts[line - firstLine];
    if (start === undefined) return records;
    const { data, errors } = Papa.parse<string[]>(text.slice(start), { delimiter, newline: "\n" });
    const bad = errors.reduce((min, e) => Math.min(min, e.row ?? 0), data.length);
    for (const cells of data.slice(0, bad)) {
      records.push({ cells, line });
      line += 1 + cells.reduce((n, cell) => n + cell.split("\n").length - 1, 0);
    }
    if (bad >= data.length) return records;
    if (repairs >= MAX_QUOTE_REPAIRS) throw unbalancedQuotes(`more than ${MAX_QUOTE_REPAIRS} rows have`);
    const end = (starts[line - firstLine + 1] ?? text.length + 1) - 1;
    const lineAlone = text.slice(starts[line - firstLine], end);
    const alone = Papa.parse<string[]>(lineAlone, { delimiter, newline: "\n" });
    records.push({ cells: alone.data[0] ?? [""], line, badQuotes: true });
    line += 1;
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

// Before the full read, so an oversized table is refused before it is held in memory. Lines are an
// upper bound on rows (quoted line breaks and blank lines count too); the exact row count is checked
// once the rows are read.
function checkCells(text: string, delimiter: string): void {
  const { data } = Papa.parse<string[]>(text, { delimiter, newline: "\n", preview: 1 });
  const width = data[0]?.length ?? 1;
  let lines = 1;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lines++;
  if ((lines - 1) * width > MAX_CELLS) throw tooManyCells(lines - 1, width);
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

function buildTable(header: RawRecord, data: RawRecord[], issues: Issue[], delimiter?: string): ParseResult {
  if (header.badQuotes) throw unbalancedQuotes("the header row has");
  if (data.length > MAX_ROWS) throw tooManyRows(data.length);
  rejectDataAsHeader(header);
  const width = tableWidth(header.cells, data);
  const columns = nameColumns(header.cells.slice(0, width), issues);
  const rows: string[][] = [];
  const rowNumbers: number[] = [];
  for (const record of data) {
    if (!record.badQuotes && isBlank(record.cells)) continue;
    if (repeatsHeader(record, header, width)) {
      const message = `Row ${record.line} repeats the column names (exports joined together, or a report's page header); it was skipped.`;
      issues.push({ row: record.line, level: "warning", code: "repeated_header", message });
      continue;
    }
    if (delimiter) checkDelimiter(record, width, delimiter, issues);
    rows.push(fitRow(record, width, issues));
    rowNumbers.push(record.line);
  }
  if (rows.length === 0) {
    issues.push({
      row: null,
      level: "warning",
      code: "no_rows",
      message: "The file has column names but no people.",
    });
  }
  return { table: { columns, rows, rowNumbers }, issues };
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
  const row = record.cells.slice(0, width);
  while (row.length < width) row.push("");
  const extra = record.cells.slice(width).filter((c) => c.trim() !== "");
  if (extra.length > 0) {
    const shown = extra.slice(0, 3).map(quoted).join(", ");
    const message =
      `Row ${record.line} has more values than there are columns; the extra values (${shown}) were ignored. ` +
      "A value containing the separator probably needs quotes.";
    issues.push({ row: record.line, level: "warning", code: "extra_cells", message });
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
  return cells.every((c) => c.trim() === "");
}
