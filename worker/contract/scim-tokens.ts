// SCIM tokens: what an identity provider (Okta, Entra) calls /scim/v2 with. Created by an admin,
// shown once, listed without their secret part, revoked at once. Separate from API keys.
import { z } from "@hono/zod-openapi";

export const ScimToken = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ description: "The token's first characters, to tell tokens apart." }),
    hubId: z.string().openapi({ description: "The hub users created through this token are invited to." }),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .openapi("ScimToken");

export const ScimTokenList = z.object({ scimTokens: z.array(ScimToken) }).openapi("ScimTokenList");

export const ScimTokenInput = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    hubId: z.string().min(1).openapi({ description: "The hub users created through SCIM are invited to." }),
  })
  .openapi("ScimTokenInput", {
    example: { name: "Okta", hubId: "6f0c1a52-7d0e-4b7e-9a39-1c2b3d4e5f60" },
  });

export const ScimTokenCreated = ScimToken.extend({
  token: z.string().openapi({
    description:
      "The bearer token for the identity provider's SCIM settings (base URL `/scim/v2`). Shown this once: only its hash is kept.",
  }),
}).openapi("ScimTokenCreated");

// Named like an API key's id: a SCIM token is the identity provider's key.
export const ScimTokenParams = z.object({
  keyId: z.string().openapi({ param: { name: "keyId", in: "path" } }),
});
