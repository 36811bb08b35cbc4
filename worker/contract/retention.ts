// Restoring a member deleted from the tenant, within the restore window.
import { z } from "@hono/zod-openapi";
import { MEMBER_STATUSES } from "../../db/schema.ts";

export const RestoredMember = z
  .object({
    id: z.string(),
    email: z.string(),
    status: z.enum(MEMBER_STATUSES).openapi({ description: "The status the member had before the delete." }),
    deletedAt: z.string().nullable(),
    version: z.number().int(),
  })
  .openapi("RestoredMember");
