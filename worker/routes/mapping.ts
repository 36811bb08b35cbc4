import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { commonErrors, problem } from "../contract/common.ts";
import { HubParams } from "../contract/hubs.ts";
import { Mapping, MappingInput, SuggestionRequest, Suggestions } from "../contract/mapping.ts";
import { suggestColumns, suggestValues } from "../engine/automap.ts";
import { mappingProblems } from "../engine/mapping.ts";
import type { AppEnv } from "../env.ts";
import { AppError } from "../errors.ts";
import { listFields } from "../store/fields.ts";
import { latestMapping, saveMapping } from "../store/mappings.ts";
import { getHub } from "../store/tenants.ts";

const security = [{ bearer: [] }];
const mappingJson = { "application/json": { schema: Mapping } };

const get = createRoute({
  method: "get",
  path: "/v1/hubs/{hubId}/mapping",
  tags: ["mapping"],
  summary: "The hub's current data mapping table",
  security,
  request: { params: HubParams },
  responses: { 200: { description: "The latest version", content: mappingJson }, ...commonErrors },
});

const replace = createRoute({
  method: "put",
  path: "/v1/hubs/{hubId}/mapping",
  tags: ["mapping"],
  summary: "Save a new version of the mapping table",
  description: "Every save is a new version; plans record the version they used.",
  security,
  request: {
    params: HubParams,
    body: { required: true, content: { "application/json": { schema: MappingInput } } },
  },
  responses: {
    200: { description: "The saved version", content: mappingJson },
    ...commonErrors,
    409: problem("Saved by someone else at the same time"),
    422: problem("The table is inconsistent (unknown field, a field fed twice, no email)"),
  },
});

const suggest = createRoute({
  method: "post",
  path: "/v1/hubs/{hubId}/mapping/suggestions",
  tags: ["mapping"],
  summary: "Auto-map: propose a field for each column and an option for each value",
  security,
  request: {
    params: HubParams,
    body: { required: true, content: { "application/json": { schema: SuggestionRequest } } },
  },
  responses: {
    200: {
      description: "One suggestion per column",
      content: { "application/json": { schema: Suggestions } },
    },
    ...commonErrors,
  },
});

export function registerMapping(app: OpenAPIHono<AppEnv>) {
  app.openapi(get, async (c) => {
    const { tenantId } = c.get("caller");
    const hub = await getHub(c.get("db"), tenantId, c.req.valid("param").hubId);
    const mapping = await latestMapping(c.get("db"), tenantId, hub.id);
    if (!mapping)
      throw new AppError("not_found", "This hub has no mapping yet: import an export or save one.");
    return c.json(mappingBody(mapping), 200);
  });

  app.openapi(replace, async (c) => {
    const { tenantId, keyId } = c.get("caller");
    const hub = await getHub(c.get("db"), tenantId, c.req.valid("param").hubId);
    const { columns } = c.req.valid("json");
    const problems = mappingProblems(columns);
    if (problems.length)
      throw new AppError("unprocessable", "The mapping table is not consistent; see `errors`.", problems);
    const saved = await saveMapping(c.get("db"), tenantId, hub.id, columns, `api_key:${keyId}`);
    return c.json(mappingBody(saved), 200);
  });

  app.openapi(suggest, async (c) => {
    const { tenantId } = c.get("caller");
    await getHub(c.get("db"), tenantId, c.req.valid("param").hubId);
    const { columns, rows } = c.req.valid("json");
    const fields = await listFields(c.get("db"), tenantId);
    const suggestions = suggestColumns(columns, rows, fields).map((s) => {
      if (s.kind === "core" || s.field === null) return s;
      const index = columns.indexOf(s.column);
      const options = fields.find((f) => f.key === s.field)?.options ?? [];
      return {
        ...s,
        values: suggestValues(
          rows.map((r) => r[index] ?? ""),
          options,
        ),
      };
    });
    return c.json({ columns: suggestions }, 200);
  });
}

function mappingBody(m: NonNullable<Awaited<ReturnType<typeof latestMapping>>>) {
  return { version: m.version, columns: m.columns, createdBy: m.createdBy, createdAt: m.createdAt };
}
