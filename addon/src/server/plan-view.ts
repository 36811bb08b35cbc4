// The plan as the sidebar shows it: counts per kind with how many are ticked, the guard's verdict,
// and execution progress.
import type { ActionKindName, PlanBody } from "../shared/contract.ts";
import type { PlanIssues, PlanView } from "../shared/sidebar-api.ts";
import { isApprovable, KIND_ORDER, kindLabel, kindPlural } from "./kinds.ts";

export function planView(plan: PlanBody, ticked: Map<ActionKindName, number>, issues: PlanIssues): PlanView {
  return {
    planId: plan.id,
    status: plan.status,
    kinds: KIND_ORDER.filter((kind) => (plan.summary[kind] ?? 0) > 0).map((kind) => ({
      kind,
      label: kindLabel(kind),
      plural: kindPlural(kind),
      count: plan.summary[kind] ?? 0,
      ticked: ticked.get(kind) ?? 0,
      approvable: isApprovable(kind),
    })),
    guard: {
      // The stored verdict stays "blocked" after an override; the plan's status says whether it still holds.
      blocked: plan.status === "blocked",
      overridden: plan.overriddenAt !== null,
      deprovisions: plan.guard.deprovisions,
      active: plan.guard.active,
      limit: plan.guard.limit,
    },
    progress: plan.progress,
    issues,
    createdAt: plan.createdAt,
  };
}
