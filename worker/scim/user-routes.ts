// /Users: list with filter and paging, create, read, replace, patch, delete. Thin: the rules live in
// provision-users.ts (changes, through the engine) and searches.ts (lists).
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import {
  IdParams,
  ListQuery,
  ListResponseBody,
  PatchRequest,
  ProjectionQuery,
  ReadHeaders,
  ScimErrorBody,
  UserResource,
  WriteHeaders,
} from "./contract.ts";
import type { UserRecord } from "./directory.ts";
import { notModified, weakEtag } from "./etags.ts";
import { listResponse, pageOf } from "./lists.ts";
import { project } from "./projection.ts";
import {
  createUser,
  deleteUser,
  patchUser,
  readUser,
  replaceUser,
  type ScimContext,
  userContext,
} from "./provision-users.ts";
import { userSchemas } from "./schemas.ts";
import { searchUsers } from "./searches.ts";
import { type ScimEnv, scimContext, scimJson } from "./service.ts";
import { renderUser } from "./users.ts";

const security = [{ scimToken: [] }];
const tags = ["users"];
const scim = (schema: typeof UserResource | typeof ListResponseBody) => ({
  "application/scim+json": { schema },
});
const body = <S extends typeof UserResource | typeof PatchRequest>(schema: S) => ({
  required: true,
  content: { "application/scim+json": { schema }, "application/json": { schema } },
});
const error = (description: string) => ({
  description,
  content: { "application/scim+json": { schema: ScimErrorBody } },
});
const errors = {
  400: error("invalidSyntax, invalidValue, invalidFilter, invalidPath, noTarget, mutability or tooMany"),
  401: error("No valid SCIM token"),
  404: error("No such user (deleted users are gone)"),
};
const writeErrors = {
  ...errors,
  409: error("uniqueness (userName, email, externalId), or refused by the deprovisioning guard"),
  412: error("If-Match names an older version"),
};

const list = createRoute({
  method: "get",
  path: "/Users",
  tags,
  summary: "Users matching a filter, a page at a time",
  security,
  request: { query: ListQuery },
  responses: { 200: { description: "A ListResponse", content: scim(ListResponseBody) }, ...errors },
});

const create = createRoute({
  method: "post",
  path: "/Users",
  tags,
  summary: "Create a user: invited to the token's hub, at once",
  security,
  request: { body: body(UserResource) },
  responses: { 201: { description: "The user", content: scim(UserResource) }, ...writeErrors },
});

const get = createRoute({
  method: "get",
  path: "/Users/{id}",
  tags,
  summary: "One user (deactivated users too)",
  security,
  request: { params: IdParams, query: ProjectionQuery, headers: ReadHeaders },
  responses: {
    200: { description: "The user", content: scim(UserResource) },
    304: { description: "Still the version in If-None-Match" },
    ...errors,
  },
});

const replace = createRoute({
  method: "put",
  path: "/Users/{id}",
  tags,
  summary: "Replace the attributes sent; those left out are kept",
  security,
  request: { params: IdParams, headers: WriteHeaders, body: body(UserResource) },
  responses: { 200: { description: "The user", content: scim(UserResource) }, ...writeErrors },
});

const patch = createRoute({
  method: "patch",
  path: "/Users/{id}",
  tags,
  summary: "Add, replace or remove attributes (active: false deactivates)",
  security,
  request: { params: IdParams, headers: WriteHeaders, body: body(PatchRequest) },
  responses: { 200: { description: "The user", content: scim(UserResource) }, ...writeErrors },
});

const remove = createRoute({
  method: "delete",
  path: "/Users/{id}",
  tags,
  summary: "Delete a user: a soft delete, restorable for 30 days",
  security,
  request: { params: IdParams, headers: WriteHeaders },
  responses: { 204: { description: "Deleted" }, ...writeErrors },
});

async function shown(
  ctx: ScimContext,
  record: UserRecord,
  projection: { attributes?: string; excludedAttributes?: string } = {},
) {
  const uctx = await userContext(ctx.db, ctx.caller.tenantId, ctx.base);
  return project(renderUser(record, uctx), projection, userSchemas(uctx.fields));
}

function headersOf(ctx: ScimContext, record: UserRecord): Record<string, string> {
  return { ETag: weakEtag(record.member.version), Location: `${ctx.base}/Users/${record.member.id}` };
}

export function registerUserRoutes(app: OpenAPIHono<ScimEnv>) {
  app.openapi(list, async (c) => {
    const query = c.req.valid("query");
    const page = pageOf(query);
    const found = await searchUsers(scimContext(c), query.filter, page);
    const resources = found.resources.map((r) => project(r, query, found.schemas));
    return scimJson(c, listResponse(resources, found.total, page.startIndex), 200);
  });

  app.openapi(create, async (c) => {
    const ctx = scimContext(c);
    const record = await createUser(ctx, c.req.valid("json"));
    return scimJson(c, await shown(ctx, record), 201, headersOf(ctx, record));
  });

  app.openapi(get, async (c) => {
    const ctx = scimContext(c);
    const record = await readUser(ctx, c.req.valid("param").id);
    if (notModified(c.req.valid("header")["if-none-match"], weakEtag(record.member.version))) {
      return c.body(null, 304, headersOf(ctx, record));
    }
    return scimJson(c, await shown(ctx, record, c.req.valid("query")), 200, headersOf(ctx, record));
  });

  app.openapi(replace, async (c) => {
    const ctx = scimContext(c);
    const { id } = c.req.valid("param");
    const record = await replaceUser(ctx, id, c.req.valid("json"), c.req.valid("header")["if-match"]);
    return scimJson(c, await shown(ctx, record), 200, headersOf(ctx, record));
  });

  app.openapi(patch, async (c) => {
    const ctx = scimContext(c);
    const { id } = c.req.valid("param");
    const record = await patchUser(ctx, id, c.req.valid("json"), c.req.valid("header")["if-match"]);
    return scimJson(c, await shown(ctx, record), 200, headersOf(ctx, record));
  });

  app.openapi(remove, async (c) => {
    await deleteUser(scimContext(c), c.req.valid("param").id, c.req.valid("header")["if-match"]);
    return c.body(null, 204);
  });
}
