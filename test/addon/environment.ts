// One spreadsheet with the built add-on installed: every Apps Script service faked (spreadsheet.ts,
// fakes.ts), UrlFetchApp making real HTTP calls to the worker under workerd (stack-thread.ts). Shared
// by the add-on's flow test and the sidebar test, which drives the same bundle from a real browser.
import { readFileSync } from "node:fs";
import path from "node:path";
import Papa from "papaparse";
import { ROOT } from "../../scripts/stack.ts";
import {
  FakeClock,
  FakeUrlFetchApp,
  fakeHtmlService,
  fakeLockService,
  fakePropertiesService,
  fakeSession,
  fakeUi,
  fakeUtilities,
  type LoadedAddon,
  loadAddon,
} from "./fakes.ts";
import { FakeSpreadsheetApp } from "./spreadsheet.ts";
import type { Tenant } from "./tenants.ts";

/** The spreadsheet's zone is east of UTC, so a date read as UTC midnight would land a day early. */
export const SHEET_TIME_ZONE = "Europe/Berlin";

export type SheetEnvironment = ReturnType<typeof openSpreadsheet>;

/** A fresh spreadsheet with the add-on loaded from the build in `outDir`. */
export function openSpreadsheet(outDir: string) {
  const ui = fakeUi();
  const app = new FakeSpreadsheetApp({ ui: ui.ui, timeZone: SHEET_TIME_ZONE });
  const properties = fakePropertiesService();
  const fetchApp = new FakeUrlFetchApp();
  const lock = fakeLockService();
  const clock = new FakeClock(new Date());
  const code = readFileSync(path.join(outDir, "Code.js"), "utf8");
  const addon: LoadedAddon = loadAddon(
    code,
    {
      SpreadsheetApp: app.service,
      PropertiesService: properties.service,
      UrlFetchApp: fetchApp,
      HtmlService: fakeHtmlService(outDir),
      LockService: lock.service,
      Session: fakeSession(),
      Utilities: fakeUtilities(),
    },
    { Date: clock.dateClass() },
  );
  return {
    addon,
    app,
    spreadsheet: app.spreadsheet,
    calls: app.log,
    ui,
    properties,
    fetchApp,
    lock,
    clock,
  };
}

/** Connects to the stack with the tenant's key and picks its hub, as the admin does in the sidebar. */
export function connect(environment: SheetEnvironment, url: string, tenant: Tenant): void {
  environment.addon.runFromSidebar("saveConnection", url, tenant.apiKey);
  environment.addon.runFromSidebar("selectHub", tenant.hubId);
}

/** An example export as its rows of text, as an admin copies it from the file. */
export function exampleRows(name: string): string[][] {
  const text = readFileSync(path.join(ROOT, "examples", `${name}.csv`), "utf8").replace(/^\uFEFF/, "");
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: true });
  if (parsed.errors.length > 0) throw new Error(`examples/${name}.csv: ${parsed.errors[0]?.message}`);
  return parsed.data;
}
