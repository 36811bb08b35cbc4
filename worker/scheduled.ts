// The cron handler (wrangler.toml `[triggers]`). Time-based upkeep that needs no new import.
import { createClient } from "@libsql/client/web";
import { and, eq, lt } from "drizzle-orm";
import { openDb } from "../db/client.ts";
import { invitations } from "../db/schema.ts";
import { runApiUpkeep } from "./api-upkeep.ts";
import type { Env } from "./env.ts";
import { deliverOutbox } from "./mail/deliver.ts";
import { transportFor } from "./mail/transport.ts";
import { purgeDeleted } from "./store/retention.ts";

/** Emails handed to the transport per cron run; the next run takes the rest. */
const DELIVERY_LIMIT = 500;

export async function runScheduled(
  env: Env,
  now: Date,
): Promise<{ purged: number; expired: number; mailed: number }> {
  const client = createClient({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
  const db = openDb(client);
  try {
    const purged = await purgeDeleted(db, now);
    const expired = await db
      .update(invitations)
      .set({ status: "expired" })
      .where(and(eq(invitations.status, "pending"), lt(invitations.expiresAt, now.toISOString())));
    const delivery = await deliverOutbox(db, transportFor(env), DELIVERY_LIMIT, undefined, now);
    await runApiUpkeep(db, env, now);
    return { purged, expired: expired.rowsAffected, mailed: delivery.sent };
  } finally {
    client.close();
  }
}
