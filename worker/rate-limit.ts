// Requests per API key per window, counted in the database (see store/rate-limits.ts for why).
// Over the limit: 429 with Retry-After. Configured by RATE_LIMIT_REQUESTS and
// RATE_LIMIT_WINDOW_SECONDS; high by default, so only runaway scripts meet it.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./env.ts";
import { AppError, problemResponse } from "./errors.ts";
import { hit } from "./store/rate-limits.ts";

export const DEFAULT_RATE_LIMIT = 1200;
export const DEFAULT_WINDOW_SECONDS = 60;

export const rateLimit = createMiddleware<AppEnv>(async (c, next) => {
  const limit = numberOr(c.env.RATE_LIMIT_REQUESTS, DEFAULT_RATE_LIMIT);
  if (limit <= 0) return next();
  const window = numberOr(c.env.RATE_LIMIT_WINDOW_SECONDS, DEFAULT_WINDOW_SECONDS) || DEFAULT_WINDOW_SECONDS;
  const { tenantId, keyId } = c.get("caller");
  const now = new Date();
  const counted = await hit(c.get("db"), tenantId, keyId, window, now);
  const reset = Math.max(1, counted.windowStart + window - Math.floor(now.getTime() / 1000));
  const headers = {
    "ratelimit-limit": String(limit),
    "ratelimit-remaining": String(Math.max(0, limit - counted.count)),
    "ratelimit-reset": String(reset),
  };
  if (counted.count > limit) {
    return problemResponse(
      new AppError(
        "rate_limited",
        `This API key made more than ${limit} requests in ${window} seconds; try again in ${reset} seconds.`,
      ),
      new URL(c.req.url).pathname,
      { ...headers, "retry-after": String(reset) },
    );
  }
  await next();
  for (const [name, value] of Object.entries(headers)) {
    try {
      c.res.headers.set(name, value);
    } catch {
      // A response with immutable headers (a fetched one passed through) goes out without them.
    }
  }
});

function numberOr(value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? Math.floor(n) : fallback;
}
