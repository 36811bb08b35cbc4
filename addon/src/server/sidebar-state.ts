// Everything the sidebar shows when it opens, in one call: the connection, the hub, the current plan
// with its ticks, when the last sync finished, and whether an Apply is waiting to be continued.
import type { SidebarState } from "../shared/sidebar-api.ts";
import { messageOf } from "./api.ts";
import { connectionStatus, requireConnection } from "./connection.ts";
import { getApplyCursor, getCurrentPlan, getHub, getLastSyncAt } from "./document-state.ts";
import { getPlan } from "./endpoints.ts";
import { planView } from "./plan-view.ts";
import { tickedCounts } from "./review-tab.ts";

export function sidebarState(): SidebarState {
  const user = PropertiesService.getUserProperties();
  const document = PropertiesService.getDocumentProperties();
  const connection = connectionStatus(user);
  const current = getCurrentPlan(document);
  const state: SidebarState = {
    connection,
    hub: getHub(document),
    plan: null,
    planError: null,
    lastSyncAt: getLastSyncAt(document),
    applyUnfinished: getApplyCursor(document)?.planId === current?.id && current !== null,
  };
  if (!current || !connection.hasKey) return state;
  try {
    const plan = getPlan(requireConnection(user), current.id);
    state.plan = planView(plan, tickedCounts(SpreadsheetApp.getActive()), current.issues);
  } catch (error) {
    state.planError = `The last plan could not be loaded: ${messageOf(error)} Press Analyze to make a new one.`;
  }
  return state;
}
