// The "map" step for a whole export, kept compact: each row is mapped as applyMapping maps it and
// stored by column (columns.ts: repeated values kept once), with a fingerprint of its mapped values.
// The fields planning looks at for every row (identity, manager, status, country, dates) are read
// from those columns. A full PersonRecord is rebuilt only for the rows that turn out to need an
// action. Date columns are read whole at the end, as applyMapping reads them (a column's day/month
// order is inferred from all its values).
import type { MappingColumn } from "../../db/schema.ts";
import { Column, emptyColumn, grown, type TextColumn, type Value } from "./columns.ts";
import { type DateIssue, parseDateColumn } from "./dates.ts";
import { rowFingerprint } from "./fingerprint.ts";
import {
  columnMapper,
  coreCell,
  DATE_FIELDS,
  emailProblem,
  isCoreField,
  MAX_VALUE_CHARS,
  mappedValue,
} from "./mapping.ts";
import type { RowSource } from "./parse.ts";
import type { CoreField, DateOrder, Issue, PersonRecord } from "./types.ts";

/** Which columns feed which fields. */
export interface RosterLayout {
  active: MappingColumn[];
  mapped: ReadonlySet<string>;
  /** Core fields the mapping writes (record.core's keys), dates excluded. */
  coreFields: CoreField[];
  /** Mapped fields compared as profile values (segments, roles). */
  profileKeys: string[];
  hasStartDate: boolean;
  hasTerminationDate: boolean;
}

export interface Roster {
  layout: RosterLayout;
  size: number;
  lines: Int32Array;
  /** The row's mapped values, one column per `active` column (a date column's are null: see startDates). */
  values: Column[];
  /**
   * Fingerprint of the JSON of the row's values (as memberFingerprint writes a member's): 53 bits,
   * exact in a double.
   */
  hashes: Float64Array;
  /** The fields planning reads for every row: the `values` columns that feed them. */
  employeeIds: TextColumn;
  emails: TextColumn;
  managers: TextColumn;
  statuses: TextColumn;
  countries: TextColumn;
  /** Where the first and last name are among a row's values (-1: not mapped). */
  nameAt: [number, number];
  startDates: TextColumn;
  terminationDates: TextColumn;
  /** Why a row cannot become a person, by row index. */
  rejected: Map<number, string>;
  warnings: Map<number, string[]>;
  /** The map step's own issues (dates). */
  issues: Issue[];
}

export function rosterLayout(columns: string[], mapping: MappingColumn[]): RosterLayout {
  const active = mapping.filter((m) => m.field !== null && columns.includes(m.column));
  const mapped = new Set(active.map((m) => m.field as string));
  const core = new Set<CoreField>();
  for (const m of active)
    if (m.kind === "core" && isCoreField(m.field as string)) core.add(m.field as CoreField);
  return {
    active,
    mapped,
    coreFields: [...core].filter((f) => !DATE_FIELDS.has(f)),
    profileKeys: [...mapped].filter((f) => !core.has(f as CoreField)),
    hasStartDate: core.has("startDate"),
    hasTerminationDate: core.has("terminationDate"),
  };
}

/** Reads every row of `source` through the mapping. */
export function buildRoster(
  source: RowSource,
  mapping: MappingColumn[],
  dateOrder: DateOrder | null,
): Roster {
  const builder = rosterBuilder(source.columns, mapping, dateOrder);
  source.rows(builder.add);
  return builder.finish(source.issues);
}

/**
 * buildRoster that lets other work run between pieces of the file (`pause` yields to the event
 * loop): pages of members arriving meanwhile are indexed as the rows are read.
 */
export async function buildRosterPaced(
  source: RowSource,
  mapping: MappingColumn[],
  dateOrder: DateOrder | null,
  pause: () => Promise<void>,
  limit?: RowLimit,
): Promise<Roster> {
  const builder = rosterBuilder(source.columns, mapping, dateOrder);
  const add = limit ? limited(builder.add, limit) : builder.add;
  await source.rowsPaced(add, pause);
  return builder.finish(source.issues);
}

/** A ceiling on rows: past it, reading stops with the caller's error (memory is the reason). */
export interface RowLimit {
  maxRows: number;
  tooMany: (maxRows: number) => Error;
}

