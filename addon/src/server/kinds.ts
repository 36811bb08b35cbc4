// How each kind of action reads in the sheet and the sidebar, and whether the admin approves it.
// Keyed by the contract's ActionKind, so a new kind fails to compile until it is described here.
import type { ActionKindName } from "../shared/contract.ts";

interface KindInfo {
  label: string;
  /** For "Approve all invites". */
  plural: string;
  /** error, skip and scheduled rows explain; there is nothing to approve. */
  approvable: boolean;
}

/** In the order Review lists them: changes first, information last. */
const KIND_INFO: Record<ActionKindName, KindInfo> = {
  invite: { label: "Invite", plural: "invites", approvable: true },
  update: { label: "Update", plural: "updates", approvable: true },
  reactivate: { label: "Reactivate", plural: "reactivations", approvable: true },
  deactivate: { label: "Deactivate", plural: "deactivations", approvable: true },
  delete_from_hub: { label: "Remove from hub", plural: "removals from the hub", approvable: true },
  delete_from_tenant: { label: "Delete", plural: "deletions", approvable: true },
  scheduled: { label: "Scheduled", plural: "scheduled starters", approvable: false },
  error: { label: "Error", plural: "errors", approvable: false },
  skip: { label: "Skip", plural: "skipped rows", approvable: false },
};

export const KIND_ORDER = Object.keys(KIND_INFO) as ActionKindName[];
// A Set, not `in` (which also finds "toString") nor Object.hasOwn (newer than Apps Script's V8).
const KINDS: ReadonlySet<string> = new Set(KIND_ORDER);

export function kindLabel(kind: ActionKindName): string {
  return KIND_INFO[kind].label;
}

export function kindPlural(kind: ActionKindName): string {
  return KIND_INFO[kind].plural;
}

export function isApprovable(kind: string): boolean {
  return isKind(kind) && KIND_INFO[kind].approvable;
}

export function isKind(value: string): value is ActionKindName {
  return KINDS.has(value);
}
