// Idempotency-Key for every state-changing request under /v1: the first response for a key is
// stored (24 h) and replayed to retries with `Idempotent-Replayed: true`; the same key with another
// request is refused; a retry arriving while the first still runs is told to wait.
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./env.ts";
import { AppError, problemResponse } from "./errors.ts";
import { sha256Hex } from "./keys.ts";
import { claimKey, completeKey, releaseKey } from "./store/idempotency.ts";

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

export const idempotency = createMiddleware<AppEnv>(async (c, next) => {
  const key = c.req.header("idempotency-key");
  if (key === undefined || !WRITE_METHODS.has(c.req.method)) return next();
  if (!KEY_FORMAT.test(key)) {
    throw new AppError("invalid_request", "The Idempotency-Key is not valid.", [
      { field: "header.idempotency-key", message: "Use 1 to 255 visible ASCII characters, e.g. a UUID." },
    ]);
  }
  const db = c.get("db");
  const { tenantId } = c.get("caller");
  const claim = await claimKey(db, tenantId, key, await requestHash(c), new Date());
  const instance = new URL(c.req.url).pathname;
  if (claim.state === "mismatch") {
    throw new AppError(
      "idempotency_conflict",
      "This Idempotency-Key was used for a different request (method, path or body); use a new key for a new request.",
      [{ field: "header.idempotency-key", message: "Already used for another request." }],
    );
  }
  if (claim.state === "in_progress") {
    return problemResponse(
      new AppError(
        "idempotency_in_progress",
        "The first request with this Idempotency-Key is still running; retry in a moment to get its response.",
      ),
      instance,
      { "retry-after": "1" },
    );
  }
  if (claim.state === "replay") return replay(claim.status, claim.body);

  const work = answerOnce(c, key, next);
  // A client that times out and hangs up would cancel the request half-way, leaving its key marked
  // as running for minutes and its retries refused. The key says the client wants this request
  // done once, so it runs to its end after a hang-up too (waitUntil keeps it alive), and the
  // retry gets its answer.
  keepAlive(c, work);
  await work;
});

async function answerOnce(c: Context<AppEnv>, key: string, next: () => Promise<void>): Promise<void> {
  const db = c.get("db");
  const { tenantId } = c.get("caller");
  let stored = false;
  try {
    await next();
    // A server-side failure is not an answer worth keeping: the retry should run again.
    if (c.res.status < 500) {
      await completeKey(db, tenantId, key, c.res.status, await c.res.clone().text());
      stored = true;
    }
  } finally {
    if (!stored) await releaseKey(db, tenantId, key);
  }
}

function keepAlive(c: Context<AppEnv>, work: Promise<void>): void {
  try {
    c.executionCtx.waitUntil(work.catch(() => {}));
  } catch {
    // No execution context (in-process tests): nothing cancels the request there.
  }
}

/** Method, path with query, and the body's SHA-256: what makes two requests "the same". */
async function requestHash(c: Context<AppEnv>): Promise<string> {
  const { pathname, search } = new URL(c.req.url);
  // Hono caches the body, so the route's validator reads the same bytes after this.
  const digest = await crypto.subtle.digest("SHA-256", await c.req.arrayBuffer());
  const bodyHash = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  return sha256Hex(`${c.req.method} ${pathname}${search}\n${bodyHash}`);
}

function replay(status: number, body: string): Response {
  // Every /v1 answer is JSON: problems for errors, plain JSON otherwise, or no body at all.
  const headers: Record<string, string> = { "idempotent-replayed": "true" };
  if (status === 204) return new Response(null, { status, headers });
  headers["content-type"] = status >= 400 ? "application/problem+json" : "application/json";
  return new Response(body, { status, headers });
}
