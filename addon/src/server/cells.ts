// Values crossing between cells and the API, in both directions.
//
// Writing: Range.setValues reads a string the way Sheets reads typing, so "=HYPERLINK(…)" from an
// HRIS would become a live formula, "+44 20…" a formula error, "00123" the number 123 and "Mar 4" a
// date (OWASP's CSV/formula injection). A leading apostrophe is Sheets' own "this is text" marker:
// it is not shown and not part of the cell's value. Every string that came from outside the add-on
// (HRIS values, names, the API's sentences) is written with one, so it always stays the text it was.
//
// Reading: getValues gives numbers, booleans and Date objects for what Sheets recognised. Dates are
// sent as ISO text in the spreadsheet's time zone (the zone their midnight was typed in); numbers
// stay numbers, which the API reads as ids or spreadsheet date serials.

/** Sheets refuses more than 50,000 characters in one cell. */
const MAX_CELL_CHARS = 50_000;
const ELLIPSIS = "…";

export type CellValue = string | number | boolean | Date;
export type ApiCell = string | number | boolean | null;

/** Outside text as a cell value that stays exactly that text; empty for null. */
export function textCell(value: string | null | undefined): string {
  if (value === null || value === undefined || value === "") return "";
  const clipped = value.length > MAX_CELL_CHARS - 1 ? value.slice(0, MAX_CELL_CHARS - 2) + ELLIPSIS : value;
  return `'${clipped}`;
}

/** A cell as read by getValues, as the JSON the import takes. */
export function apiCell(value: unknown, formatDate: (date: Date) => string): ApiCell {
  if (value === null || value === undefined) return "";
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : "";
  if (isDate(value)) return formatDate(value);
  return String(value);
}

/** A cell as text, for places that take strings only (auto-map samples, column names). */
export function cellString(value: unknown, formatDate: (date: Date) => string): string {
  const cell = apiCell(value, formatDate);
  return cell === null ? "" : String(cell);
}

/** True for a cell the admin left empty (or only spaces). */
export function isBlankCell(value: unknown): boolean {
  return (
    value === "" || value === null || value === undefined || (typeof value === "string" && !value.trim())
  );
}

// Cross-realm safe: Date objects handed over by Apps Script services need not be this realm's.
export function isDate(value: unknown): value is Date {
  return Object.prototype.toString.call(value) === "[object Date]";
}

/**
 * Formats Date cells as yyyy-MM-dd (with the time when there is one) in the spreadsheet's zone.
 * Utilities.formatDate is a service call, so each distinct instant is formatted once: an export of
 * 10,000 people has far fewer distinct dates than date cells.
 */
export function dateFormatter(timeZone: string): (date: Date) => string {
  const cache = new Map<number, string>();
  return (date) => {
    const time = date.getTime();
    if (Number.isNaN(time)) return "";
    let text = cache.get(time);
    if (text === undefined) {
      text = Utilities.formatDate(date, timeZone, "yyyy-MM-dd HH:mm:ss").replace(/ 00:00:00$/, "");
      cache.set(time, text);
    }
    return text;
  };
}
