// Dates from HRIS exports → `YYYY-MM-DD`. Formats read, always with a 4-digit year:
//   2024-01-05 (also 2024-1-5 and with a time, "T10:00" or " 10:00", which is dropped), 2024/01/05,
//   2024.01.05, 20240105, 05.01.2024 (always day first), 5 Jan 2024, 05-Jan-2024, Jan 5, 2024,
//   Friday, January 5th 2024, spreadsheet serial numbers (45296, 45296.5), and 01/05/2024 or
//   01-05-2024, whose order (month or day first) comes from the tenant or column setting, or is
//   inferred when some value in the column can only be read one way.
// Two-digit years are refused: "01/05/24" could be 1924 or 2024, and a wrong year on a start or
// termination date is worse than asking for a fixed export.
import type { DateOrder } from "./types.ts";

export interface DateIssue {
  index: number;
  code: string;
  message: string;
  level: "error" | "warning";
}

export interface DateColumn {
  dates: (string | null)[];
  order: DateOrder | null;
  issues: DateIssue[];
  ambiguous: boolean;
}

/** A value of the form a/b/yyyy whose meaning depends on the order. */
interface Pair {
  a: number;
  b: number;
  year: number;
}

type Reading = { iso: string } | { pair: Pair } | { problem: string; code: string };

