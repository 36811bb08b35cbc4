// A tenant's settings as the API shows them: the stored JSON over the defaults, plus the
// country → content region overrides that live in their own table.
import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { hubs, type SyncSource, type TenantSettings } from "../../db/schema.ts";
import { AppError } from "../errors.ts";
import { contentRegionsOf } from "./members.ts";
import { DEFAULT_SETTINGS, getTenant } from "./tenants.ts";

export type SettingsView = Required<
  Pick<TenantSettings, "timeZone" | "dateOrder" | "guard" | "autoApply" | "cron" | "sources">
> & { contentRegions: Record<string, string> };

export type SettingsPatch = Partial<Omit<SettingsView, "contentRegions">> & {
  /** Country code → region; null drops the override (the built-in region applies again). */
  contentRegions?: Record<string, string | null>;
};

export async function getSettings(db: Db, tenantId: string): Promise<SettingsView> {
  const tenant = await getTenant(db, tenantId);
  const stored = { ...DEFAULT_SETTINGS, ...tenant.settings };
  return {
    timeZone: stored.timeZone,
    dateOrder: stored.dateOrder,
    guard: stored.guard,
    autoApply: stored.autoApply,
    cron: stored.cron,
    sources: stored.sources ?? [],
    contentRegions: await contentRegionsOf(db, tenantId),
  };
}

/** Applies the given keys only; keys this API does not show (another feature's) are left alone. */
export async function updateSettings(db: Db, tenantId: string, patch: SettingsPatch): Promise<SettingsView> {
  await getTenant(db, tenantId);
  const { contentRegions: regions, ...settings } = patch;
  if (settings.sources) await checkSourceHubs(db, tenantId, settings.sources);
  const statements = [];
  if (Object.keys(settings).length > 0) {
    // json_patch merges in SQL, so two admins saving different keys at once both keep theirs.
    // A JSON null would delete the key (RFC 7396); the defaults then give back null for dateOrder.
    statements.push({
      sql: "UPDATE tenants SET settings = json_patch(settings, ?) WHERE id = ?",
      args: [JSON.stringify(settings), tenantId],
    });
  }
  for (const [country, region] of Object.entries(regions ?? {})) {
    statements.push(
      region === null
        ? {
            sql: "DELETE FROM content_regions WHERE tenant_id = ? AND country = ?",
            args: [tenantId, country],
          }
        : {
            sql: `INSERT INTO content_regions (tenant_id, country, region) VALUES (?, ?, ?)
                  ON CONFLICT (tenant_id, country) DO UPDATE SET region = excluded.region`,
            args: [tenantId, country, region],
          },
    );
  }
  if (statements.length) await db.$client.batch(statements, "write");
  return getSettings(db, tenantId);
}

async function checkSourceHubs(db: Db, tenantId: string, sources: SyncSource[]) {
  const ids = [...new Set(sources.map((s) => s.hubId))];
  if (ids.length === 0) return;
  const found = await db
    .select({ id: hubs.id })
    .from(hubs)
    .where(and(eq(hubs.tenantId, tenantId), inArray(hubs.id, ids)));
  const known = new Set(found.map((h) => h.id));
  const problems = sources.flatMap((s, i) =>
    known.has(s.hubId)
      ? []
      : [{ field: `json.sources.${i}.hubId`, message: `No hub ${s.hubId} in this tenant.` }],
  );
  if (problems.length)
    throw new AppError("unprocessable", "A source names a hub this tenant does not have.", problems);
}
