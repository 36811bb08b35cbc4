// The SCIM service's contract: request and response shapes for its own OpenAPI document
// (/scim/v2/openapi.json). SCIM resources are open-ended (identity providers send attributes we do
// not keep, which are ignored), so bodies are validated as objects here and read attribute by
// attribute in users.ts / groups.ts / patch.ts, which answer in SCIM's error terms.
import { z } from "@hono/zod-openapi";
import { ERROR_SCHEMA } from "./errors.ts";
import { CORE_GROUP, CORE_USER, ENTERPRISE_USER, LIST_RESPONSE, PATCH_OP } from "./schemas.ts";

export const ScimErrorBody = z
  .object({
    schemas: z.array(z.literal(ERROR_SCHEMA)),
    status: z.string().openapi({ description: "The HTTP status, as a string." }),
    scimType: z
      .enum([
        "invalidFilter",
        "tooMany",
        "uniqueness",
        "mutability",
        "invalidSyntax",
        "invalidPath",
        "noTarget",
        "invalidValue",
      ])
      .optional(),
    detail: z.string(),
  })
  .openapi("ScimError");

export const UserResource = z.looseObject({ schemas: z.array(z.string()).optional() }).openapi("ScimUser", {
  description: "A User: core, Enterprise User and the tenant's segments extension (see /Schemas).",
  example: {
    schemas: [CORE_USER, ENTERPRISE_USER],
    externalId: "E1024",
    userName: "ada@acme.test",
    name: { givenName: "Ada", familyName: "Lovelace" },
    emails: [{ value: "ada@acme.test", type: "work", primary: true }],
    title: "Engineer",
    active: true,
    [ENTERPRISE_USER]: { department: "R&D" },
  },
});

export const GroupResource = z.looseObject({ schemas: z.array(z.string()).optional() }).openapi("ScimGroup", {
  description: "A Group: a hub and its members.",
  example: {
    schemas: [CORE_GROUP],
    displayName: "Mentoring",
    members: [{ value: "2819c223-7f76-453a-919d-413861904646" }],
  },
});

export const PatchRequest = z
  .looseObject({
    schemas: z.array(z.string()).optional(),
    Operations: z.array(z.unknown()).optional(),
  })
  .openapi("ScimPatchOp", {
    example: {
      schemas: [PATCH_OP],
      Operations: [{ op: "replace", path: "active", value: false }],
    },
  });

export const ListResponseBody = z
  .object({
    schemas: z.array(z.literal(LIST_RESPONSE)),
    totalResults: z.number().int(),
    startIndex: z.number().int(),
    itemsPerPage: z.number().int(),
    Resources: z.array(z.record(z.string(), z.unknown())),
  })
  .openapi("ScimListResponse");

export const Discovery = z.record(z.string(), z.unknown()).openapi("ScimDiscovery");

export const ListQuery = z.object({
  filter: z.string().optional().openapi({ description: 'e.g. `userName eq "ada@acme.test"`' }),
  startIndex: z
    .string()
    .optional()
    .openapi({ description: "1-based index of the first result (default 1)." }),
  count: z.string().optional().openapi({ description: "Results per page (default and maximum 200)." }),
  attributes: z.string().optional(),
  excludedAttributes: z.string().optional(),
});

export const ProjectionQuery = ListQuery.pick({ attributes: true, excludedAttributes: true });

export const IdParams = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" } }) });

export const WriteHeaders = z.object({
  "if-match": z
    .string()
    .optional()
    .openapi({
      param: { name: "if-match", in: "header" },
      description: "The ETag the change is based on; 412 when the resource has moved on.",
    }),
});

export const ReadHeaders = z.object({
  "if-none-match": z
    .string()
    .optional()
    .openapi({
      param: { name: "if-none-match", in: "header" },
      description: "304 when it is still this ETag.",
    }),
});
