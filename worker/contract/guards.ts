// What the API's cross-cutting guards add to a route's contract: the Idempotency-Key header on
// writes, and the refusals of the rate limit, the body limit and idempotency.
import { z } from "@hono/zod-openapi";
import { problem } from "./common.ts";

export const WriteHeaders = z.object({
  "idempotency-key": z
    .string()
    .optional()
    .openapi({
      param: { name: "idempotency-key", in: "header" },
      description:
        "Any unique string (a UUID) per intended change. A retry with the same key and request gets the first " +
        "response again (with `Idempotent-Replayed: true`) instead of running twice; kept for 24 hours.",
      example: "3f0e5c2a-8d1b-4a8e-9d55-6c1f0f5f8a10",
    }),
});

export const rateLimited = { 429: problem("Too many requests for this API key; see Retry-After") } as const;

export const writeErrors = {
  409: problem("Conflicts with the current state, or the Idempotency-Key was used for another request"),
  413: problem("The request body is too large"),
  ...rateLimited,
} as const;
