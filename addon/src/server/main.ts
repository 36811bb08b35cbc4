// The one entry module of the add-on. scripts/build-addon.ts turns every export of this file into a
// top-level function declaration in dist/Code.js, which is how Apps Script finds simple triggers,
// menu items and google.script.run targets. Keep each function thin: the work lives in the modules.
import type { ActionKindName } from "../shared/contract.ts";
import type {
  AnalyzeOptions,
  ApplyResult,
  AutoMapResult,
  ConnectionStatus,
  HubOption,
  LogResult,
  PlanView,
  SidebarApi,
  SidebarState,
  TickResult,
} from "../shared/sidebar-api.ts";
import { withAdvice } from "./advice.ts";
import { runAnalyze } from "./analyze.ts";
import { runApply } from "./apply.ts";
import { runAutoMap } from "./auto-map.ts";
import { connect, connectionStatus } from "./connection.ts";
import { requireContext } from "./context.ts";
import { getCurrentPlan } from "./document-state.ts";
import { getPlan, overrideGuard as overridePlanGuard } from "./endpoints.ts";
import { EXPORT_TAB } from "./export-tab.ts";
import { chooseHub, hubOptions } from "./hubs.ts";
import { isApprovable } from "./kinds.ts";
import { withDocumentLock } from "./lock.ts";
import { LOG_TAB } from "./log-tab.ts";
import { MAPPING_TAB } from "./mapping-tab.ts";
import { buildMenu } from "./menu.ts";
import { planView } from "./plan-view.ts";
import { REVIEW_TAB, tickedCounts, tickKind } from "./review-tab.ts";
import { renderSidebar } from "./sidebar-page.ts";
import { sidebarState } from "./sidebar-state.ts";
import { recordRuns } from "./sync-log.ts";
import { ensureTab } from "./tabs.ts";

type OpenEvent = { authMode: GoogleAppsScript.Script.AuthMode };

/** Simple trigger. May run in AuthMode.NONE, so it builds the menu and does nothing else. */
export function onOpen(_event?: OpenEvent): void {
  buildMenu(SpreadsheetApp.getUi());
}

/** Installing the add-on does not fire onOpen for the document already open, so add the menu now. */
export function onInstall(event?: OpenEvent): void {
  onOpen(event);
}

/** Menu item. The Export tab is made first, so the admin has somewhere to paste. */
export function showSidebar(): void {
  ensureTab(SpreadsheetApp.getActive(), EXPORT_TAB);
  SpreadsheetApp.getUi().showSidebar(renderSidebar());
}

/** Menu item: all four tabs, laid out, without running anything. */
export function setUpTabs(): void {
  const spreadsheet = SpreadsheetApp.getActive();
  for (const tab of [EXPORT_TAB, MAPPING_TAB, REVIEW_TAB, LOG_TAB]) ensureTab(spreadsheet, tab);
}

export function getState(): SidebarState {
  return explained(sidebarState);
}

export function getConnection(): ConnectionStatus {
  return connectionStatus(PropertiesService.getUserProperties());
}

export function saveConnection(url: string, apiKey: string): ConnectionStatus {
  return connect(PropertiesService.getUserProperties(), url, apiKey);
}

export function listHubs(): HubOption[] {
  return explained(hubOptions);
}

export function selectHub(hubId: string): HubOption {
  return explained(() => chooseHub(hubId));
}

export function autoMap(): AutoMapResult {
  return explained(() => withDocumentLock(() => runAutoMap(requireContext())));
}

export function analyze(options: AnalyzeOptions): PlanView {
  return explained(() => withDocumentLock(() => runAnalyze(requireContext(), options)));
}

export function approveAllOfKind(kind: ActionKindName): TickResult {
  return explained(() => {
    if (!isApprovable(String(kind)))
      throw new Error(`“${kind}” is not a kind of action that can be approved.`);
    const context = requireContext();
    const current = requirePlan(context.document);
    return withDocumentLock(() => {
      const ticked = tickKind(context.spreadsheet, kind);
      const plan = getPlan(context.target, current.id);
      return { kind, ticked: ticked.get(kind) ?? 0, plan: planView(plan, ticked, current.issues) };
    });
  });
}

/** The admin confirms a blocked plan's deactivations and deletions are intended. */
export function overrideGuard(): PlanView {
  return explained(() => {
    const context = requireContext();
    const current = requirePlan(context.document);
    const plan = overridePlanGuard(context.target, current.id);
    return planView(plan, tickedCounts(context.spreadsheet), current.issues);
  });
}

export function applyApproved(): ApplyResult {
  return explained(() => withDocumentLock(() => runApply(requireContext())));
}

export function refreshLog(): LogResult {
  return explained(() => withDocumentLock(() => recordRuns(requireContext(), [])));
}

function requirePlan(document: GoogleAppsScript.Properties.Properties) {
  const current = getCurrentPlan(document);
  if (!current) throw new Error("There is no plan yet. Press Analyze first.");
  return current;
}

function explained<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw withAdvice(error);
  }
}

/** Fails to compile when the functions above stop matching what the sidebar calls. */
export type SidebarEntryPoints = Implements<
  SidebarApi,
  {
    getState: typeof getState;
    getConnection: typeof getConnection;
    saveConnection: typeof saveConnection;
    listHubs: typeof listHubs;
    selectHub: typeof selectHub;
    autoMap: typeof autoMap;
    analyze: typeof analyze;
    approveAllOfKind: typeof approveAllOfKind;
    overrideGuard: typeof overrideGuard;
    applyApproved: typeof applyApproved;
    refreshLog: typeof refreshLog;
  }
>;
type Implements<Contract, Actual extends Contract> = Actual;
