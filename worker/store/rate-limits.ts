// A fixed-window request counter per API key, kept in the database. Workers run the same code in
// many short-lived isolates at once, so an in-memory bucket would count per isolate, not per key;
// one upsert per request counts across all of them, in the round trip that also tells the total.
import type { Db } from "../../db/client.ts";

export interface Hit {
  count: number;
  /** Unix seconds when the current window began. */
  windowStart: number;
}

/** Counts one request; a window that has run out starts again at `now`. */
export async function hit(
  db: Db,
  tenantId: string,
  keyId: string,
  windowSeconds: number,
  now: Date,
): Promise<Hit> {
  const t = Math.floor(now.getTime() / 1000);
  const result = await db.$client.execute({
    sql: `INSERT INTO rate_limits (key_id, tenant_id, window_start, count) VALUES (?, ?, ?, 1)
          ON CONFLICT (key_id) DO UPDATE SET
            count = CASE WHEN window_start + ? <= excluded.window_start THEN 1 ELSE count + 1 END,
            window_start = CASE WHEN window_start + ? <= excluded.window_start THEN excluded.window_start ELSE window_start END
          RETURNING count, window_start`,
    args: [keyId, tenantId, t, windowSeconds, windowSeconds],
  });
  const row = result.rows[0];
  return { count: Number(row?.count ?? 1), windowStart: Number(row?.window_start ?? t) };
}
