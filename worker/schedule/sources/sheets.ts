// A Google Sheet source: one values.get over the configured range with the service account's token
// (https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets.values/get). Values come
// unformatted, dates as serial numbers, as the add-on reads them (getValues), so the two agree on
// employee ids and dates. The status column this product writes beside the data is not data.
import type { sheets_v4 } from "@googleapis/sheets";
import type { JsonCell } from "../../engine/parse.ts";
import type { Snapshot } from "../../sync.ts";
import { rangeStart } from "../a1.ts";
import { SourceError } from "../source-error.ts";

type ValueRange = sheets_v4.Schema$ValueRange;

/** Header of the column statuses are written to; read back, it is dropped. */
export const STATUS_HEADER = "profile-sync status";

export interface SheetsClient {
  /** Origin of the Sheets API, e.g. https://sheets.googleapis.com. */
  baseUrl: string;
  token: () => Promise<string>;
  /** Who the sheet must be shared with, for error messages. */
  account: string;
  fetch: typeof fetch;
}

/** Where the data sat in the sheet: what write-back needs to put a status beside each row. */
export interface SheetLayout {
  spreadsheetId: string;
  /** The tab as A1 notation writes it; null: the first tab. */
  sheet: string | null;
  headerRow: number;
  /** The first column after the data (1-based): where statuses go. */
  statusColumn: number;
  /** Sheet row of each data row, in order (blank rows included). */
  rowNumbers: number[];
  /** Sheet rows with nothing in them: their status stays blank. */
  blankRows: number[];
}

export interface SheetPull {
  snapshot: Snapshot;
  layout: SheetLayout;
}

export async function readSheet(
  client: SheetsClient,
  source: { spreadsheetId: string; range: string },
): Promise<SheetPull> {
  const url =
    `${client.baseUrl}/v4/spreadsheets/${encodeURIComponent(source.spreadsheetId)}/values/` +
    `${encodeURIComponent(source.range)}?majorDimension=ROWS&valueRenderOption=UNFORMATTED_VALUE` +
    "&dateTimeRenderOption=SERIAL_NUMBER";
  const response = await client.fetch(url, { headers: { authorization: `Bearer ${await client.token()}` } });
  if (!response.ok) throw await sheetsError(response, client.account, source, "open");
  const answer = (await response.json()) as ValueRange;
  const [header = [], ...rows] = (answer.values ?? []) as JsonCell[][];
  if (header.length === 0) {
    throw new SourceError(
      `The range ${source.range} of spreadsheet ${source.spreadsheetId} has no column names in its first row.`,
    );
  }
  const start = rangeStart(answer.range ?? source.range);
  const width = String(header.at(-1) ?? "").trim() === STATUS_HEADER ? header.length - 1 : header.length;
  const data = rows.map((r) => r.slice(0, width));
  const rowNumbers = data.map((_, i) => start.row + 1 + i);
  const blankRows = rowNumbers.filter((_, i) =>
    (data[i] ?? []).every((c) => c === null || String(c).trim() === ""),
  );
  return {
    snapshot: {
      format: "json",
      body: {
        columns: header.slice(0, width).map((c) => (c === null ? "" : String(c))),
        rows: data,
        rowNumbers,
      },
    },
    layout: {
      spreadsheetId: source.spreadsheetId,
      sheet: start.sheet,
      headerRow: start.row,
      statusColumn: start.column + width,
      rowNumbers,
      blankRows,
    },
  };
}

/** Google's error body ({ error: { code, message, status } }) as a sentence for the admin. */
export async function sheetsError(
  response: Response,
  account: string,
  source: { spreadsheetId: string; range?: string },
  verb: "open" | "write to",
): Promise<SourceError> {
  const body = (await response.json().catch(() => ({}))) as { error?: { message?: string; status?: string } };
  const said = body.error?.message ? ` (${body.error.message})` : "";
  if (response.status === 403) {
    return new SourceError(
      `The service account ${account} may not ${verb} spreadsheet ${source.spreadsheetId}${said}: share the sheet with it as an editor.`,
    );
  }
  if (response.status === 404) {
    return new SourceError(
      `Google found no spreadsheet ${source.spreadsheetId}${said}: check the source's spreadsheet id.`,
    );
  }
  if (response.status === 400 && source.range) {
    return new SourceError(
      `Google could not read the range ${source.range}${said}: check the source's range.`,
    );
  }
  return new SourceError(`The Sheets API answered HTTP ${response.status}${said}.`);
}
