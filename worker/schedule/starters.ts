// Starters whose start date arrived, without a new export: the hub's latest full snapshot planned
// them as `scheduled`; on their start date (in the tenant's zone) their stored records are planned
// again as one partial import, so the engine turns them into invites, the `starters` rule
// approves them and the cron sends them. Used for hubs whose source gave no snapshot this run
// (none configured, or unreachable); a fresh snapshot plans the same invites by itself.
import { and, desc, eq, inArray, or } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { imports, type MappingColumn, members, planActions, plans } from "../../db/schema.ts";
import { CORE_FIELDS, type CoreField } from "../engine/types.ts";
import { latestMapping } from "../store/mappings.ts";
import { type ApplyContext, planAndApply } from "./apply.ts";

export const STARTERS_BY = "start-date";

interface StoredRecord {
  core?: Partial<Record<CoreField, string | null>>;
  profile?: Record<string, string | string[]>;
}

export async function inviteStarters(
  ctx: ApplyContext,
  tenantId: string,
  hubId: string,
  today: string,
): Promise<string | null> {
  const records = await arrivedStarters(ctx.db, tenantId, hubId, today);
  if (records.length === 0) return null;
  const mapping = await latestMapping(ctx.db, tenantId, hubId);
  const { table, columns } = starterTable(records, mapping?.columns ?? []);
  const plan = await planAndApply(ctx, {
    tenantId,
    hubId,
    snapshot: { format: "json", body: table },
    partial: true,
    by: STARTERS_BY,
    mapping: { version: mapping?.version ?? null, columns },
  });
  return plan.id;
}

/** The stored records of the latest full plan's scheduled starters who start by `today` and are not members yet. */
async function arrivedStarters(
  db: Db,
  tenantId: string,
  hubId: string,
  today: string,
): Promise<StoredRecord[]> {
  const [latest] = await db
    .select({ id: plans.id })
    .from(plans)
    .innerJoin(imports, eq(imports.id, plans.importId))
    .where(and(eq(plans.tenantId, tenantId), eq(plans.hubId, hubId), eq(imports.partial, false)))
    .orderBy(desc(plans.createdAt), desc(plans.id))
    .limit(1);
  if (!latest) return [];
  const scheduled = await db
    .select({ payload: planActions.payload })
    .from(planActions)
    .where(
      and(
        eq(planActions.tenantId, tenantId),
        eq(planActions.planId, latest.id),
        eq(planActions.kind, "scheduled"),
      ),
    );
  const arrived = scheduled
    .map((a) => (a.payload ?? {}) as StoredRecord)
    .filter((r) => r.core?.email && r.core.startDate && r.core.startDate <= today);
  if (arrived.length === 0) return [];
  const emails = arrived.map((r) => r.core?.email as string);
  const ids = arrived.map((r) => r.core?.employeeId).filter((id): id is string => Boolean(id));
  const known = await db
    .select({ email: members.email, employeeId: members.employeeId })
    .from(members)
    .where(
      and(
        eq(members.tenantId, tenantId),
        or(inArray(members.email, emails), ids.length ? inArray(members.employeeId, ids) : undefined),
      ),
    );
  const knownEmails = new Set(known.map((m) => m.email));
  const knownIds = new Set(known.map((m) => m.employeeId).filter(Boolean));
  return arrived.filter(
    (r) =>
      !knownEmails.has(r.core?.email as string) && !(r.core?.employeeId && knownIds.has(r.core.employeeId)),
  );
}

/**
 * The records as a table, one column per core field they carry and per profile field the hub's
 * mapping still maps (segment values are stored already mapped, so they pass through as they are).
 */
function starterTable(records: StoredRecord[], hubColumns: MappingColumn[]) {
  const core = CORE_FIELDS.filter((f) => records.some((r) => r.core?.[f]));
  const profileKeys = [...new Set(records.flatMap((r) => Object.keys(r.profile ?? {})))];
  const profile = profileKeys.flatMap((key) => {
    const mapped = hubColumns.find((c) => c.field === key && c.kind !== "core");
    return mapped ? [{ key, kind: mapped.kind, visibility: mapped.visibility }] : [];
  });
  const columns: MappingColumn[] = [
    ...core.map((field) => column(field, field, "core", "private")),
    ...profile.map((p) => column(`profile.${p.key}`, p.key, p.kind, p.visibility)),
  ];
  const rows = records.map((r) => [
    ...core.map((f) => r.core?.[f] ?? null),
    ...profile.map((p) => {
      const value = r.profile?.[p.key];
      return Array.isArray(value) ? value.join("; ") : (value ?? null);
    }),
  ]);
  return { table: { columns: columns.map((c) => c.column), rows }, columns };
}

function column(
  name: string,
  field: string,
  kind: MappingColumn["kind"],
  visibility: MappingColumn["visibility"],
): MappingColumn {
  return { column: name, field, kind, visibility, values: {}, reviewed: true };
}
