// Listing and revoking a tenant's API keys (creating one is createApiKey in tenants.ts). The hash
// never leaves this module.
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { apiKeys } from "../../db/schema.ts";
import { AppError } from "../errors.ts";

const PUBLIC_COLUMNS = {
  id: apiKeys.id,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  role: apiKeys.role,
  createdAt: apiKeys.createdAt,
  revokedAt: apiKeys.revokedAt,
};

export type ApiKeyRow = Awaited<ReturnType<typeof getApiKey>>;

export async function listApiKeys(db: Db, tenantId: string) {
  return db
    .select(PUBLIC_COLUMNS)
    .from(apiKeys)
    .where(eq(apiKeys.tenantId, tenantId))
    .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
}

export async function getApiKey(db: Db, tenantId: string, id: string) {
  const [row] = await db
    .select(PUBLIC_COLUMNS)
    .from(apiKeys)
    .where(and(eq(apiKeys.tenantId, tenantId), eq(apiKeys.id, id)));
  if (!row) throw new AppError("not_found", `No API key ${id} in this tenant.`);
  return row;
}

/**
 * Revokes a key at once (its next request gets 401). Revoking again changes nothing. The last
 * active admin key cannot be revoked: nobody could make a new one.
 */
export async function revokeApiKey(db: Db, tenantId: string, id: string, now: Date) {
  const key = await getApiKey(db, tenantId, id);
  if (key.revokedAt) return key;
  // One statement: the "another admin key remains" check and the revocation cannot interleave.
  const result = await db.$client.execute({
    sql: `UPDATE api_keys SET revoked_at = ?
          WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL
            AND (role <> 'admin' OR EXISTS (
              SELECT 1 FROM api_keys o
              WHERE o.tenant_id = ? AND o.id <> ? AND o.role = 'admin' AND o.revoked_at IS NULL))`,
    args: [now.toISOString(), tenantId, id, tenantId, id],
  });
  if (result.rowsAffected === 0) {
    const current = await getApiKey(db, tenantId, id);
    if (current.revokedAt) return current;
    throw new AppError(
      "conflict",
      "This is the tenant's last admin key: create another admin key before revoking it.",
    );
  }
  return getApiKey(db, tenantId, id);
}
