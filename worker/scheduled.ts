// The cron handler (wrangler.toml `[triggers]`). Time-based upkeep that needs no new import.
import { createClient } from "@libsql/client/web";
import { and, eq, lt } from "drizzle-orm";
import { openDb } from "../db/client.ts";
import { invitations, members } from "../db/schema.ts";
import type { Env } from "./env.ts";

/** Soft deletions are restorable for this long, then purged. */
export const RESTORE_DAYS = 30;

export async function runScheduled(env: Env, now: Date): Promise<{ purged: number; expired: number }> {
  const client = createClient({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
  const db = openDb(client);
  try {
    const cutoff = new Date(now.getTime() - RESTORE_DAYS * 86_400_000).toISOString();
    const purged = await db
      .delete(members)
      .where(and(eq(members.status, "deleted"), lt(members.deletedAt, cutoff)));
    const expired = await db
      .update(invitations)
      .set({ status: "expired" })
      .where(and(eq(invitations.status, "pending"), lt(invitations.expiresAt, now.toISOString())));
    return { purged: purged.rowsAffected, expired: expired.rowsAffected };
  } finally {
    client.close();
  }
}
