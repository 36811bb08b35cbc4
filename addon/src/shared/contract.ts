// The HTTP API's shapes, taken from the worker's zod contract (worker/contract/) as types only:
// nothing of zod or the worker reaches the bundle, and a change to the contract breaks `tsc -p addon`
// instead of the add-on at run time.
import type { z } from "zod";
import type { HubList } from "../../../worker/contract/hubs.ts";
import type { ImportResult, JsonTable } from "../../../worker/contract/imports.ts";
import type { Mapping, MappingColumn, Suggestions } from "../../../worker/contract/mapping.ts";
import type {
  Action,
  ActionKind,
  ActionPage,
  ActionStatus,
  ApprovalRequest,
  ApprovalResult,
  Plan,
  Progress,
} from "../../../worker/contract/plans.ts";
import type { SyncRun, SyncRunPage } from "../../../worker/contract/sync-runs.ts";

export type HubListBody = z.infer<typeof HubList>;
export type HubBody = HubListBody["hubs"][number];
export type JsonTableBody = z.input<typeof JsonTable>;
export type ImportResultBody = z.infer<typeof ImportResult>;
export type MappingBody = z.infer<typeof Mapping>;
/** As sent: defaults (visibility, values, reviewed) may be left out. */
export type MappingColumnInput = z.input<typeof MappingColumn>;
export type MappingColumnBody = z.infer<typeof MappingColumn>;
export type SuggestionsBody = z.infer<typeof Suggestions>;
export type ColumnSuggestionBody = SuggestionsBody["columns"][number];
export type PlanBody = z.infer<typeof Plan>;
export type ProgressBody = z.infer<typeof Progress>;
export type ActionBody = z.infer<typeof Action>;
export type ActionPageBody = z.infer<typeof ActionPage>;
export type ApprovalRequestBody = z.input<typeof ApprovalRequest>;
export type ApprovalResultBody = z.infer<typeof ApprovalResult>;
export type ActionKindName = z.infer<typeof ActionKind>;
export type ActionStatusName = z.infer<typeof ActionStatus>;
export type MappingKind = MappingColumnBody["kind"];
export type Visibility = MappingColumnBody["visibility"];
export type DateOrderName = NonNullable<MappingColumnBody["dateOrder"]>;

export type SyncRunBody = z.infer<typeof SyncRun>;
export type SyncRunPageBody = z.infer<typeof SyncRunPage>;
