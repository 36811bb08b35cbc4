// The add-on menu. onOpen may run in AuthMode.NONE, so nothing here may read properties or fetch.
import type * as EntryPoints from "./main.ts";

// Apps Script calls a menu item by the name of a top-level function; typing the name as an export of
// main.ts keeps it one of the functions the build turns into top-level declarations.
type EntryPoint = keyof typeof EntryPoints;
const ITEMS: { caption: string; functionName: EntryPoint }[] = [
  { caption: "Open profile-sync", functionName: "showSidebar" },
  { caption: "Set up the tabs", functionName: "setUpTabs" },
];

export function buildMenu(ui: GoogleAppsScript.Base.Ui): void {
  const menu = ui.createAddonMenu();
  for (const item of ITEMS) menu.addItem(item.caption, item.functionName);
  menu.addToUi();
}
