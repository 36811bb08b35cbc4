// Stored first responses for Idempotency-Key. A request first inserts a pending marker (status 0)
// for its (tenant, key); the insert succeeding is what lets it run, so two concurrent first
// requests cannot both run. The response then replaces the marker; a failure removes it.
import { and, eq, lt } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { idempotencyKeys } from "../../db/schema.ts";

/** A stored response is replayed for this long; after that the key is free again. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A marker this old belongs to a request that died (Workers requests do not run this long). */
export const ABANDONED_AFTER_MS = 5 * 60 * 1000;

export type Claim =
  | { state: "claimed" }
  | { state: "replay"; status: number; body: string }
  | { state: "in_progress" }
  | { state: "mismatch" };

export async function claimKey(
  db: Db,
  tenantId: string,
  key: string,
  requestHash: string,
  now: Date,
): Promise<Claim> {
  const expired = new Date(now.getTime() - IDEMPOTENCY_TTL_MS).toISOString();
  const abandoned = new Date(now.getTime() - ABANDONED_AFTER_MS).toISOString();
  const [, inserted] = await db.$client.batch(
    [
      {
        sql: `DELETE FROM idempotency_keys WHERE tenant_id = ? AND key = ?
              AND (created_at < ? OR (status = 0 AND created_at < ?))`,
        args: [tenantId, key, expired, abandoned],
      },
      {
        sql: `INSERT INTO idempotency_keys (tenant_id, key, request_hash, status, body, created_at)
              VALUES (?, ?, ?, 0, '', ?) ON CONFLICT DO NOTHING`,
        args: [tenantId, key, requestHash, now.toISOString()],
      },
    ],
    "write",
  );
  if (inserted?.rowsAffected === 1) return { state: "claimed" };
  const row = await db.query.idempotencyKeys.findFirst({
    where: and(eq(idempotencyKeys.tenantId, tenantId), eq(idempotencyKeys.key, key)),
  });
  // Gone between the insert and the read: the first request failed and let go; ask for a retry.
  if (!row) return { state: "in_progress" };
  if (row.requestHash !== requestHash) return { state: "mismatch" };
  if (row.status === 0) return { state: "in_progress" };
  return { state: "replay", status: row.status, body: row.body };
}

export async function completeKey(db: Db, tenantId: string, key: string, status: number, body: string) {
  await db
    .update(idempotencyKeys)
    .set({ status, body })
    .where(
      and(
        eq(idempotencyKeys.tenantId, tenantId),
        eq(idempotencyKeys.key, key),
        eq(idempotencyKeys.status, 0),
      ),
    );
}

export async function releaseKey(db: Db, tenantId: string, key: string) {
  await db
    .delete(idempotencyKeys)
    .where(
      and(
        eq(idempotencyKeys.tenantId, tenantId),
        eq(idempotencyKeys.key, key),
        eq(idempotencyKeys.status, 0),
      ),
    );
}

/** Removes responses past their time to live (the cron's upkeep; lookups ignore them anyway). */
export async function purgeIdempotencyKeys(db: Db, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - IDEMPOTENCY_TTL_MS).toISOString();
  const result = await db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, cutoff));
  return result.rowsAffected;
}
