import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import {
  ApiKeyCreated,
  ApiKeyInput,
  ApiKeyList,
  ApiKeyParams,
  ApiKey as ApiKeySchema,
} from "../contract/api-keys.ts";
import { commonErrors } from "../contract/common.ts";
import { rateLimited, WriteHeaders, writeErrors } from "../contract/guards.ts";
import type { AppEnv } from "../env.ts";
import { getApiKey, listApiKeys, revokeApiKey } from "../store/api-keys.ts";
import { createApiKey } from "../store/tenants.ts";

const security = [{ bearer: [] }];

const list = createRoute({
  method: "get",
  path: "/v1/api-keys",
  tags: ["api keys"],
  summary: "List the tenant's API keys (never the keys themselves)",
  security,
  responses: {
    200: {
      description: "The keys, revoked ones included",
      content: { "application/json": { schema: ApiKeyList } },
    },
    ...commonErrors,
    ...rateLimited,
  },
});

const create = createRoute({
  method: "post",
  path: "/v1/api-keys",
  tags: ["api keys"],
  summary: "Create an API key; the key is in this answer only",
  security,
  request: {
    headers: WriteHeaders,
    body: { required: true, content: { "application/json": { schema: ApiKeyInput } } },
  },
  responses: {
    201: {
      description: "The new key, shown once",
      content: { "application/json": { schema: ApiKeyCreated } },
    },
    ...commonErrors,
    ...writeErrors,
  },
});

const revoke = createRoute({
  method: "post",
  path: "/v1/api-keys/{keyId}/revoke",
  tags: ["api keys"],
  summary: "Revoke an API key at once",
  description: "Revoking a revoked key changes nothing. The tenant's last admin key cannot be revoked.",
  security,
  request: { params: ApiKeyParams, headers: WriteHeaders },
  responses: {
    200: { description: "The revoked key", content: { "application/json": { schema: ApiKeySchema } } },
    ...commonErrors,
    ...writeErrors,
  },
});

export function registerApiKeys(app: OpenAPIHono<AppEnv>) {
  app.openapi(list, async (c) => {
    const apiKeys = await listApiKeys(c.get("db"), c.get("caller").tenantId);
    return c.json({ apiKeys }, 200);
  });

  app.openapi(create, async (c) => {
    const { name, role } = c.req.valid("json");
    const { tenantId } = c.get("caller");
    const created = await createApiKey(c.get("db"), tenantId, name, role);
    const stored = await getApiKey(c.get("db"), tenantId, created.id);
    return c.json({ ...stored, key: created.key }, 201);
  });

  app.openapi(revoke, async (c) => {
    const key = await revokeApiKey(
      c.get("db"),
      c.get("caller").tenantId,
      c.req.valid("param").keyId,
      new Date(),
    );
    return c.json(key, 200);
  });
}
