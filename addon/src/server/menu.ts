// The add-on menu. onOpen may run in AuthMode.NONE, so nothing here may read properties or fetch.
import type * as EntryPoints from "./main.ts";

// Apps Script calls a menu item by the name of a top-level function; typing the name as an export of
// main.ts keeps it one of the functions the build turns into top-level declarations.
const OPEN_SIDEBAR: keyof typeof EntryPoints = "showSidebar";

export function buildMenu(ui: GoogleAppsScript.Base.Ui): void {
  ui.createAddonMenu().addItem("Open profile-sync", OPEN_SIDEBAR).addToUi();
}
