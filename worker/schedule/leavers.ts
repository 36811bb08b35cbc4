// The daily pass over stored termination dates: a member whose termination date has passed in
// the tenant's zone is deactivated even when no new export arrives, through a one-person plan per
// leaver (the row the member's own identity and date make), approved by the `leavers` rule and
// executed as the cron, so the audit log says who and why.
import { and, asc, eq, inArray, isNotNull, lt, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { type MappingColumn, members } from "../../db/schema.ts";
import { listHubs } from "../store/tenants.ts";
import { type ApplyContext, planAndApply } from "./apply.ts";

/** Leavers handled per run; the next run takes the rest. */
const LEAVER_LIMIT = 200;
export const LEAVERS_BY = "termination-date";

export async function offboardLeavers(ctx: ApplyContext, tenantId: string, today: string): Promise<string[]> {
  const due = await dueLeavers(ctx.db, tenantId, today);
  if (due.length === 0) return [];
  const fallbackHub = (await listHubs(ctx.db, tenantId))[0]?.id;
  const planIds: string[] = [];
  for (const leaver of due) {
    const hubId = leaver.hubId ?? fallbackHub;
    if (!hubId) continue;
    const plan = await planAndApply(ctx, {
      tenantId,
      hubId,
      snapshot: { format: "json", body: leaverTable(leaver) },
      partial: true,
      by: LEAVERS_BY,
      mapping: { version: null, columns: IDENTITY_MAPPING },
    });
    planIds.push(plan.id);
  }
  return planIds;
}

const IDENTITY_FIELDS = ["email", "employeeId", "terminationDate"] as const;
const IDENTITY_MAPPING: MappingColumn[] = IDENTITY_FIELDS.map((field) => ({
  column: field,
  field,
  kind: "core",
  visibility: "private",
  values: {},
  reviewed: true,
}));

function leaverTable(leaver: { email: string; employeeId: string | null; terminationDate: string | null }) {
  return {
    columns: [...IDENTITY_FIELDS],
    rows: [[leaver.email, leaver.employeeId, leaver.terminationDate]],
  };
}

/** Active or invited HRIS members whose termination date is before `today`, with a hub they are in. */
async function dueLeavers(db: Db, tenantId: string, today: string) {
  return db
    .select({
      id: members.id,
      email: members.email,
      employeeId: members.employeeId,
      terminationDate: members.terminationDate,
      hubId: sql<string | null>`(SELECT hub_id FROM hub_memberships hm
        WHERE hm.tenant_id = ${tenantId} AND hm.member_id = ${members.id} ORDER BY hm.created_at LIMIT 1)`,
    })
    .from(members)
    .where(
      and(
        eq(members.tenantId, tenantId),
        eq(members.source, "hris"),
        inArray(members.status, ["active", "invited"]),
        isNotNull(members.terminationDate),
        lt(members.terminationDate, today),
      ),
    )
    .orderBy(asc(members.terminationDate), asc(members.id))
    .limit(LEAVER_LIMIT);
}
