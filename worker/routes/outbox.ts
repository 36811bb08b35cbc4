import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { createClient } from "@libsql/client/web";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { openDb, uncompressedFetch } from "../../db/client.ts";
import { commonErrors } from "../contract/common.ts";
import { OutboxPage, OutboxQuery } from "../contract/outbox.ts";
import { decodeCursor, encodeCursor } from "../cursor.ts";
import type { AppEnv, Env } from "../env.ts";
import { AppError } from "../errors.ts";
import { deliverOutbox } from "../mail/deliver.ts";
import { transportFor } from "../mail/transport.ts";
import { listOutbox } from "../store/outbox.ts";

/** Requests that queue email: after they answer, the queue is delivered in the background. */
const QUEUEING = ["/v1/plans/:planId/execute", "/v1/members/:memberId/invitation/resend"];
const DELIVERY_BUDGET_MS = 25_000;
const DELIVERY_CHUNK = 500;

const list = createRoute({
  method: "get",
  path: "/v1/outbox",
  tags: ["outbox"],
  summary: "Development only: the emails queued and 'sent' to the local outbox, newest first",
  description: "Answers 404 unless the worker runs with ENVIRONMENT=development.",
  security: [{ bearer: [] }],
  request: { query: OutboxQuery },
  responses: {
    200: { description: "A page of messages", content: { "application/json": { schema: OutboxPage } } },
    ...commonErrors,
  },
});

/** Must be registered before the routes in QUEUEING: it wraps them. */
export function registerOutbox(app: OpenAPIHono<AppEnv>) {
  for (const path of QUEUEING) app.use(path, deliverAfterResponse);

  app.openapi(list, async (c) => {
    if (c.env.ENVIRONMENT !== "development") {
      throw new AppError("not_found", `No route GET ${new URL(c.req.url).pathname}.`);
    }
    const { recipient, cursor, limit } = c.req.valid("query");
    const after = cursor === undefined ? undefined : (decodeCursor("outbox", cursor, 2) as [string, string]);
    const page = await listOutbox(c.get("db"), c.get("caller").tenantId, { recipient, after, limit });
    return c.json(
      {
        messages: page.messages.map(
          ({ tenantId: _t, channel: _c, dedupeKey: _d, nextAttemptAt: _n, lastError: _e, ...m }) => m,
        ),
        nextCursor: page.next === null ? null : encodeCursor("outbox", page.next),
      },
      200,
    );
  });
}

const deliverAfterResponse = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (c.res.status >= 300) return;
  const tenantId = c.get("caller")?.tenantId;
  if (tenantId) background(c, deliverQueued(c.env, tenantId));
});

function background(c: Context<AppEnv>, work: Promise<void>) {
  try {
    c.executionCtx.waitUntil(work);
  } catch {
    // No execution context (an in-process test): the cron delivers what is left.
  }
}

/** Delivers the tenant's queued mail on a client of its own: the request's is closed by then. */
async function deliverQueued(env: Env, tenantId: string): Promise<void> {
  const client = createClient({
    url: env.DATABASE_URL,
    authToken: env.DATABASE_AUTH_TOKEN,
    fetch: uncompressedFetch,
  });
  const db = openDb(client);
  const transport = transportFor(env);
  const started = Date.now();
  try {
    while (Date.now() - started < DELIVERY_BUDGET_MS) {
      const round = await deliverOutbox(db, transport, DELIVERY_CHUNK, tenantId);
      if (round.sent + round.failed + round.retrying === 0) break;
    }
  } catch (error) {
    console.error(`outbox delivery: ${error instanceof Error ? error.name : "error"}`);
  } finally {
    client.close();
  }
}
