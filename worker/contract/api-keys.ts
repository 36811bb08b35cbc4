// API keys: created by an admin, shown once, listed without their secret part, revoked at once.
import { z } from "@hono/zod-openapi";

export const ApiKeyRole = z
  .enum(["admin", "read"])
  .openapi({ description: "`admin` may change things; `read` may only read." });

export const ApiKey = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ description: "The key's first characters, to tell keys apart." }),
    role: ApiKeyRole,
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .openapi("ApiKey");

export const ApiKeyList = z.object({ apiKeys: z.array(ApiKey) }).openapi("ApiKeyList");

export const ApiKeyInput = z
  .strictObject({ name: z.string().trim().min(1).max(100), role: ApiKeyRole })
  .openapi("ApiKeyInput", { example: { name: "HRIS nightly job", role: "read" } });

export const ApiKeyCreated = ApiKey.extend({
  key: z.string().openapi({ description: "The key itself. Shown this once: only its hash is kept." }),
}).openapi("ApiKeyCreated");

export const ApiKeyParams = z.object({ keyId: z.string().openapi({ param: { name: "keyId", in: "path" } }) });
