// The contract between the sidebar (browser) and the server functions it calls by name through
// google.script.run. Both tsconfigs include this file, so the two sides cannot drift apart silently.
// Values crossing google.script.run must be primitives or plain objects and arrays (no Date), so
// times travel as ISO strings.
import type { ActionKindName, ProgressBody } from "./contract.ts";

/** What the sidebar may know about the saved connection: never the API key itself. */
export interface ConnectionStatus {
  url: string | null;
  hasKey: boolean;
}

export interface HubOption {
  id: string;
  name: string;
}

/** One line of the plan summary: how many actions of a kind, and how many the admin ticked. */
export interface KindCount {
  kind: ActionKindName;
  /** "Invite", "Deactivate"...: the words the sidebar shows. */
  label: string;
  /** "invites", for "Approve all invites". */
  plural: string;
  count: number;
  ticked: number;
  /** error, skip and scheduled rows are information only: nothing to approve. */
  approvable: boolean;
}

/** The deprovisioning guard's verdict, and whether an admin has overridden it for this plan. */
export interface GuardView {
  blocked: boolean;
  overridden: boolean;
  deprovisions: number;
  active: number;
  limit: number;
}

/** What the API said about the Export while importing it (blank headers, unreadable dates...). */
export interface PlanIssues {
  errors: number;
  warnings: number;
  /** The first few, in the API's words, with their Export row. */
  messages: string[];
}

export interface PlanView {
  planId: string;
  /** ready, blocked (by the guard), executing or done. */
  status: string;
  kinds: KindCount[];
  guard: GuardView;
  progress: ProgressBody;
  issues: PlanIssues;
  createdAt: string;
}

export interface SidebarState {
  connection: ConnectionStatus;
  hub: HubOption | null;
  plan: PlanView | null;
  /** Why the current plan could not be shown (it was analyzed, but the API did not answer). */
  planError: string | null;
  /** When the last Apply from this sheet, or the last sync run pulled, finished. */
  lastSyncAt: string | null;
  /** An Apply stopped half-way (time limit) and Apply approved continues it. */
  applyUnfinished: boolean;
}

export interface AutoMapResult {
  columns: number;
  mapped: number;
  /** Columns kept as the admin marked them reviewed. */
  kept: number;
  /** Mapped columns whose suggestion is below the confidence worth a second look. */
  unsure: string[];
}

// A type alias, not an interface: google.script.run's client types take plain objects with an index
// signature, which aliases have implicitly and interfaces do not.
export type AnalyzeOptions = {
  /** A partial export never deactivates the people it leaves out. */
  partial: boolean;
};

export interface TickResult {
  kind: ActionKindName;
  ticked: number;
  plan: PlanView;
}

export interface ApplyResult {
  complete: boolean;
  progress: ProgressBody;
  /** Review rows whose status and message were written back. */
  written: number;
  plan: PlanView;
}

export interface LogResult {
  runs: number;
  /** Whether sync runs were pulled from the API (false when the deployment does not list them). */
  pulled: boolean;
  note: string | null;
  lastSyncAt: string | null;
}

/**
 * Server functions the sidebar calls. Property syntax (not method syntax) so that parameter types are
 * checked strictly when main.ts is compared against this contract.
 */
export interface SidebarApi {
  getState: () => SidebarState;
  getConnection: () => ConnectionStatus;
  saveConnection: (url: string, apiKey: string) => ConnectionStatus;
  listHubs: () => HubOption[];
  selectHub: (hubId: string) => HubOption;
  autoMap: () => AutoMapResult;
  analyze: (options: AnalyzeOptions) => PlanView;
  approveAllOfKind: (kind: ActionKindName) => TickResult;
  overrideGuard: () => PlanView;
  applyApproved: () => ApplyResult;
  refreshLog: () => LogResult;
}
