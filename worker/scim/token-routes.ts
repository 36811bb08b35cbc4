// /v1/scim/tokens: an admin creates, lists and revokes the tokens identity providers call the SCIM
// service with. These are ordinary API routes (API key, problem+json); the SCIM service itself
// accepts only these tokens.
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { commonErrors } from "../contract/common.ts";
import { rateLimited, WriteHeaders, writeErrors } from "../contract/guards.ts";
import {
  ScimTokenCreated,
  ScimTokenInput,
  ScimTokenList,
  ScimTokenParams,
  ScimToken as ScimTokenSchema,
} from "../contract/scim-tokens.ts";
import type { AppEnv } from "../env.ts";
import { createScimToken, listScimTokens, revokeScimToken } from "../store/scim-tokens.ts";

const security = [{ bearer: [] }];

const list = createRoute({
  method: "get",
  path: "/v1/scim/tokens",
  tags: ["scim"],
  summary: "List the tenant's SCIM tokens (never the tokens themselves)",
  security,
  responses: {
    200: {
      description: "The tokens, revoked ones included",
      content: { "application/json": { schema: ScimTokenList } },
    },
    ...commonErrors,
    ...rateLimited,
  },
});

const create = createRoute({
  method: "post",
  path: "/v1/scim/tokens",
  tags: ["scim"],
  summary: "Create a SCIM token for an identity provider; the token is in this answer only",
  description:
    "Give the token and the base URL `<origin>/scim/v2` to Okta or Entra. Users the identity provider creates " +
    "are invited to `hubId`; every SCIM request becomes a one-person plan, applied at once and audited with " +
    "actor `scim`. SCIM tokens work only on /scim/v2, and API keys never do.",
  security,
  request: {
    headers: WriteHeaders,
    body: { required: true, content: { "application/json": { schema: ScimTokenInput } } },
  },
  responses: {
    201: {
      description: "The new token, shown once",
      content: { "application/json": { schema: ScimTokenCreated } },
    },
    ...commonErrors,
    ...writeErrors,
  },
});

const revoke = createRoute({
  method: "post",
  path: "/v1/scim/tokens/{keyId}/revoke",
  tags: ["scim"],
  summary: "Revoke a SCIM token at once",
  description:
    "The identity provider's next request with it gets 401. Revoking a revoked token changes nothing.",
  security,
  request: { params: ScimTokenParams, headers: WriteHeaders },
  responses: {
    200: { description: "The revoked token", content: { "application/json": { schema: ScimTokenSchema } } },
    ...commonErrors,
    ...writeErrors,
  },
});

export function registerScimTokens(app: OpenAPIHono<AppEnv>) {
  app.openapi(list, async (c) => {
    const scimTokens = await listScimTokens(c.get("db"), c.get("caller").tenantId);
    return c.json({ scimTokens }, 200);
  });

  app.openapi(create, async (c) => {
    const created = await createScimToken(c.get("db"), c.get("caller").tenantId, c.req.valid("json"));
    return c.json(created, 201);
  });

  app.openapi(revoke, async (c) => {
    const { keyId } = c.req.valid("param");
    const token = await revokeScimToken(c.get("db"), c.get("caller").tenantId, keyId, new Date());
    return c.json(token, 200);
  });
}
