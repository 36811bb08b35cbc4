// Delivers queued webhook events from the outbox to tenant endpoints, signed like incoming events
// (`X-Signature: t=…,v1=…` over `${t}.${body}` with the endpoint's secret). A failed attempt is
// retried with exponential back-off; after MAX_WEBHOOK_ATTEMPTS the event is given up (failed).
// Delivery is at least once: receivers dedupe by the event's `id`.
import { createClient } from "@libsql/client/web";
import { inArray } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import { type Db, openDb } from "../db/client.ts";
import { type outbox, webhooks } from "../db/schema.ts";
import { signingKeyOf, webhookSecret } from "./derived-secrets.ts";
import type { AppEnv, Env } from "./env.ts";
import { signatureHeader } from "./signatures.ts";
import { dueMessages } from "./store/outbox.ts";

export const MAX_WEBHOOK_ATTEMPTS = 8;
/** First retry after this; each next one waits twice as long (30 s … 32 min, about 1 h in all). */
export const RETRY_BASE_SECONDS = 30;
/** A claimed event is not picked again for this long, even if its sender dies mid-way. */
const LEASE_SECONDS = 60;
const TIMEOUT_MS = 10_000;

export interface WebhookDelivery {
  sent: number;
  failed: number;
  retrying: number;
}

type Fetch = (input: string, init: RequestInit) => Promise<Response>;

export async function deliverWebhooks(
  db: Db,
  fetcher: Fetch,
  now: Date,
  masterKey: string,
  options: { tenantId?: string; limit?: number } = {},
): Promise<WebhookDelivery> {
  const nowIso = now.toISOString();
  const due = await dueMessages(db, {
    channel: "webhook",
    maxAttempts: MAX_WEBHOOK_ATTEMPTS,
    now: nowIso,
    limit: options.limit ?? 50,
    tenantId: options.tenantId,
  });
  const result: WebhookDelivery = { sent: 0, failed: 0, retrying: 0 };
  if (due.length === 0) return result;
  const lease = new Date(now.getTime() + LEASE_SECONDS * 1000).toISOString();
  const claims = await db.$client.batch(
    due.map((m) => ({
      sql: `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?
            WHERE tenant_id = ? AND id = ? AND status = 'queued' AND attempts = ?`,
      args: [lease, m.tenantId, m.id, m.attempts],
    })),
    "write",
  );
  const mine = due.filter((_, i) => claims[i]?.rowsAffected === 1);
  const endpoints = await endpointsOf(db, mine);
  const updates = [];
  for (const m of mine) {
    const endpoint = endpoints.get(`${m.tenantId}:${m.recipient}`);
    const attempts = m.attempts + 1;
    const error = endpoint
      ? await attempt(fetcher, endpoint.url, await webhookSecret(masterKey, m.tenantId, endpoint.id), m, now)
      : "The webhook endpoint was deleted.";
    if (error === null) {
      result.sent += 1;
      updates.push(finish(m, "sent", nowIso, null));
    } else if (!endpoint || attempts >= MAX_WEBHOOK_ATTEMPTS) {
      result.failed += 1;
      updates.push(finish(m, "failed", null, error));
    } else {
      result.retrying += 1;
      const wait = RETRY_BASE_SECONDS * 2 ** (attempts - 1);
      updates.push({
        sql: "UPDATE outbox SET next_attempt_at = ?, last_error = ? WHERE tenant_id = ? AND id = ? AND status = 'queued'",
        args: [new Date(now.getTime() + wait * 1000).toISOString(), error, m.tenantId, m.id],
      });
    }
  }
  if (updates.length) await db.$client.batch(updates, "write");
  return result;
}

type Queued = typeof outbox.$inferSelect;

async function endpointsOf(db: Db, rows: Queued[]) {
  const ids = [...new Set(rows.map((m) => m.recipient))];
  const found = ids.length ? await db.select().from(webhooks).where(inArray(webhooks.id, ids)) : [];
  // Keyed by tenant too: an event is only ever sent to its own tenant's endpoint.
  return new Map(found.map((w) => [`${w.tenantId}:${w.id}`, w]));
}

function finish(m: Queued, status: "sent" | "failed", sentAt: string | null, error: string | null) {
  return {
    sql: "UPDATE outbox SET status = ?, sent_at = ?, last_error = ? WHERE tenant_id = ? AND id = ? AND status = 'queued'",
    args: [status, sentAt, error, m.tenantId, m.id],
  };
}

/** null when the endpoint took the event (2xx); otherwise why not. */
async function attempt(
  fetcher: Fetch,
  url: string,
  secret: string,
  m: Queued,
  now: Date,
): Promise<string | null> {
  const body = m.text ?? "{}";
  try {
    const response = await fetcher(url, {
      method: "POST",
      redirect: "manual",
      signal: AbortSignal.timeout(TIMEOUT_MS),
      headers: {
        "content-type": "application/json",
        "user-agent": "profile-sync-webhooks/1",
        "x-event-type": m.subject ?? "",
        "x-signature": await signatureHeader(secret, body, now),
      },
      body,
    });
    await response.body?.cancel();
    return response.ok ? null : `The endpoint answered HTTP ${response.status}.`;
  } catch (error) {
    return `The endpoint could not be reached: ${error instanceof Error ? error.message.slice(0, 200) : "unknown error"}.`;
  }
}

// Writes that may have queued events: an import (plan.created), execution, an HRIS event, a
// member's status change.
const ANNOUNCING =
  /^\/v1\/(hubs\/[^/]+\/imports|plans\/[^/]+\/execute|events|members\/[^/]+\/(reactivate|archive))$/;

/**
 * After a successful write that may have queued events, delivers the tenant's due events in the
 * background (waitUntil), so endpoints hear within seconds rather than at the next cron.
 */
export const deliverAfterWrites = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (c.req.method !== "POST" || c.res.status >= 300 || c.get("nothingAnnounced")) return;
  if (!ANNOUNCING.test(new URL(c.req.url).pathname)) return;
  let ctx: { waitUntil: (task: Promise<unknown>) => void };
  try {
    ctx = c.executionCtx;
  } catch {
    return; // no execution context (in-process tests): the cron delivers
  }
  ctx.waitUntil(deliverInBackground(c.env, c.get("caller").tenantId));
});

async function deliverInBackground(env: Env, tenantId: string): Promise<void> {
  // The request's client is closed when it ends; the background task has its own.
  const client = createClient({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
  try {
    await deliverWebhooks(openDb(client), fetch, new Date(), signingKeyOf(env), { tenantId });
  } catch (error) {
    // The name only: a message can quote the endpoint URL, which may carry a secret.
    console.error(`webhook delivery failed: ${error instanceof Error ? error.name : "error"}`);
  } finally {
    client.close();
  }
}
