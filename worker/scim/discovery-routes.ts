// GET /ServiceProviderConfig, /ResourceTypes[/{id}], /Schemas[/{id}]: what this service supports.
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { Discovery, IdParams, ListResponseBody, ScimErrorBody } from "./contract.ts";
import { resourceTypes, schemaResources, serviceProviderConfig } from "./discovery.ts";
import { notFound } from "./errors.ts";
import { listResponse } from "./lists.ts";
import { userContext } from "./provision-users.ts";
import { GROUP_SCHEMAS, userSchemas } from "./schemas.ts";
import { type ScimEnv, scimContext, scimJson } from "./service.ts";

const security = [{ scimToken: [] }];
const scimContent = (schema: typeof Discovery | typeof ListResponseBody) => ({
  "application/scim+json": { schema },
});
const errors = {
  401: {
    description: "No valid SCIM token",
    content: { "application/scim+json": { schema: ScimErrorBody } },
  },
  404: {
    description: "No such resource type or schema",
    content: { "application/scim+json": { schema: ScimErrorBody } },
  },
};

const config = createRoute({
  method: "get",
  path: "/ServiceProviderConfig",
  tags: ["discovery"],
  summary: "The SCIM features this service provider supports",
  security,
  responses: { 200: { description: "The configuration", content: scimContent(Discovery) }, ...errors },
});

const types = createRoute({
  method: "get",
  path: "/ResourceTypes",
  tags: ["discovery"],
  summary: "The resource types: User and Group",
  security,
  responses: {
    200: { description: "Both resource types", content: scimContent(ListResponseBody) },
    ...errors,
  },
});

const type = createRoute({
  method: "get",
  path: "/ResourceTypes/{id}",
  tags: ["discovery"],
  summary: "One resource type",
  security,
  request: { params: IdParams },
  responses: { 200: { description: "The resource type", content: scimContent(Discovery) }, ...errors },
});

const schemas = createRoute({
  method: "get",
  path: "/Schemas",
  tags: ["discovery"],
  summary: "The schemas, with the tenant's segments as an extension",
  security,
  responses: { 200: { description: "Every schema", content: scimContent(ListResponseBody) }, ...errors },
});

const schema = createRoute({
  method: "get",
  path: "/Schemas/{id}",
  tags: ["discovery"],
  summary: "One schema, by its URN",
  security,
  request: { params: IdParams },
  responses: { 200: { description: "The schema", content: scimContent(Discovery) }, ...errors },
});

export function registerDiscoveryRoutes(app: OpenAPIHono<ScimEnv>) {
  app.openapi(config, (c) => scimJson(c, serviceProviderConfig(scimContext(c).base), 200));

  app.openapi(types, (c) => {
    const all = resourceTypes(scimContext(c).base);
    return scimJson(c, listResponse(all, all.length, 1), 200);
  });

  app.openapi(type, (c) => {
    const { id } = c.req.valid("param");
    const found = resourceTypes(scimContext(c).base).find((t) => t.id === id);
    if (!found) throw notFound(`No resource type ${id}.`);
    return scimJson(c, found, 200);
  });

  app.openapi(schemas, async (c) => {
    const all = await tenantSchemas(c);
    return scimJson(c, listResponse(all, all.length, 1), 200);
  });

  app.openapi(schema, async (c) => {
    const { id } = c.req.valid("param");
    const found = (await tenantSchemas(c)).find((s) => s.id.toLowerCase() === id.toLowerCase());
    if (!found) throw notFound(`No schema ${id}.`);
    return scimJson(c, found, 200);
  });
}

async function tenantSchemas(c: Context<ScimEnv>) {
  const ctx = scimContext(c);
  const users = await userContext(ctx.db, ctx.caller.tenantId, ctx.base);
  return schemaResources(ctx.base, userSchemas(users.fields), GROUP_SCHEMAS);
}
