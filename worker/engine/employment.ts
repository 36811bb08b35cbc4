// Reads "is this person still employed?" out of the many ways HRIS exports say it.
import type { PersonRecord } from "./types.ts";

// Folded (lower-case, trimmed) status words that mean the person no longer works here. Entra and
// Google exports carry an enabled flag instead of a status, hence "false" and "suspended".
const LEAVER_STATUSES = new Set([
  "terminated",
  "inactive",
  "deactivated",
  "disabled",
  "suspended",
  "left",
  "leaver",
  "former",
  "resigned",
  "retired",
  "deceased",
  "withdrawn",
  "false",
  "no",
  "0",
]);

export type Employment = { employed: true } | { employed: false; why: string };

/** `today` is the tenant's local date (YYYY-MM-DD); a termination date is "passed" the day after. */
export function employmentOf(record: PersonRecord, today: string): Employment {
  const status = record.core.employmentStatus?.trim().toLowerCase();
  if (status && LEAVER_STATUSES.has(status)) {
    return { employed: false, why: `HRIS status is "${record.core.employmentStatus}"` };
  }
  const ended = record.core.terminationDate;
  if (ended && ended < today) return { employed: false, why: `termination date ${ended} has passed` };
  return { employed: true };
}

export function hasStarted(record: PersonRecord, today: string): boolean {
  const start = record.core.startDate;
  return !start || start <= today;
}
