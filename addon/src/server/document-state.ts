// What this spreadsheet remembers between runs, in document properties: the hub it syncs, the plan
// its Review tab shows, where an unfinished Apply stopped, and when the last sync finished. Document
// properties are shared by the sheet's editors (any editor continues a run another started) and hold
// nothing secret: the API key lives in the user's own properties (connection.ts).
import type { HubOption, PlanIssues } from "../shared/sidebar-api.ts";
import { isJsonObject, parseJson } from "./json.ts";

type Properties = GoogleAppsScript.Properties.Properties;

const HUB = "profileSync.hub";
const PLAN = "profileSync.plan";
const APPLY = "profileSync.apply";
const LAST_SYNC = "profileSync.lastSyncAt";

/** The steps of Apply approved; an invocation that runs out of time resumes at its phase. */
export type ApplyPhase = "approve" | "execute";

export interface ApplyCursor {
  planId: string;
  phase: ApplyPhase;
  /** ISO time the run began (the Log's Started), kept across invocations. */
  startedAt: string;
}

export function getHub(store: Properties): HubOption | null {
  const value = parseJson(store.getProperty(HUB) ?? "");
  if (!isJsonObject(value) || typeof value.id !== "string" || typeof value.name !== "string") return null;
  return { id: value.id, name: value.name };
}

export function setHub(store: Properties, hub: HubOption): void {
  const previous = getHub(store);
  store.setProperty(HUB, JSON.stringify(hub));
  if (previous?.id === hub.id) return;
  // A plan belongs to its hub: Review from another hub must not be applied to this one.
  store.deleteProperty(PLAN);
  store.deleteProperty(APPLY);
}

/** The plan the Review tab shows, and what the API said about its Export. */
export interface CurrentPlan {
  id: string;
  issues: PlanIssues;
}

export function getCurrentPlan(store: Properties): CurrentPlan | null {
  const value = parseJson(store.getProperty(PLAN) ?? "");
  if (!isJsonObject(value) || typeof value.id !== "string" || !isJsonObject(value.issues)) return null;
  const { errors, warnings, messages } = value.issues;
  return {
    id: value.id,
    issues: {
      errors: typeof errors === "number" ? errors : 0,
      warnings: typeof warnings === "number" ? warnings : 0,
      messages: Array.isArray(messages) ? messages.filter((m): m is string => typeof m === "string") : [],
    },
  };
}

export function setCurrentPlan(store: Properties, plan: CurrentPlan): void {
  store.setProperty(PLAN, JSON.stringify(plan));
  store.deleteProperty(APPLY);
}

export function getApplyCursor(store: Properties): ApplyCursor | null {
  const value = parseJson(store.getProperty(APPLY) ?? "");
  if (!isJsonObject(value)) return null;
  const { planId, phase, startedAt } = value;
  if (typeof planId !== "string" || typeof startedAt !== "string") return null;
  if (phase !== "approve" && phase !== "execute") return null;
  return { planId, phase, startedAt };
}

export function setApplyCursor(store: Properties, cursor: ApplyCursor | null): void {
  if (cursor) store.setProperty(APPLY, JSON.stringify(cursor));
  else store.deleteProperty(APPLY);
}

export function getLastSyncAt(store: Properties): string | null {
  return store.getProperty(LAST_SYNC);
}

export function setLastSyncAt(store: Properties, iso: string): void {
  const current = store.getProperty(LAST_SYNC);
  if (!current || current < iso) store.setProperty(LAST_SYNC, iso);
}
