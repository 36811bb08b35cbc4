// One function per API route the add-on uses, typed by the worker's contract. The worker validates
// its answers against the same zod schemas, so an answer is trusted to have the contract's shape once
// it is a JSON object; only the sync-runs route (not in the contract yet) is checked field by field.
import type {
  ActionBody,
  ActionPageBody,
  ApprovalRequestBody,
  ApprovalResultBody,
  ColumnSuggestionBody,
  HubBody,
  HubListBody,
  ImportResultBody,
  JsonTableBody,
  MappingBody,
  MappingColumnInput,
  PlanBody,
  SuggestionsBody,
  SyncRunBody,
  SyncRunPageBody,
} from "../shared/contract.ts";
import { ApiError, type ApiTarget, callApi } from "./api.ts";
import { isJsonObject } from "./json.ts";

/** The largest page the actions route gives: fewer round trips for a 10,000-row plan. */
const ACTION_PAGE = 1000;
/** The approvals route takes at most 10,000 ids a request; half keeps each body small. */
const APPROVAL_CHUNK = 5000;
/** The Log shows the latest runs of the hub, one page of them. */
const LOGGED_RUNS = 100;

export function listHubs(target: ApiTarget): HubBody[] {
  return answer<HubListBody>(callApi(target, "get", "/v1/hubs"), "the hub list").hubs;
}

export function suggestMapping(
  target: ApiTarget,
  hubId: string,
  columns: string[],
  rows: string[][],
): ColumnSuggestionBody[] {
  const body = { columns, rows };
  const path = `/v1/hubs/${segment(hubId)}/mapping/suggestions`;
  return answer<SuggestionsBody>(callApi(target, "post", path, body), "the suggestions").columns;
}

export function saveMapping(target: ApiTarget, hubId: string, columns: MappingColumnInput[]): MappingBody {
  const path = `/v1/hubs/${segment(hubId)}/mapping`;
  return answer<MappingBody>(callApi(target, "put", path, { columns }), "the saved mapping");
}

export function importTable(
  target: ApiTarget,
  hubId: string,
  table: JsonTableBody,
  partial: boolean,
): ImportResultBody {
  const path = `/v1/hubs/${segment(hubId)}/imports?partial=${partial}&filename=Export`;
  return answer<ImportResultBody>(callApi(target, "post", path, table), "the import");
}

export function getPlan(target: ApiTarget, planId: string): PlanBody {
  return answer<PlanBody>(callApi(target, "get", `/v1/plans/${segment(planId)}`), "the plan");
}

/** Every action of the plan, in the plan's order, a page at a time. */
export function listAllActions(target: ApiTarget, planId: string): ActionBody[] {
  const actions: ActionBody[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`;
    const path = `/v1/plans/${segment(planId)}/actions?limit=${ACTION_PAGE}${query}`;
    const page = answer<ActionPageBody>(callApi(target, "get", path), "the actions");
    actions.push(...page.actions);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return actions;
}

/** Approves (or unapproves) the actions with these ids; returns how many changed. */
export function setApprovals(target: ApiTarget, planId: string, ids: string[], approved: boolean): number {
  let changed = 0;
  for (let start = 0; start < ids.length; start += APPROVAL_CHUNK) {
    const body: ApprovalRequestBody = { approved, actionIds: ids.slice(start, start + APPROVAL_CHUNK) };
    const path = `/v1/plans/${segment(planId)}/approvals`;
    changed += answer<ApprovalResultBody>(callApi(target, "post", path, body), "the approvals").changed;
  }
  return changed;
}

/** One bounded run of execution (the API stops after ~20 s); call again until progress is complete. */
export function executePlan(target: ApiTarget, planId: string): PlanBody {
  return answer<PlanBody>(callApi(target, "post", `/v1/plans/${segment(planId)}/execute`), "the plan");
}

export function overrideGuard(target: ApiTarget, planId: string): PlanBody {
  return answer<PlanBody>(callApi(target, "post", `/v1/plans/${segment(planId)}/override`), "the plan");
}

/**
 * The hub's latest sync runs (newest first), or null when the deployment does not list runs (404:
 * a deployment older than the route); the Log then shows the runs applied from this sheet.
 */
export function listSyncRuns(target: ApiTarget, hubId: string): SyncRunBody[] | null {
  const path = `/v1/sync-runs?hubId=${encodeURIComponent(hubId)}&limit=${LOGGED_RUNS}`;
  try {
    return answer<SyncRunPageBody>(callApi(target, "get", path), "the sync runs").runs;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

function answer<T>(value: unknown, what: string): T {
  if (!isJsonObject(value)) throw new ApiError(`The server sent no usable answer for ${what}.`, 200);
  return value as T;
}

function segment(id: string): string {
  return encodeURIComponent(id);
}
