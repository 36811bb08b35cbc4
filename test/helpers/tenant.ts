// What most store tests start from: a tenant with one hub, the import a hand-made plan is stored
// under, and the actions of such a plan.
import type { Db } from "../../db/client.ts";
import type { ActionKind, TenantSettings } from "../../db/schema.ts";
import type { PlannedAction } from "../../worker/engine/types.ts";
import type { NewImport } from "../../worker/store/plans.ts";
import { createHub, createTenant } from "../../worker/store/tenants.ts";

/** Tenant "T" with hub "H". */
export async function tenantWithHub(
  db: Db,
  settings: Partial<TenantSettings> = {},
): Promise<{ tenantId: string; hubId: string }> {
  const tenantId = (await createTenant(db, "T", settings)).id;
  const hubId = (await createHub(db, tenantId, "H")).id;
  return { tenantId, hubId };
}

/** An API import of no rows into the hub, for a plan made by hand; `change` sets what differs. */
export function handMadeImport(tenantId: string, hubId: string, change: Partial<NewImport> = {}): NewImport {
  return {
    tenantId,
    hubId,
    source: "api",
    filename: null,
    partial: false,
    columns: [],
    rowCount: 0,
    issues: [],
    createdBy: "t",
    ...change,
  };
}

/** Action `n` of a hand-made plan, about member m{n} (p{n}@acme.test); `change` sets what differs. */
export function memberAction(
  kind: ActionKind,
  n: number,
  change: Partial<PlannedAction> = {},
): PlannedAction {
  return {
    kind,
    row: n,
    memberId: `m${n}`,
    memberVersion: 1,
    email: `p${n}@acme.test`,
    employeeId: null,
    name: null,
    changes: [],
    payload: {},
    reason: "r",
    warnings: [],
    ...change,
  };
}
