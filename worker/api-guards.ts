// What every authenticated /v1 request passes after its key is known, in this order: the key's
// rate limit, the body size limit, Idempotency-Key; and, after a write, background webhook delivery.
// Registered before the routes, since Hono runs handlers in registration order.
import type { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimits } from "./body-limits.ts";
import type { AppEnv } from "./env.ts";
import { idempotency } from "./idempotency.ts";
import { rateLimit } from "./rate-limit.ts";
import { deliverAfterWrites } from "./webhook-delivery.ts";

export function registerApiGuards(app: OpenAPIHono<AppEnv>) {
  app.use("/v1/*", rateLimit, bodyLimits, deliverAfterWrites, idempotency);
}
