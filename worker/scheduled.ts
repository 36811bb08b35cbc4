// The cron handler (wrangler.toml `[triggers]`, every 15 minutes). First the tenants whose own
// schedule is due (worker/schedule/): pull, plan, apply by policy, write back, time-based work.
// Then the deployment-wide upkeep that needs no import: purge soft deletions past 30 days, mark
// expired invitations, deliver mail and webhooks, forget stale idempotency keys. Each step is
// isolated: one failing never stops the next.
import { createClient } from "@libsql/client/web";
import { and, eq, lt } from "drizzle-orm";
import { type Db, openDb } from "../db/client.ts";
import { invitations } from "../db/schema.ts";
import { runApiUpkeep } from "./api-upkeep.ts";
import type { Env } from "./env.ts";
import { deliverOutbox } from "./mail/deliver.ts";
import { transportFor } from "./mail/transport.ts";
import { syncDueTenants, type TenantOutcome } from "./schedule/sync-tenants.ts";
import { purgeDeleted } from "./store/retention.ts";

/** Emails handed to the transport per cron run; the next run takes the rest. */
const DELIVERY_LIMIT = 500;

export interface ScheduledResult {
  tenants: Record<TenantOutcome["status"], number>;
  purged: number;
  expired: number;
  mailed: number;
}

/** `now` is the tick's scheduled time: it decides which tenants are due and what day it is for them. */
export async function runScheduled(env: Env, now: Date): Promise<ScheduledResult> {
  const client = createClient({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
  const db = openDb(client);
  try {
    const outcomes = await step("tenant syncs", [] as TenantOutcome[], () => syncDueTenants(db, env, now));
    // After the syncs, so the invitations they queued go out in the same tick.
    const upkeep = await runUpkeep(db, env, now);
    const result = { tenants: countByStatus(outcomes), ...upkeep };
    console.log(`scheduled run for ${now.toISOString()}: ${JSON.stringify(result)}`);
    return result;
  } finally {
    client.close();
  }
}

async function runUpkeep(db: Db, env: Env, now: Date) {
  const purged = await step("purge", 0, () => purgeDeleted(db, now));
  const expired = await step("invitation expiry", 0, async () => {
    const result = await db
      .update(invitations)
      .set({ status: "expired" })
      .where(and(eq(invitations.status, "pending"), lt(invitations.expiresAt, now.toISOString())));
    return result.rowsAffected;
  });
  const mailed = await step("mail delivery", 0, async () => {
    const delivery = await deliverOutbox(db, transportFor(env), DELIVERY_LIMIT, undefined, now);
    return delivery.sent;
  });
  await step("api upkeep", null, () => runApiUpkeep(db, env, now));
  return { purged, expired, mailed };
}

async function step<T>(name: string, fallback: T, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    // The kind and code only: a database error's message can quote a row (an email, a name).
    const code = (error as { code?: unknown }).code;
    const kind = error instanceof Error ? error.name : typeof error;
    console.error(`scheduled ${name} failed: ${kind}${typeof code === "string" ? ` ${code}` : ""}`);
    return fallback;
  }
}

function countByStatus(outcomes: TenantOutcome[]): ScheduledResult["tenants"] {
  const counts = { ran: 0, not_due: 0, leased: 0, deferred: 0, failed: 0 };
  for (const o of outcomes) counts[o.status] += 1;
  return counts;
}
