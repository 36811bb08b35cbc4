// The one entry module of the add-on. scripts/build-addon.ts turns every export of this file into a
// top-level function declaration in dist/Code.js, which is how Apps Script finds simple triggers,
// menu items and google.script.run targets. Keep each function thin: the work lives in the modules.
import type { ConnectionStatus, SidebarApi } from "../shared/sidebar-api.ts";
import { connect, connectionStatus } from "./connection.ts";
import { buildMenu } from "./menu.ts";
import { renderSidebar } from "./sidebar-page.ts";

type OpenEvent = { authMode: GoogleAppsScript.Script.AuthMode };

/** Simple trigger. May run in AuthMode.NONE, so it builds the menu and does nothing else. */
export function onOpen(_event?: OpenEvent): void {
  buildMenu(SpreadsheetApp.getUi());
}

/** Installing the add-on does not fire onOpen for the document already open, so add the menu now. */
export function onInstall(event?: OpenEvent): void {
  onOpen(event);
}

export function showSidebar(): void {
  SpreadsheetApp.getUi().showSidebar(renderSidebar());
}

export function getConnection(): ConnectionStatus {
  return connectionStatus(PropertiesService.getUserProperties());
}

export function saveConnection(url: string, apiKey: string): ConnectionStatus {
  return connect(PropertiesService.getUserProperties(), url, apiKey);
}

/** Fails to compile when the functions above stop matching what the sidebar calls. */
export type SidebarEntryPoints = Implements<
  SidebarApi,
  { getConnection: typeof getConnection; saveConnection: typeof saveConnection }
>;
type Implements<Contract, Actual extends Contract> = Actual;
