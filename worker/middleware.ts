// Per-request plumbing: a database handle, and the caller behind the API key.
import { createClient } from "@libsql/client/web";
import { createMiddleware } from "hono/factory";
import { openDb, uncompressedFetch } from "../db/client.ts";
import type { AppEnv } from "./env.ts";
import { AppError } from "./errors.ts";
import { callerForKey } from "./store/tenants.ts";

export const database = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.env.DATABASE_URL) throw new AppError("database_unavailable", "DATABASE_URL is not configured.");
  const client = createClient({
    url: c.env.DATABASE_URL,
    authToken: c.env.DATABASE_AUTH_TOKEN,
    fetch: uncompressedFetch,
  });
  c.set("db", openDb(client));
  try {
    await next();
  } finally {
    client.close();
  }
});

const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Bearer API key → tenant and role. Read-only keys may only read; nothing reaches a handler unauthenticated. */
export const apiKeyAuth = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) throw new AppError("unauthorized", "Send your API key as `Authorization: Bearer <key>`.");
  const caller = await callerForKey(c.get("db"), match[1], new Date());
  if (!caller) throw new AppError("unauthorized", "This API key is not valid or has been revoked.");
  if (caller.role !== "admin" && !READ_METHODS.has(c.req.method)) {
    throw new AppError("forbidden", "This API key is read-only; use an admin key to make changes.");
  }
  c.set("caller", caller);
  await next();
});
