// Statuses back into the sheet: one values.batchUpdate writing the status column beside the data,
// header included (https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets.values/batchUpdate).
// RAW input, so a reason that starts with "=" stays text.
import type { sheets_v4 } from "@googleapis/sheets";
import { columnRange } from "./a1.ts";
import { type SheetLayout, type SheetsClient, STATUS_HEADER, sheetsError } from "./sources/sheets.ts";

type BatchUpdateRequest = sheets_v4.Schema$BatchUpdateValuesRequest;
type BatchUpdateResponse = sheets_v4.Schema$BatchUpdateValuesResponse;

/** Writes `statuses` (one per data row, in the layout's order); returns how many cells Google updated. */
export async function writeStatuses(
  client: SheetsClient,
  layout: SheetLayout,
  statuses: string[],
): Promise<number> {
  const lastRow = layout.headerRow + statuses.length;
  const request: BatchUpdateRequest = {
    valueInputOption: "RAW",
    data: [
      {
        range: columnRange(layout.sheet, layout.statusColumn, layout.headerRow, lastRow),
        majorDimension: "ROWS",
        values: [[STATUS_HEADER], ...statuses.map((s) => [s])],
      },
    ],
  };
  const url = `${client.baseUrl}/v4/spreadsheets/${encodeURIComponent(layout.spreadsheetId)}/values:batchUpdate`;
  const response = await client.fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${await client.token()}`, "content-type": "application/json" },
    body: JSON.stringify(request),
  });
  if (!response.ok) throw await sheetsError(response, client.account, layout, "write to");
  const answer = (await response.json()) as BatchUpdateResponse;
  return answer.totalUpdatedCells ?? 0;
}
