// What every step needs: the spreadsheet, its document properties, the deployment to call and the
// hub this sheet syncs. Each is checked here so a step never starts half-configured.
import type { HubOption } from "../shared/sidebar-api.ts";
import type { ApiTarget } from "./api.ts";
import { requireConnection } from "./connection.ts";
import { getHub } from "./document-state.ts";

export interface Context {
  spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet;
  document: GoogleAppsScript.Properties.Properties;
  target: ApiTarget;
  hub: HubOption;
}

export function requireContext(): Context {
  const target = requireConnection(PropertiesService.getUserProperties());
  const document = PropertiesService.getDocumentProperties();
  const hub = getHub(document);
  if (!hub) throw new Error("Choose the hub this sheet syncs, in the sidebar under Connect.");
  return { spreadsheet: SpreadsheetApp.getActive(), document, target, hub };
}
