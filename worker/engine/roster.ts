// The "map" step for a whole export, kept compact: each row is mapped as applyMapping maps it and
// stored as one JSON string of its mapped values, a fingerprint of them, and the few fields
// planning looks at for every row (identity, manager, status, country, dates). A full
// PersonRecord is rebuilt only for the rows that turn out to need an action. Date columns are
// read whole at the end, as applyMapping reads them (a column's day/month order is inferred from
// all its values).
import type { MappingColumn } from "../../db/schema.ts";
import { fingerprint } from "./fingerprint.ts";
import {
  columnMapper,
  coreCell,
  DATE_FIELDS,
  emailProblem,
  isCoreField,
  MAX_VALUE_CHARS,
  mappedValue,
  readDates,
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
  lines: number[];
  /** The row's mapped values in `active` order (dates as null: see startDates/terminationDates). */
  json: string[];
  /** Fingerprint of `json`. */
  hashes: number[];
  employeeIds: (string | null)[];
  emails: (string | null)[];
  managers: (string | null)[];
  statuses: (string | null)[];
  countries: (string | null)[];
  /** Where the first and last name are among a row's values (-1: not mapped). */
  nameAt: [number, number];
  startDates: (string | null)[];
  terminationDates: (string | null)[];
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

// Cells are slices of the reader's text: a string kept past its row is copied, so the text it came
// from can go. V8 copies substrings under 13 characters itself; a longer one is copied by
// flattening a concatenation.
function detach(value: string): string {
  return value.length < 13 ? value : ` ${value}`.slice(1);
}

/** Repeated values (statuses, countries, managers, dates) are kept once. */
function interner(): (value: string | null) => string | null {
  const seen = new Map<string, string>();
  return (value) => {
    if (value === null) return null;
    let kept = seen.get(value);
    if (kept === undefined) {
      kept = detach(value);
      seen.set(kept, kept);
    }
    return kept;
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
  const source = { columns };
  const layout = rosterLayout(source.columns, mapping);
  const { active } = layout;
  const columnIndex = active.map((m) => source.columns.indexOf(m.column));
  const isCore = active.map((m) => m.kind === "core");
  const isDate = active.map((m) => m.kind === "core" && DATE_FIELDS.has(m.field as CoreField));
  const mappers = active.map(columnMapper);
  const dateRaw = active.map(() => [] as string[]);
  // Where the fields read for every row come from: the last column feeding each, as in record.core.
  const at = (field: CoreField) => active.findLastIndex((m) => m.kind === "core" && m.field === field);
  const fieldAt = {
    employeeId: at("employeeId"),
    email: at("email"),
    manager: at("manager"),
    employmentStatus: at("employmentStatus"),
    country: at("country"),
    firstName: at("firstName"),
    lastName: at("lastName"),
  };
  const intern = interner();
  const roster: Roster = {
    layout,
    size: 0,
    lines: [],
    json: [],
    hashes: [],
    employeeIds: [],
    emails: [],
    managers: [],
    statuses: [],
    countries: [],
    nameAt: [fieldAt.firstName, fieldAt.lastName],
    startDates: [],
    terminationDates: [],
    rejected: new Map(),
    warnings: new Map(),
    issues: [],
  };
  const problems = new Map<number, string>();
  const warnings: string[] = [];
  const text = (values: unknown[], i: number): string | null =>
    i < 0 ? null : ((values[i] as string | null | undefined) ?? null);

  const add = (cells: string[], line: number) => {
    const r = roster.size++;
    const values: unknown[] = new Array(active.length);
    let long: string | null = null;
    for (let i = 0; i < active.length; i++) {
      let raw = cells[columnIndex[i] as number] ?? "";
      if (isCore[i]) raw = coreCell(raw);
      if (long === null && raw.length > MAX_VALUE_CHARS)
        long = tooLong((active[i] as MappingColumn).column, raw);
      if (isDate[i]) {
        (dateRaw[i] as string[]).push(detach(raw));
        values[i] = null;
      } else values[i] = (mappers[i] as (typeof mappers)[number])(raw, warnings) ?? null;
    }
    const json = JSON.stringify(values);
    roster.lines.push(line);
    roster.json.push(json);
    roster.hashes.push(fingerprint(json));
    const employeeId = text(values, fieldAt.employeeId);
    const email = text(values, fieldAt.email);
    roster.employeeIds.push(employeeId === null ? null : detach(employeeId));
    roster.emails.push(email === null ? null : detach(email));
    roster.managers.push(intern(text(values, fieldAt.manager)));
    roster.statuses.push(intern(text(values, fieldAt.employmentStatus)));
    roster.countries.push(intern(text(values, fieldAt.country)));
    if (warnings.length) {
      roster.warnings.set(r, warnings.slice());
      warnings.length = 0;
    }
    const problem = long ?? emailProblem(fieldAt.email < 0 ? undefined : email);
    if (problem) problems.set(r, problem);
  };

  const finish = (parseIssues: Issue[]) => {
    readDateColumns(roster, isDate, dateRaw, dateOrder, intern);
    const errors = rowErrors([...parseIssues, ...roster.issues]);
    for (let r = 0; r < roster.size; r++) {
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
  dateRaw: string[][],
  dateOrder: DateOrder | null,
  intern: (value: string | null) => string | null,
): void {
  const { active } = roster.layout;
  const byColumn = new Map<string, (string | null)[]>();
  active.forEach((m, i) => {
    if (!isDate[i]) return;
    const order = m.dateOrder ?? dateOrder;
    byColumn.set(m.column, readDates(m.column, dateRaw[i] ?? [], order, roster.lines, roster.issues));
  });
  roster.startDates = new Array(roster.size).fill(null);
  roster.terminationDates = new Array(roster.size).fill(null);
  active.forEach((m, i) => {
    if (!isDate[i]) return;
    const dates = byColumn.get(m.column) ?? [];
    const target = m.field === "startDate" ? roster.startDates : roster.terminationDates;
    const scratch: string[] = [];
    for (let r = 0; r < roster.size; r++) {
      target[r] = intern((mappedValue(m, dates[r] ?? null, scratch) as string | null) ?? null);
    }
  });
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
  const values = JSON.parse(roster.json[r] as string) as (string | null)[];
  return [first < 0 ? null : values[first], last < 0 ? null : values[last]].filter(Boolean).join(" ");
}

/** Row `r` as the PersonRecord applyMapping gives for it. */
export function recordAt(roster: Roster, r: number): PersonRecord {
  const { active, mapped } = roster.layout;
  const values = JSON.parse(roster.json[r] as string) as (string | string[] | null)[];
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
    if (m.kind === "core") {
      if (!isCoreField(field)) return;
      if (DATE_FIELDS.has(field)) {
        record.core[field] =
          field === "startDate" ? (roster.startDates[r] ?? null) : (roster.terminationDates[r] ?? null);
      } else record.core[field] = (values[i] as string | null) ?? null;
      return;
    }
    const value = values[i];
    if (value !== null && value !== undefined) record.profile[field] = value;
  });
  return record;
}
