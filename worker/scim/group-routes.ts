// /Groups (hubs): list with filter and paging, create, read, replace, patch (members join and
// leave), and a refused delete. Thin: the rules live in provision-groups.ts.
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import {
  GroupResource,
  IdParams,
  ListQuery,
  ListResponseBody,
  PatchRequest,
  ProjectionQuery,
  ReadHeaders,
  ScimErrorBody,
  WriteHeaders,
} from "./contract.ts";
import { notModified } from "./etags.ts";
import { groupEtag, renderGroup } from "./groups.ts";
import { listResponse, pageOf } from "./lists.ts";
import { project } from "./projection.ts";
import {
  createGroup,
  deleteGroup,
  type GroupView,
  patchGroup,
  readGroup,
  replaceGroup,
} from "./provision-groups.ts";
import type { ScimContext } from "./provision-users.ts";
import { GROUP_SCHEMAS } from "./schemas.ts";
import { searchGroups } from "./searches.ts";
import { type ScimEnv, scimContext, scimJson } from "./service.ts";

const security = [{ scimToken: [] }];
const tags = ["groups"];
const scim = (schema: typeof GroupResource | typeof ListResponseBody) => ({
  "application/scim+json": { schema },
});
const body = <S extends typeof GroupResource | typeof PatchRequest>(schema: S) => ({
  required: true,
  content: { "application/scim+json": { schema }, "application/json": { schema } },
});
const error = (description: string) => ({
  description,
  content: { "application/scim+json": { schema: ScimErrorBody } },
});
const errors = {
  400: error("invalidSyntax, invalidValue, invalidFilter, invalidPath, noTarget or tooMany"),
  401: error("No valid SCIM token"),
  404: error("No such group"),
};
const writeErrors = {
  ...errors,
  409: error("uniqueness (displayName), or refused by the deprovisioning guard"),
  412: error("If-Match names an older version"),
};

const list = createRoute({
  method: "get",
  path: "/Groups",
  tags,
  summary: "Groups (hubs) matching a filter, a page at a time",
  security,
  request: { query: ListQuery },
  responses: { 200: { description: "A ListResponse", content: scim(ListResponseBody) }, ...errors },
});

const create = createRoute({
  method: "post",
  path: "/Groups",
  tags,
  summary: "Create a group: a new hub, its members joining it",
  security,
  request: { body: body(GroupResource) },
  responses: { 201: { description: "The group", content: scim(GroupResource) }, ...writeErrors },
});

const get = createRoute({
  method: "get",
  path: "/Groups/{id}",
  tags,
  summary: "One group and its members",
  security,
  request: { params: IdParams, query: ProjectionQuery, headers: ReadHeaders },
  responses: {
    200: { description: "The group", content: scim(GroupResource) },
    304: { description: "Still the version in If-None-Match" },
    ...errors,
  },
});

const replace = createRoute({
  method: "put",
  path: "/Groups/{id}",
  tags,
  summary: "Replace the name and, when sent, the members",
  security,
  request: { params: IdParams, headers: WriteHeaders, body: body(GroupResource) },
  responses: { 200: { description: "The group", content: scim(GroupResource) }, ...writeErrors },
});

const patch = createRoute({
  method: "patch",
  path: "/Groups/{id}",
  tags,
  summary: "Rename, add members (they join the hub), remove members (they leave it)",
  security,
  request: { params: IdParams, headers: WriteHeaders, body: body(PatchRequest) },
  responses: { 204: { description: "Changed" }, ...writeErrors },
});

const remove = createRoute({
  method: "delete",
  path: "/Groups/{id}",
  tags,
  summary: "Refused: hubs are deleted by an admin on the platform",
  security,
  request: { params: IdParams },
  responses: { 403: error("Hubs are not deleted through SCIM"), ...errors },
});

function shown(
  ctx: ScimContext,
  view: GroupView,
  projection: { attributes?: string; excludedAttributes?: string } = {},
) {
  return project(renderGroup(view.hub, view.members, ctx.base), projection, GROUP_SCHEMAS);
}

function headersOf(ctx: ScimContext, view: GroupView): Record<string, string> {
  return { ETag: groupEtag(view.hub, view.members), Location: `${ctx.base}/Groups/${view.hub.id}` };
}

export function registerGroupRoutes(app: OpenAPIHono<ScimEnv>) {
  app.openapi(list, async (c) => {
    const query = c.req.valid("query");
    const page = pageOf(query);
    const found = await searchGroups(scimContext(c), query.filter, page);
    const resources = found.resources.map((r) => project(r, query, found.schemas));
    return scimJson(c, listResponse(resources, found.total, page.startIndex), 200);
  });

  app.openapi(create, async (c) => {
    const ctx = scimContext(c);
    const view = await createGroup(ctx, c.req.valid("json"));
    return scimJson(c, shown(ctx, view), 201, headersOf(ctx, view));
  });

  app.openapi(get, async (c) => {
    const ctx = scimContext(c);
    const view = await readGroup(ctx, c.req.valid("param").id);
    if (notModified(c.req.valid("header")["if-none-match"], groupEtag(view.hub, view.members))) {
      return c.body(null, 304, headersOf(ctx, view));
    }
    return scimJson(c, shown(ctx, view, c.req.valid("query")), 200, headersOf(ctx, view));
  });

  app.openapi(replace, async (c) => {
    const ctx = scimContext(c);
    const { id } = c.req.valid("param");
    const view = await replaceGroup(ctx, id, c.req.valid("json"), c.req.valid("header")["if-match"]);
    return scimJson(c, shown(ctx, view), 200, headersOf(ctx, view));
  });

  // 204: a hub's member list can be long, and Okta and Entra read nothing back from a group PATCH.
  app.openapi(patch, async (c) => {
    const ctx = scimContext(c);
    const { id } = c.req.valid("param");
    const view = await patchGroup(ctx, id, c.req.valid("json"), c.req.valid("header")["if-match"]);
    return c.body(null, 204, headersOf(ctx, view));
  });

  app.openapi(remove, async (c) => {
    await readGroup(scimContext(c), c.req.valid("param").id);
    return deleteGroup();
  });
}
