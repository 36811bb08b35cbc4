// The "map" step: a parsed table plus the data mapping table → one PersonRecord per row.
// Only mapped columns produce fields; values are normalised so comparisons in the planner are exact.
import type { MappingColumn } from "../../db/schema.ts";
import { parseDateColumn } from "./dates.ts";
import {
  CORE_FIELDS,
  type CoreField,
  type DateOrder,
  type Issue,
  type PersonRecord,
  type Table,
} from "./types.ts";

export const DATE_FIELDS: ReadonlySet<CoreField> = new Set(["startDate", "terminationDate"]);
const CORE: ReadonlySet<string> = new Set(CORE_FIELDS);
// Deliberately loose: HRIS exports hold real addresses; we reject only what cannot be a work
// address. Quotes, brackets, commas and semicolons only occur in quoted local parts (never in a work
// email) or are two addresses pasted together. Non-ASCII letters are allowed: internationalised
// addresses (RFC 6531) and domains (user@bücher.example) are real, and are kept as written.
const EMAIL = /^[^\s\p{Cc}@"(),:;<>[\]\\]+@[^\s\p{Cc}@"(),:;<>[\]\\]+\.[^\s\p{Cc}@"(),:;<>[\]\\]+$/u;
// EMAIL for ASCII addresses (nearly all), without Unicode classes: what it accepts, EMAIL accepts.
// Written as the printable range it accepts, so no control character appears in the pattern.
const ASCII_EMAIL = /^[!#-'*+\--9=?A-Z^-~]+@[!#-'*+\--9=?A-Z^-~]+\.[!#-'*+\--9=?A-Z^-~]+$/;
// Invisible format characters (zero-width space and joiners, word joiner, soft hyphen, bidi
// controls, BOM) come with values copied from web pages and documents. In an identity key they make
// a person a stranger to themself, so they are removed from emails and employee ids; never from
// names, where joiners can be meaningful.
const INVISIBLE = /[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/gu;
// Letters that look Latin but are not: an address mixing them with Latin letters in one label
// ("аda" with a Cyrillic а) is how look-alike addresses are made, never how a real one is spelt.
const LOOKALIKE_SCRIPTS = [
  /\p{Script=Latin}/u,
  /\p{Script=Greek}/u,
  /\p{Script=Cyrillic}/u,
  /\p{Script=Armenian}/u,
  /\p{Script=Cherokee}/u,
];
// Spreadsheet and HRIS ways of writing "no value" in core fields: a termination date of "N/A" is no
// date, not an unreadable one (which would reject the row). Only unambiguous tokens: "NA" and
// "None" can be names.
const NO_VALUE: ReadonlySet<string> = new Set(["n/a", "#n/a", "null", "-", "--", "\u2013", "\u2014"]);
const IDENTITY_FIELDS: ReadonlySet<string> = new Set(["email", "employeeId"]);
const ASCII = /^[^\u0080-\uffff]*$/;
// Printable ASCII, no space at either end, no two spaces in a row: normalising changes nothing.
const PLAIN = /^(?:[\x21-\x7e]+(?: [\x21-\x7e]+)*)?$/;
// No name, title or option is this long; a cell that is would be stored on the member and written
// into every email and sheet that shows them.
export const MAX_VALUE_CHARS = 1_000;

/** A row that cannot become a person: it becomes an `error` action, and never counts as absent. */
export interface RejectedRow {
  row: number;
  message: string;
  email: string | null;
  /** Present when the row has one: the absent member it may be is not deprovisioned either. */
  employeeId?: string;
}

export interface MappedRows {
  records: PersonRecord[];
  rejected: RejectedRow[];
  issues: Issue[];
}

export function isCoreField(field: string): field is CoreField {
  return CORE.has(field);
}

/** `parseIssues` are the parser's: a row it could not read cleanly is rejected with its message. */
export function applyMapping(
  table: Table,
  mapping: MappingColumn[],
  dateOrder: DateOrder | null,
  parseIssues: Issue[] = [],
): MappedRows {
  const issues: Issue[] = [];
  const active = mapping.filter((m) => m.field !== null && table.columns.includes(m.column));
  const columnValues = active.map((m) => {
    const values = columnOf(table, m.column);
    return m.kind === "core" ? values.map(coreCell) : values;
  });
  const dates = new Map<string, (string | null)[]>();
  active.forEach((m, i) => {
    if (m.kind !== "core" || !DATE_FIELDS.has(m.field as CoreField)) return;
    const order = m.dateOrder ?? dateOrder;
    dates.set(m.column, readDates(m.column, columnValues[i] ?? [], order, table.rowNumbers, issues));
  });

  const errors = rowErrors([...parseIssues, ...issues]);
  const records: PersonRecord[] = [];
  const rejected: RejectedRow[] = [];
  const mapped = new Set(active.map((m) => m.field as string));
  table.rows.forEach((_, r) => {
    const row = table.rowNumbers[r] ?? r + 2;
    const record: PersonRecord = { row, core: {}, derived: {}, warnings: [], profile: {}, mapped };
    active.forEach((m, i) => {
      const raw = columnValues[i]?.[r] ?? "";
      const dateValues = dates.get(m.column);
      assign(record, m, dateValues ? (dateValues[r] ?? null) : raw);
    });
    const problem = errors.get(row) ?? tooLong(active, columnValues, r) ?? rowProblem(record);
    if (problem) rejected.push(rejectedRow(row, problem, record));
    else records.push(record);
  });
  return { records, rejected, issues };
}

/** A core cell as the map step reads it: spreadsheet words for "no value" are no value. */
export function coreCell(value: string): string {
  const trimmed = value.trim();
  // Every token is at most 4 characters: longer values skip lower-casing and the lookup.
  return trimmed.length <= 4 && NO_VALUE.has(trimmed.toLowerCase()) ? "" : value;
}

export function rejectedRow(row: number, message: string, record: PersonRecord): RejectedRow {
  const { email, employeeId } = record.core;
  return { row, message, email: email ?? null, ...(employeeId ? { employeeId } : {}) };
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

function columnOf(table: Table, column: string): string[] {
  const index = table.columns.indexOf(column);
  return table.rows.map((row) => row[index] ?? "");
}

export function readDates(
  column: string,
  values: string[],
  order: DateOrder | null,
  rowNumbers: number[],
  issues: Issue[],
): (string | null)[] {
  const result = parseDateColumn(values, order);
  for (const issue of result.issues) {
    issues.push({ ...issue, row: rowNumbers[issue.index] ?? null, column });
  }
  return result.dates;
}

function assign(record: PersonRecord, m: MappingColumn, raw: string | null): void {
  const value = mappedValue(m, raw, record.warnings);
  if (value === undefined) return;
  if (m.kind === "core") record.core[m.field as CoreField] = value as string | null;
  else if (value !== null) record.profile[m.field as string] = value;
}

/**
 * What one mapped cell writes: a core field's normalised value (null when empty), a segment's
 * option or a role list; undefined when it writes nothing (an empty segment, or a core column fed
 * to something that is not a core field). Warnings about the value are pushed to `warnings`.
 */
export function mappedValue(
  m: MappingColumn,
  raw: string | null,
  warnings: string[],
): string | string[] | null | undefined {
  return columnMapper(m)(raw, warnings);
}

export type ColumnMapper = (raw: string | null, warnings: string[]) => string | string[] | null | undefined;

/** mappedValue for one column, with what depends only on the column worked out once. */
export function columnMapper(m: MappingColumn): ColumnMapper {
  const field = m.field as string;
  if (m.kind === "core") {
    if (!isCoreField(field)) return () => undefined;
    if (!IDENTITY_FIELDS.has(field)) return (raw) => normaliseCore(field, raw);
    return (raw, warnings) => {
      if (raw && hasInvisible(raw)) {
        warnings.push(
          `${m.column}: invisible characters (such as zero-width spaces) were removed from “${withoutInvisible(raw).trim()}”.`,
        );
      }
      return normaliseCore(field, raw);
    };
  }
  return (raw) => {
    const value = (raw ?? "").trim();
    if (!value) return undefined;
    if (m.kind === "role") {
      return value
        .split(/[,;|]/)
        .map((v) => mapValue(m, v.trim()))
        .filter(Boolean);
    }
    return mapValue(m, value);
  };
}

function mapValue(m: MappingColumn, value: string): string {
  // Own keys only: a cell reading "toString" or "__proto__" is a value, not the object's machinery.
  return (Object.hasOwn(m.values, value) ? m.values[value] : undefined) ?? value;
}

function normaliseCore(field: CoreField, raw: string | null): string | null {
  if (raw === null) return null;
  // Most values are printable ASCII with single spaces: nothing to remove, collapse or compose.
  if (PLAIN.test(raw)) {
    if (raw === "") return null;
    return field === "email" ? raw.toLowerCase() : raw;
  }
  const cleaned = IDENTITY_FIELDS.has(field) ? withoutInvisible(raw) : raw;
  const value = cleaned.replace(/\s+/g, " ").trim();
  if (!value) return null;
  if (field === "email") return normaliseEmail(value);
  return value;
}

function withoutInvisible(value: string): string {
  return value.replace(INVISIBLE, "");
}

function hasInvisible(value: string): boolean {
  return !PLAIN.test(value) && withoutInvisible(value) !== value;
}

function tooLong(active: MappingColumn[], columnValues: string[][], r: number): string | null {
  const i = columnValues.findIndex((values) => (values[r] ?? "").length > MAX_VALUE_CHARS);
  if (i < 0) return null;
  const length = (columnValues[i]?.[r] ?? "").length.toLocaleString("en-US");
  return `${active[i]?.column}: the value is ${length} characters long; a mapped value has at most ${MAX_VALUE_CHARS.toLocaleString("en-US")}.`;
}

export function rowProblem(record: PersonRecord): string | null {
  return emailProblem(record.core.email);
}

/** Why a row's email cannot identify a person; null when it can. */
export function emailProblem(email: string | null | undefined): string | null {
  if (!email) return "No email address: a person needs a work email to be invited or matched.";
  if (!ASCII_EMAIL.test(email) && !EMAIL.test(email)) return `"${email}" is not a valid email address.`;
  const lookalikes = lookalikeLetters(email);
  if (lookalikes) {
    return `"${email}" mixes letters from different alphabets (${lookalikes}), as look-alike addresses do; check the address in the HRIS.`;
  }
  return null;
}

/** The letters of a mixed-alphabet label that are not Latin, described; null when no label mixes. */
function lookalikeLetters(email: string): string | null {
  // An ASCII address has Latin letters only: nothing to mix.
  if (ASCII.test(email)) return null;
  const mixes = (label: string) => LOOKALIKE_SCRIPTS.filter((script) => script.test(label)).length > 1;
  const mixed = email.split(/[@.]/).filter(mixes);
  if (mixed.length === 0) return null;
  const odd = new Set([...mixed.join("")].filter((c) => /\p{L}/u.test(c) && !/\p{Script=Latin}/u.test(c)));
  return [...odd]
    .slice(0, 3)
    .map((c) => `“${c}” is ${codePoint(c)}, not a Latin letter`)
    .join("; ");
}

function codePoint(c: string): string {
  return `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * Normalises an email the way identities are compared everywhere: invisible characters removed,
 * Unicode composed (NFC, so "é" typed two ways is one address), trimmed, case-insensitive.
 */
export function normaliseEmail(value: string): string {
  return withoutInvisible(value).normalize("NFC").trim().toLowerCase();
}

/** What is wrong with a mapping table an admin saves, one sentence per problem; empty when fine. */
export function mappingProblems(columns: MappingColumn[]): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const owner = new Map<string, string>();
  columns.forEach((m, i) => {
    const at = `columns[${i}]`;
    if (m.field === null) return;
    if (m.kind === "core" && !isCoreField(m.field)) {
      problems.push({
        field: `${at}.field`,
        message: `"${m.field}" is not a core field (${CORE_FIELDS.join(", ")}).`,
      });
    }
    if (m.kind !== "core" && !/^[a-z0-9][a-z0-9-]*$/.test(m.field)) {
      problems.push({
        field: `${at}.field`,
        message: `Segment and role keys are lower-case words joined by "-", not "${m.field}".`,
      });
    }
    const previous = owner.get(m.field);
    if (previous !== undefined) {
      problems.push({
        field: `${at}.field`,
        message: `"${m.column}" and "${previous}" both feed ${m.field}; keep one.`,
      });
    }
    owner.set(m.field, m.column);
  });
  if (!columns.some((m) => m.field === "email")) {
    problems.push({
      field: "columns",
      message: "No column feeds email: people cannot be matched or invited without it.",
    });
  }
  return problems;
}
