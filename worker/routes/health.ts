import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { problem } from "../contract/common.ts";
import type { AppEnv } from "../env.ts";
import { AppError } from "../errors.ts";

const Health = z.object({ status: z.literal("ok"), database: z.literal("ok") }).openapi("Health");

const route = createRoute({
  method: "get",
  path: "/healthz",
  tags: ["health"],
  summary: "Liveness and database reachability",
  responses: {
    200: {
      description: "The worker runs and the database answers",
      content: { "application/json": { schema: Health } },
    },
    503: problem("The database does not answer"),
  },
});

export function registerHealth(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    try {
      await c.get("db").run(sql`select 1`);
    } catch {
      throw new AppError(
        "database_unavailable",
        "The database does not answer; check DATABASE_URL and that sqld runs.",
      );
    }
    return c.json({ status: "ok" as const, database: "ok" as const }, 200);
  });
}
