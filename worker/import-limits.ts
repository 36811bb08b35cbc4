// How big one import may be. A Worker isolate has 128 MB for everything: the upload's bytes, the
// compact roster of its rows (about 100 bytes a row once read), the members' index (about 235
// bytes a member) and the plan. `npm run bench` runs the engine with V8's heap capped to 128 MB
// less the export's bytes (README, Performance): a CSV of 100,000 rows of 20 columns (21 MB)
// peaks at 77–90 MB; 250,000 do not fit. So a CSV may have 100,000 rows. A JSON table (what the
// add-on sends) stays at 50,000: the route validates it into objects before the engine sees it,
// and that path is not measured. Past the ceiling the isolate would run out of memory half-way
// and the admin would see a crash, so the import is refused first, with a message saying how to
// split it.
//
// A deployment whose isolates have more room (or local development, where workerd has no cap) may
// raise both with the IMPORT_MAX_ROWS and IMPORT_MAX_MB vars.
import type { Env } from "./env.ts";
import { AppError } from "./errors.ts";

export interface ImportLimits {
  bytes: number;
  /** Rows of a CSV (or TSV) export. */
  rows: number;
  /** Rows of a JSON table. */
  jsonRows: number;
}

export const DEFAULT_IMPORT_LIMITS: ImportLimits = {
  bytes: 24 * 1024 * 1024,
  rows: 100_000,
  jsonRows: 50_000,
};

/** The limits with the deployment's vars; IMPORT_MAX_ROWS sets both row ceilings. */
export function importLimits(env: Pick<Env, "IMPORT_MAX_ROWS" | "IMPORT_MAX_MB">): ImportLimits {
  const rows = Number(env.IMPORT_MAX_ROWS);
  const mb = Number(env.IMPORT_MAX_MB);
  return {
    rows: rows > 0 ? Math.floor(rows) : DEFAULT_IMPORT_LIMITS.rows,
    jsonRows: rows > 0 ? Math.floor(rows) : DEFAULT_IMPORT_LIMITS.jsonRows,
    bytes: mb > 0 ? Math.floor(mb * 1024 * 1024) : DEFAULT_IMPORT_LIMITS.bytes,
  };
}

export function rowLimit(limits: ImportLimits, format: "csv" | "json"): number {
  return format === "json" ? limits.jsonRows : limits.rows;
}

export function tooLargeUpload(bytes: number, limit: number): AppError {
  return new AppError(
    "payload_too_large",
    `The upload is ${mb(bytes)}; one import takes at most ${mb(limit)}. ` +
      "Leave out the columns you do not map, or split the export (for example by department) into partial imports.",
  );
}

export function tooManyRows(limit: number): AppError {
  const count = limit.toLocaleString("en-US");
  return new AppError(
    "payload_too_large",
    `The export has more than ${count} rows; one import plans at most ${count} people. ` +
      "Split it (for example by department or country) into partial imports.",
  );
}

function mb(bytes: number): string {
  return `${Number((bytes / 1024 / 1024).toFixed(2))} MB`;
}