const MONTHS = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];
// No month name starts like a weekday, so a leading "Fri," or "Friday" can simply be dropped.
const WEEKDAY = /^(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+/i;
const MS_PER_DAY = 86_400_000;
// Sheets and Excel count days from 1899-12-30 (Excel's fictitious 1900-02-29 only shifts serials
// before March 1900). Serials are read from 10000 (1927-05-18) to 80000 (2119-01-11): smaller
// numbers in a date column are far more likely a bare year ("2024") or an id than a date in 1905.
const SERIAL_EPOCH = Date.UTC(1899, 11, 30);
const MIN_SERIAL = 10_000;
const MAX_SERIAL = 80_000;
const FORMAT_NAMES: Record<DateOrder, string> = {
  MDY: "month-first (MM/DD/YYYY)",
  DMY: "day-first (DD/MM/YYYY)",
};

export function parseDateColumn(values: string[], order: DateOrder | null): DateColumn {
  const readings = values.map((v) => readDate(v));
  const pairs = readings.flatMap((r, index) =>
    r && "pair" in r && r.pair.a !== r.pair.b ? [{ index, pair: r.pair }] : [],
  );
  const resolved = order ?? inferOrder(pairs.map((p) => p.pair));
  const result: DateColumn = {
    dates: [],
    order: resolved === "conflict" ? null : resolved,
    issues: [],
    ambiguous: false,
  };
  readings.forEach((reading, index) => {
    result.dates.push(resolveOne(reading, index, resolved, values[index] ?? "", result));
  });
  if (resolved === null && pairs.length > 0) {
    result.ambiguous = true;
    const index = pairs[0]?.index ?? 0;
    const message = ambiguousMessage(values[index] ?? "");
    result.issues.unshift({ index, level: "warning", code: "ambiguous_date_order", message });
  }
  return result;
}

function resolveOne(
  reading: Reading | null,
  index: number,
  order: DateOrder | "conflict" | null,
  raw: string,
  out: DateColumn,
): string | null {
  if (reading === null) return null;
  if ("iso" in reading) return reading.iso;
  if ("problem" in reading) {
    out.issues.push({ index, level: "error", code: reading.code, message: reading.problem });
    return null;
  }
  const { a, b, year } = reading.pair;
  // 05/05/2024 reads the same either way: no setting needed.
  if (a === b) return isoIfReal(year, a, b);
  if (order === null) return null;
  if (order === "conflict") {
    const message = `“${raw.trim()}” cannot be read safely: this column mixes month-first and day-first dates. Fix the export or set the column's date format.`;
    out.issues.push({ index, level: "error", code: "date_order_conflict", message });
    return null;
  }
  const iso = order === "MDY" ? isoIfReal(year, a, b) : isoIfReal(year, b, a);
  if (iso) return iso;
  const message = `“${raw.trim()}” is not a real date in the ${FORMAT_NAMES[order]} format set for these dates.`;
  out.issues.push({ index, level: "error", code: "invalid_date", message });
  return null;
}

// A value decides the order only when it is a real date one way and not the other (13/04 → DMY).
function inferOrder(pairs: Pair[]): DateOrder | "conflict" | null {
  let mdy = false;
  let dmy = false;
  for (const { a, b, year } of pairs) {
    const asMdy = isoIfReal(year, a, b) !== null;
    const asDmy = isoIfReal(year, b, a) !== null;
    if (asMdy && !asDmy) mdy = true;
    if (asDmy && !asMdy) dmy = true;
  }
  if (mdy && dmy) return "conflict";
  if (mdy) return "MDY";
  return dmy ? "DMY" : null;
}

function ambiguousMessage(example: string): string {
  return (
    `Dates like “${example.trim()}” can be read month first or day first, and nothing in this column tells which. ` +
    "These dates were left empty: set the tenant's or this column's date format (MM/DD/YYYY or DD/MM/YYYY)."
  );
}

/** Reads one value; null for an empty cell. Never throws. */
function readDate(value: string): Reading | null {
  const v = value.trim();
  if (v === "") return null;
  let m = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[T ]\d{1,2}:\d{2}.*)?$/.exec(v);
  if (m) return real(v, Number(m[1]), Number(m[3]), Number(m[4]));
  m = /^(\d{4})(\d{2})(\d{2})$/.exec(v);
  if (m) return real(v, Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(v);
  if (m) return real(v, Number(m[3]), Number(m[2]), Number(m[1]));
  m = /^(\d{1,2})([-/])(\d{1,2})\2(\d{4})$/.exec(v);
  if (m) return pairOrProblem(v, { a: Number(m[1]), b: Number(m[3]), year: Number(m[4]) });
  if (/^\d+(\.\d+)?$/.test(v)) return serial(v);
  return monthName(v) ?? unrecognised(v);
}

function monthName(v: string): Reading | null {
  const text = v.replace(WEEKDAY, "");
  let m = /^(\d{1,2})(?:st|nd|rd|th)?[\s\-/.]+([a-z]+)\.?[\s\-/.,]+(\d{4})$/i.exec(text);
  if (m) return withMonth(v, m[2] ?? "", Number(m[1]), Number(m[3]));
  m = /^([a-z]+)\.?[\s\-/.]+(\d{1,2})(?:st|nd|rd|th)?,?[\s\-/.]+(\d{4})$/i.exec(text);
  if (m) return withMonth(v, m[1] ?? "", Number(m[2]), Number(m[3]));
  return null;
}

function withMonth(v: string, name: string, day: number, year: number): Reading {
  const lower = name.toLowerCase();
  const month = lower.length >= 3 ? MONTHS.findIndex((m) => m.startsWith(lower)) : -1;
  return month < 0 ? unrecognised(v) : real(v, year, month + 1, day);
}

// 02/30/2024 is no date whichever part is the month: an error now, not an "ambiguous" later.
function pairOrProblem(v: string, pair: Pair): Reading {
  if (isoIfReal(pair.year, pair.a, pair.b) || isoIfReal(pair.year, pair.b, pair.a)) return { pair };
  return noSuchDay(v);
}

function serial(v: string): Reading {
  const days = Math.floor(Number(v));
  if (!(days >= MIN_SERIAL && days <= MAX_SERIAL)) return unrecognised(v);
  const date = new Date(SERIAL_EPOCH + days * MS_PER_DAY);
  return { iso: date.toISOString().slice(0, 10) };
}

function real(v: string, year: number, month: number, day: number): Reading {
  const iso = isoIfReal(year, month, day);
  return iso ? { iso } : noSuchDay(v);
}

function noSuchDay(v: string): Reading {
  return {
    code: "invalid_date",
    problem: `“${shown(v)}” is not a real date (there is no such day in the calendar).`,
  };
}

function unrecognised(v: string): Reading {
  return {
    code: "unrecognized_date",
    problem: `“${shown(v)}” is not a date profile-sync can read: ${hint(v)}.`,
  };
}

function shown(v: string): string {
  return v.length > 40 ? `${v.slice(0, 40)}…` : v;
}

function hint(v: string): string {
  if (/^\d{1,2}[-/.]\d{1,2}[-/.]\d{2}$/.test(v)) return "it has a 2-digit year; use 4 digits (2024, not 24)";
  if (/^\d{4}$/.test(v)) return "a year alone is not a full date";
  return "use a format like 2024-01-31";
}

function isoIfReal(year: number, month: number, day: number): string | null {
  if (!(year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1)) return null;
  if (day > daysInMonth(year, month)) return null;
  return `${String(year).padStart(4, "0")}-${pad2(month)}-${pad2(day)}`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}
