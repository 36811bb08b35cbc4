// Tenants, hubs and API keys: who is calling and what they own.
import type { ResultSet } from "@libsql/client";
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { apiKeys, eventSecrets, hubs, type TenantSettings, tenants } from "../../db/schema.ts";
import type { ApiKeyRole, Caller } from "../env.ts";
import { AppError } from "../errors.ts";
import { generateApiKey, sha256Hex } from "../keys.ts";
import type { Stmt } from "./audit.ts";
import { generationsOf } from "./event-secrets.ts";

export const DEFAULT_SETTINGS: TenantSettings = {
  timeZone: "UTC",
  dateOrder: null,
  guard: { percent: 10, floor: 10, ceiling: 500 },
  autoApply: ["update"],
  cron: "0 8 * * 1-5",
};

export async function createTenant(db: Db, name: string, settings: Partial<TenantSettings> = {}) {
  const id = crypto.randomUUID();
  const [row] = await db
    .insert(tenants)
    .values({ id, name, settings: { ...DEFAULT_SETTINGS, ...settings } })
    .returning();
  if (!row) throw new AppError("internal", "The tenant was not created.");
  return row;
}

export async function getTenant(db: Db, tenantId: string) {
  return tenantFrom(await db.$client.execute(tenantStatement(tenantId)));
}

export async function createHub(db: Db, tenantId: string, name: string) {
  const [row] = await db.insert(hubs).values({ id: crypto.randomUUID(), tenantId, name }).returning();
  if (!row) throw new AppError("internal", "The hub was not created.");
  return row;
}

export async function listHubs(db: Db, tenantId: string) {
  return db.select().from(hubs).where(eq(hubs.tenantId, tenantId)).orderBy(hubs.name);
}

export async function getHub(db: Db, tenantId: string, hubId: string) {
  return hubFrom(await db.$client.execute(hubStatement(tenantId, hubId)), hubId);
}

// The tenant and a hub as statements (getTenant and getHub run them; a request may read them in a
// batch with other things).

export function tenantStatement(tenantId: string): Stmt {
  return { sql: "SELECT id, name, settings, created_at FROM tenants WHERE id = ?", args: [tenantId] };
}

export function tenantFrom(result: ResultSet): typeof tenants.$inferSelect {
  const row = result.rows[0];
  if (!row) throw new AppError("not_found", "No such tenant.");
  return {
    id: String(row.id),
    name: String(row.name),
    settings: JSON.parse(String(row.settings)) as TenantSettings,
    createdAt: String(row.created_at),
  };
}

export function hubStatement(tenantId: string, hubId: string): Stmt {
  return {
    sql: "SELECT id, tenant_id, name, created_at FROM hubs WHERE tenant_id = ? AND id = ?",
    args: [tenantId, hubId],
  };
}

/** The hub, or getHub's not_found for `hubId`. */
export function hubFrom(result: ResultSet, hubId: string): typeof hubs.$inferSelect {
  const row = result.rows[0];
  if (!row) throw new AppError("not_found", `No hub ${hubId} in this tenant.`);
  return {
    id: String(row.id),
    tenantId: String(row.tenant_id),
    name: String(row.name),
    createdAt: String(row.created_at),
  };
}

/** Returns the key itself once; only its hash is stored. */
export async function createApiKey(db: Db, tenantId: string, name: string, role: ApiKeyRole) {
  const { key, prefix } = generateApiKey();
  const id = crypto.randomUUID();
  await db.insert(apiKeys).values({ id, tenantId, name, prefix, role, hash: await sha256Hex(key) });
  return { id, key, prefix, role, name };
}

export async function callerForKey(db: Db, key: string, now: Date): Promise<Caller | null> {
  const hash = await sha256Hex(key);
  // The tenant's event secret comes with the key: an HRIS event, the busiest write, then makes no
  // round trip for it. Every other request reads one index entry more.
  const [row] = await db
    .select({ id: apiKeys.id, tenantId: apiKeys.tenantId, role: apiKeys.role, secret: eventSecrets })
    .from(apiKeys)
    .leftJoin(eventSecrets, eq(eventSecrets.tenantId, apiKeys.tenantId))
    .where(and(eq(apiKeys.hash, hash), isNull(apiKeys.revokedAt)))
    .limit(1);
  if (!row) return null;
  return {
    tenantId: row.tenantId,
    keyId: row.id,
    role: row.role,
    eventSecrets: generationsOf(row.secret, now),
  };
}
