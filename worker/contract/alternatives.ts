// Choosing another kind for an action that offers alternatives (a member absent from a full export).
import { z } from "@hono/zod-openapi";

/** What an absent member's action may be: deactivate (proposed), or one of the deletes. */
export const DEPROVISION_KINDS = ["deactivate", "delete_from_hub", "delete_from_tenant"] as const;
export type DeprovisionKind = (typeof DEPROVISION_KINDS)[number];

export const ActionParams = z.object({
  planId: z.string().openapi({ param: { name: "planId", in: "path" } }),
  actionId: z.string().openapi({ param: { name: "actionId", in: "path" } }),
});

export const KindChoice = z.strictObject({ kind: z.enum(DEPROVISION_KINDS) }).openapi("KindChoice");