function limited(add: RosterBuilder["add"], limit: RowLimit): RosterBuilder["add"] {
  let rows = 0;
  return (cells, line) => {
    rows += 1;
    if (rows > limit.maxRows) throw limit.tooMany(limit.maxRows);
    add(cells, line);
  };
}

interface RosterBuilder {
  add: (cells: string[], line: number) => void;
  /** `parseIssues` are all the parser's issues: a row with an error among them is rejected. */
  finish: (parseIssues: Issue[]) => Roster;
}

function rosterBuilder(
  columns: string[],
  mapping: MappingColumn[],
  dateOrder: DateOrder | null,
): RosterBuilder {
  const layout = rosterLayout(columns, mapping);
  const { active } = layout;
  const columnIndex = active.map((m) => columns.indexOf(m.column));
  const isCore = active.map((m) => m.kind === "core");
  const isDate = active.map((m) => m.kind === "core" && DATE_FIELDS.has(m.field as CoreField));
  const mappers = active.map(columnMapper);
  // A date column holds its raw cells until it is read whole.
  const stored = active.map(() => new Column());
  // Where the fields read for every row come from: the last column feeding each, as in record.core.
  const at = (field: CoreField) => active.findLastIndex((m) => m.kind === "core" && m.field === field);
  const emailAt = at("email");
  let size = 0;
  let lines = new Int32Array(1024);
  let hashes = new Float64Array(1024);
  const problems = new Map<number, string>();
  const rowWarnings = new Map<number, string[]>();
  const warnings: string[] = [];
  // One row's values, for its fingerprint: the columns' copies, which (unlike slices of the
  // reader's text) are quick to read.
  const values: (Value | null)[] = new Array(active.length);

  const add = (cells: string[], line: number) => {
    const r = size++;
    let long: string | null = null;
    for (let i = 0; i < active.length; i++) {
      let raw = cells[columnIndex[i] as number] ?? "";
      if (isCore[i]) raw = coreCell(raw);
      if (long === null && raw.length > MAX_VALUE_CHARS)
        long = tooLong((active[i] as MappingColumn).column, raw);
      if (isDate[i]) {
        (stored[i] as Column).push(raw);
        values[i] = null;
      } else {
        const value = (mappers[i] as (typeof mappers)[number])(raw, warnings) ?? null;
        values[i] = (stored[i] as Column).push(value);
      }
    }
    if (r === lines.length) {
      lines = grown(lines);
      hashes = grown(hashes);
    }
    lines[r] = line;
    hashes[r] = rowFingerprint(values);
    if (warnings.length) {
      rowWarnings.set(r, warnings.slice());
      warnings.length = 0;
    }
    const email = emailAt < 0 ? undefined : ((values[emailAt] as string | null) ?? null);
    const problem = long ?? emailProblem(email);
    if (problem) problems.set(r, problem);
  };

  const finish = (parseIssues: Issue[]): Roster => {
    for (const column of stored) column.finish();
    const column = (i: number) => (i < 0 || isDate[i] ? emptyColumn() : (stored[i] as Column));
    const text = (field: CoreField) => column(at(field)) as TextColumn;
    const roster: Roster = {
      layout,
      size,
      lines: lines.slice(0, size),
      hashes: hashes.slice(0, size),
      values: active.map((_, i) => column(i)),
      employeeIds: text("employeeId"),
      emails: text("email"),
      managers: text("manager"),
      statuses: text("employmentStatus"),
      countries: text("country"),
      nameAt: [at("firstName"), at("lastName")],
      startDates: emptyColumn() as TextColumn,
      terminationDates: emptyColumn() as TextColumn,
      rejected: new Map(),
      warnings: rowWarnings,
      issues: [],
    };
    readDateColumns(roster, isDate, stored, dateOrder);
    const errors = rowErrors([...parseIssues, ...roster.issues]);
    for (let r = 0; r < size; r++) {
      const message = errors.get(roster.lines[r] as number) ?? problems.get(r);
      if (message) roster.rejected.set(r, message);
    }
    return roster;
  };
  return { add, finish };
}

function tooLong(column: string, raw: string): string {
  const length = raw.length.toLocaleString("en-US");
  return `${column}: the value is ${length} characters long; a mapped value has at most ${MAX_VALUE_CHARS.toLocaleString("en-US")}.`;
}

