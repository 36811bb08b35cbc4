import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { commonErrors } from "../contract/common.ts";
import { HubList } from "../contract/hubs.ts";
import type { AppEnv } from "../env.ts";
import { listHubs } from "../store/tenants.ts";

const list = createRoute({
  method: "get",
  path: "/v1/hubs",
  tags: ["hubs"],
  summary: "List the tenant's hubs",
  security: [{ bearer: [] }],
  responses: {
    200: { description: "The hubs", content: { "application/json": { schema: HubList } } },
    ...commonErrors,
  },
});

export function registerHubs(app: OpenAPIHono<AppEnv>) {
  app.openapi(list, async (c) => {
    const hubs = await listHubs(c.get("db"), c.get("caller").tenantId);
    return c.json({ hubs: hubs.map(({ id, name, createdAt }) => ({ id, name, createdAt })) }, 200);
  });
}
