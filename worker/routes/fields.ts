import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { commonErrors, problem } from "../contract/common.ts";
import {
  Field,
  FieldInput,
  FieldList,
  FieldParams,
  OptionsInput,
  OptionsResult,
} from "../contract/fields.ts";
import { rateLimited, WriteHeaders, writeErrors } from "../contract/guards.ts";
import { slugify } from "../engine/fold.ts";
import { isCoreField } from "../engine/mapping.ts";
import type { AppEnv } from "../env.ts";
import { AppError } from "../errors.ts";
import { addOptions, createCustomField, listCustomFields } from "../store/custom-fields.ts";

const security = [{ bearer: [] }];

const list = createRoute({
  method: "get",
  path: "/v1/fields",
  tags: ["fields"],
  summary: "The tenant's segments and roles, with their options",
  security,
  responses: {
    200: { description: "The fields", content: { "application/json": { schema: FieldList } } },
    ...commonErrors,
    ...rateLimited,
  },
});

const create = createRoute({
  method: "post",
  path: "/v1/fields",
  tags: ["fields"],
  summary: "Create a segment or role, optionally with its options",
  security,
  request: {
    headers: WriteHeaders,
    body: { required: true, content: { "application/json": { schema: FieldInput } } },
  },
  responses: {
    201: { description: "The new field", content: { "application/json": { schema: Field } } },
    ...commonErrors,
    ...writeErrors,
    422: problem("The key is a core field's name"),
  },
});

const options = createRoute({
  method: "post",
  path: "/v1/fields/{fieldKey}/options",
  tags: ["fields"],
  summary: "Add options from a pasted column, ignoring repeats and existing options",
  description:
    "Values are trimmed; two values are the same option when they differ only in case, accents, punctuation or " +
    "word order (`Sales & Marketing` ≡ `marketing, sales`).",
  security,
  request: {
    params: FieldParams,
    headers: WriteHeaders,
    body: { required: true, content: { "application/json": { schema: OptionsInput } } },
  },
  responses: {
    200: {
      description: "What was added and what matched",
      content: { "application/json": { schema: OptionsResult } },
    },
    ...commonErrors,
    ...writeErrors,
  },
});

export function registerFields(app: OpenAPIHono<AppEnv>) {
  app.openapi(list, async (c) => {
    const fields = await listCustomFields(c.get("db"), c.get("caller").tenantId);
    return c.json({ fields }, 200);
  });

  app.openapi(create, async (c) => {
    const { options: values, ...input } = c.req.valid("json");
    const key = input.key ?? slugify(input.label);
    if (!key || !/^[a-z0-9][a-z0-9-]{0,63}$/.test(key)) {
      throw new AppError("invalid_request", "The label gives no usable key; send one.", [
        { field: "json.key", message: "Lower-case letters and digits joined by '-'." },
      ]);
    }
    if (isCoreField(key) || isCoreField(camel(key))) {
      throw new AppError("unprocessable", `"${key}" is a core field; a segment or role needs another key.`, [
        { field: "json.key", message: "Choose a key that is not a core field." },
      ]);
    }
    const field = await createCustomField(c.get("db"), c.get("caller").tenantId, { ...input, key }, values);
    return c.json(field, 201);
  });

  app.openapi(options, async (c) => {
    const result = await addOptions(
      c.get("db"),
      c.get("caller").tenantId,
      c.req.valid("param").fieldKey,
      c.req.valid("json").options,
    );
    return c.json(result, 200);
  });
}

/** `job-title` → `jobTitle`, to catch keys that spell a core field. */
function camel(key: string): string {
  return key.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
