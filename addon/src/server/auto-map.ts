// Auto-map: the Export's header and a sample of its rows go to the API's suggestions; the Mapping tab
// gets one row per column with the suggested field, kind, value map and confidence. Rows the admin
// marked Reviewed are kept as they are: auto-map never overwrites a decision.
import type { ColumnSuggestionBody } from "../shared/contract.ts";
import type { AutoMapResult } from "../shared/sidebar-api.ts";
import type { Context } from "./context.ts";
import { suggestMapping } from "./endpoints.ts";
import { readExportSample } from "./export-tab.ts";
import { type MappingRow, readMappingRows, writeMappingRows } from "./mapping-tab.ts";

/** Below this, a suggestion is listed in the sidebar as worth a second look. */
const SURE = 0.8;

export function runAutoMap({ spreadsheet, target, hub }: Context): AutoMapResult {
  const sample = readExportSample(spreadsheet);
  const reviewed = new Map(
    readMappingRows(spreadsheet)
      .map(({ mapping }) => mapping)
      .filter((row) => row.reviewed)
      .map((row) => [row.column, row]),
  );
  const suggestions = suggestMapping(target, hub.id, sample.columns, sample.rows);
  const named = suggestions.filter((suggestion) => suggestion.column !== "");
  const rows = named.map((suggestion) => reviewed.get(suggestion.column) ?? suggested(suggestion));
  const inExport = new Set(named.map((suggestion) => suggestion.column));
  // A reviewed row for a column this export lacks is still the admin's decision: keep it, last.
  for (const row of reviewed.values()) if (!inExport.has(row.column)) rows.push(row);
  const fields = rows.map((row) => row.field).filter((field): field is string => field !== null);
  writeMappingRows(spreadsheet, rows, fields);
  const fresh = rows.filter((row) => !row.reviewed);
  return {
    columns: rows.length,
    mapped: rows.filter((row) => row.field !== null).length,
    kept: rows.length - fresh.length,
    unsure: fresh
      .filter((row) => row.field !== null && (row.confidence ?? 0) < SURE)
      .map((row) => `${row.column} → ${row.field}`),
  };
}

function suggested(suggestion: ColumnSuggestionBody): MappingRow {
  const newOptions = suggestion.values?.newOptions ?? [];
  const why = newOptions.length
    ? `${suggestion.reason} New options to create: ${newOptions.join(", ")}.`
    : suggestion.reason;
  return {
    column: suggestion.column,
    field: suggestion.field,
    kind: suggestion.kind,
    visibility: "private",
    values: suggestion.values?.values ?? {},
    dateOrder: null,
    reviewed: false,
    confidence: suggestion.confidence,
    why,
  };
}