/** Each date column read whole, as applyMapping reads it: the last reading of a column wins. */
function readDateColumns(
  roster: Roster,
  isDate: boolean[],
  raw: Column[],
  dateOrder: DateOrder | null,
): void {
  const { active } = roster.layout;
  const byColumn = new Map<string, Column>();
  active.forEach((m, i) => {
    if (!isDate[i]) return;
    const order = m.dateOrder ?? dateOrder;
    byColumn.set(m.column, readDates(m.column, raw[i] as Column, order, roster.lines, roster.issues));
  });
  // A field's dates are the last column feeding it, as in record.core.
  const mapped = (field: CoreField): TextColumn => {
    const m = active.findLast((m, i) => isDate[i] && m.field === field);
    const dates = m && byColumn.get(m.column);
    if (!m || !dates) return emptyColumn() as TextColumn;
    const scratch: string[] = [];
    const dictionary = dates.dictionary.map((date) => mappedValue(m, date as string | null, scratch) ?? null);
    return dates.recoded(dictionary) as TextColumn;
  };
  roster.startDates = mapped("startDate");
  roster.terminationDates = mapped("terminationDate");
}

/**
 * mapping.ts's readDates over a column of raw cells: each distinct cell is read once (a date reads
 * the same wherever it is, and the order is inferred from which values occur), and its issues are
 * reported for every row holding it, in row order, as reading every row would.
 */
function readDates(
  column: string,
  raw: Column,
  order: DateOrder | null,
  lines: Int32Array,
  issues: Issue[],
): Column {
  const cells = raw.dictionary.map((cell) => (cell as string | null) ?? "");
  const result = parseDateColumn(cells, order);
  const report = (issue: DateIssue) => issues.push({ ...issue, row: lines[issue.index] ?? null, column });
  // The one warning (the order cannot be told) names the first row with such a date; errors follow.
  const [first] = result.issues;
  if (first?.level === "warning")
    report({ ...first, index: firstRowHolding(raw, first.index, lines.length) });
  const errors = new Map(result.issues.filter((i) => i.level === "error").map((i) => [i.index, i]));
  for (let r = 0; r < lines.length && errors.size > 0; r++) {
    const issue = errors.get(raw.codeAt(r));
    if (issue) report({ ...issue, index: r });
  }
  return raw.recoded(result.dates);
}

function firstRowHolding(column: Column, code: number, size: number): number {
  for (let r = 0; r < size; r++) if (column.codeAt(r) === code) return r;
  return 0;
}

function rowErrors(issues: Issue[]): Map<number, string> {
  const byRow = new Map<number, string>();
  for (const issue of issues) {
    if (issue.level !== "error" || issue.row === null) continue;
    const message = issue.column ? `${issue.column}: ${issue.message}` : issue.message;
    byRow.set(issue.row, byRow.has(issue.row) ? `${byRow.get(issue.row)} ${message}` : message);
  }
  return byRow;
}

/** Row `r`'s first and last name joined ("" when neither). */
export function rowName(roster: Roster, r: number): string {
  const [first, last] = roster.nameAt;
  if (first < 0 && last < 0) return "";
  const name = (i: number) => (i < 0 ? null : (roster.values[i] as Column).at(r));
  return [name(first), name(last)].filter(Boolean).join(" ");
}

/** Row `r` as the PersonRecord applyMapping gives for it. */
export function recordAt(roster: Roster, r: number): PersonRecord {
  const { active, mapped } = roster.layout;
  const record: PersonRecord = {
    row: roster.lines[r] as number,
    core: {},
    derived: {},
    warnings: [...(roster.warnings.get(r) ?? [])],
    profile: {},
    mapped,
  };
  active.forEach((m, i) => {
    const field = m.field as string;
    const value = (roster.values[i] as Column).at(r);
    if (m.kind === "core") {
      if (!isCoreField(field)) return;
      if (field === "startDate") record.core[field] = roster.startDates.at(r);
      else if (field === "terminationDate") record.core[field] = roster.terminationDates.at(r);
      else record.core[field] = value as string | null;
      return;
    }
    // The record's own copy: a column's value is shared by the rows holding it.
    if (value !== null) record.profile[field] = typeof value === "string" ? value : ownCopy(value);
  });
  return record;
}

function ownCopy(value: Value): Value {
  return JSON.parse(JSON.stringify(value)) as Value;
}
