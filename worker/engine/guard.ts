// The deprovisioning guard: a truncated export must never wipe a company. Okta pauses at 20%,
// Entra stops at 500 deletions; our default is stricter on percentage and equal on the ceiling.
import type { TenantSettings } from "../../db/schema.ts";
import type { PlannedAction } from "./types.ts";

export interface GuardResult {
  deprovisions: number;
  active: number;
  /** The most deprovisions allowed without an override. */
  limit: number;
  blocked: boolean;
}

const DEPROVISIONING = new Set(["deactivate", "delete_from_hub", "delete_from_tenant"]);

export function isDeprovisioning(kind: string): boolean {
  return DEPROVISIONING.has(kind);
}

export function evaluateGuard(
  actions: Pick<PlannedAction, "kind">[],
  activeMembers: number,
  guard: TenantSettings["guard"],
): GuardResult {
  const deprovisions = actions.filter((a) => isDeprovisioning(a.kind)).length;
  return guardVerdict(deprovisions, activeMembers, guard);
}

/** The verdict for a count of deprovisioning actions, when the actions themselves are not at hand. */
export function guardVerdict(
  deprovisions: number,
  activeMembers: number,
  guard: TenantSettings["guard"],
): GuardResult {
  const byPercent = Math.floor((activeMembers * guard.percent) / 100);
  const limit = Math.min(guard.ceiling, Math.max(guard.floor, byPercent));
  return { deprovisions, active: activeMembers, limit, blocked: deprovisions > limit };
}

/**
 * Active members to judge `deprovisions` by: counted only when the guard's floor alone does not
 * allow them (the verdict is then the same for any count), so a plan of a few rows never counts a
 * big hub. Uncounted, the plan reads as judged against none: its `limit` is what the floor allows,
 * which already passes it.
 */
export async function activeToJudge(
  deprovisions: number,
  guard: TenantSettings["guard"],
  count: () => Promise<number>,
): Promise<number> {
  return guardVerdict(deprovisions, 0, guard).blocked ? count() : 0;
}
