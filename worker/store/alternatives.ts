// Choosing what happens to a member absent from a full export: the plan proposes deactivate and
// lists the alternatives (delete from hub, delete from tenant) in the action's payload. The admin
// may switch between them while the action is pending and not yet approved.
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { planActions } from "../../db/schema.ts";
import { DEPROVISION_KINDS, type DeprovisionKind } from "../contract/alternatives.ts";
import { AppError } from "../errors.ts";

/** Switches the action to `kind`; the kind it leaves becomes an alternative, so the choice can be undone. */
export async function chooseKind(
  db: Db,
  tenantId: string,
  planId: string,
  actionId: string,
  kind: DeprovisionKind,
) {
  const action = await actionOf(db, tenantId, planId, actionId);
  if (action.kind === kind) return action;
  const alternatives = alternativesOf(action.payload);
  if (!alternatives.includes(kind)) {
    const offered = alternatives.length ? alternatives.join(", ") : "none";
    throw new AppError("conflict", `This action cannot become ${kind}; its alternatives are: ${offered}.`, [
      { field: "json.kind", message: `One of: ${offered}.` },
    ]);
  }
  if (action.status !== "pending") {
    throw new AppError(
      "conflict",
      `This action has already run (status ${action.status}); its kind is fixed.`,
    );
  }
  if (action.approved) {
    throw new AppError("conflict", "This action is approved; unapprove it before choosing another kind.");
  }
  const payload = {
    ...action.payload,
    alternatives: [...alternatives.filter((k) => k !== kind), action.kind],
  };
  // The plan's counts move in the same batch, and only if the action is still as read.
  const unchanged =
    "EXISTS (SELECT 1 FROM plan_actions WHERE id = ? AND kind = ? AND status = 'pending' AND approved = 0)";
  const results = await db.$client.batch(
    [
      {
        sql: `UPDATE plans SET summary = json_set(
                CASE WHEN coalesce(json_extract(summary, ?), 0) <= 1 THEN json_remove(summary, ?)
                     ELSE json_set(summary, ?, json_extract(summary, ?) - 1) END,
                ?, coalesce(json_extract(summary, ?), 0) + 1)
              WHERE id = ? AND tenant_id = ? AND ${unchanged}`,
        args: [
          ...Array(4).fill(`$.${action.kind}`),
          `$.${kind}`,
          `$.${kind}`,
          planId,
          tenantId,
          actionId,
          action.kind,
        ],
      },
      {
        sql: "UPDATE plan_actions SET kind = ?, payload = ? WHERE id = ? AND tenant_id = ? AND kind = ? AND status = 'pending' AND approved = 0",
        args: [kind, JSON.stringify(payload), actionId, tenantId, action.kind],
      },
    ],
    "write",
  );
  if (results[1]?.rowsAffected !== 1) {
    throw new AppError(
      "conflict",
      "The action changed meanwhile (approved, executed or switched); reload it.",
    );
  }
  return actionOf(db, tenantId, planId, actionId);
}

function alternativesOf(payload: Record<string, unknown> | null): DeprovisionKind[] {
  const listed = Array.isArray(payload?.alternatives) ? (payload.alternatives as unknown[]) : [];
  return DEPROVISION_KINDS.filter((k) => listed.includes(k));
}

async function actionOf(db: Db, tenantId: string, planId: string, actionId: string) {
  const row = await db.query.planActions.findFirst({
    where: and(
      eq(planActions.tenantId, tenantId),
      eq(planActions.planId, planId),
      eq(planActions.id, actionId),
    ),
  });
  if (!row) throw new AppError("not_found", `No action ${actionId} in plan ${planId}.`);
  return row;
}
