// The audit log as the API shows it: newest first, filterable by member and time.
import { z } from "@hono/zod-openapi";
import { ACTOR_TYPES } from "../../db/schema.ts";

const instant = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), "Use an ISO 8601 date or date-time.")
  .transform((v) => new Date(v).toISOString());

export const AuditQuery = z.object({
  memberId: z.string().optional(),
  from: instant.optional().openapi({ description: "Entries at or after this time (ISO 8601)." }),
  to: instant.optional().openapi({ description: "Entries before this time (ISO 8601)." }),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const AuditEntry = z
  .object({
    id: z.number().int(),
    actorType: z.enum(ACTOR_TYPES),
    actorId: z.string().nullable(),
    actionId: z
      .string()
      .nullable()
      .openapi({ description: "The plan action that made the change; null for member-level API changes." }),
    approvedBy: z.string().nullable().openapi({ description: "Who approved that plan action." }),
    memberId: z.string().nullable(),
    change: z.string().openapi({
      description:
        "An action kind (invite, update, deactivate…) or invitation_accept, invitation_resend, invitation_revoke, restore, purge.",
    }),
    before: z.record(z.string(), z.unknown()).nullable(),
    after: z.record(z.string(), z.unknown()).nullable(),
    at: z.string(),
  })
  .openapi("AuditEntry");

export const AuditPage = z
  .object({
    entries: z.array(AuditEntry),
    nextCursor: z
      .string()
      .nullable()
      .openapi({ description: "Pass as `cursor` for older entries; null at the end." }),
  })
  .openapi("AuditPage");
