import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { commonErrors } from "../contract/common.ts";
import { WriteHeaders, writeErrors } from "../contract/guards.ts";
import { Hub, HubInput, HubList } from "../contract/hubs.ts";
import type { AppEnv } from "../env.ts";
import { addHub } from "../store/hubs.ts";
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

const create = createRoute({
  method: "post",
  path: "/v1/hubs",
  tags: ["hubs"],
  summary: "Create a hub",
  security: [{ bearer: [] }],
  request: {
    headers: WriteHeaders,
    body: { required: true, content: { "application/json": { schema: HubInput } } },
  },
  responses: {
    201: { description: "The new hub", content: { "application/json": { schema: Hub } } },
    ...commonErrors,
    ...writeErrors,
  },
});

export function registerHubs(app: OpenAPIHono<AppEnv>) {
  app.openapi(create, async (c) => {
    const { id, name, createdAt } = await addHub(
      c.get("db"),
      c.get("caller").tenantId,
      c.req.valid("json").name,
    );
    return c.json({ id, name, createdAt }, 201);
  });

  app.openapi(list, async (c) => {
    const hubs = await listHubs(c.get("db"), c.get("caller").tenantId);
    return c.json({ hubs: hubs.map(({ id, name, createdAt }) => ({ id, name, createdAt })) }, 200);
  });
}
