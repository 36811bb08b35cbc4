// Invitations: the public accept step, re-send and revoke for admins, and the tenant's email template.
import { z } from "@hono/zod-openapi";

export const MemberParams = z.object({
  memberId: z.string().openapi({ param: { name: "memberId", in: "path" } }),
});

export const AcceptRequest = z
  .strictObject({
    token: z
      .string()
      .min(1)
      .max(200)
      .openapi({ description: "The `token` of the link in the invitation email." }),
  })
  .openapi("AcceptRequest");

export const AcceptResult = z
  .object({
    status: z.literal("accepted"),
    memberId: z.string(),
    message: z.string(),
  })
  .openapi("AcceptResult");

export const Invitation = z
  .object({
    id: z.string(),
    memberId: z.string(),
    hubId: z.string(),
    actionId: z
      .string()
      .nullable()
      .openapi({ description: "The plan action that invited; null for a re-send." }),
    status: z.enum(["pending", "accepted", "revoked", "expired"]),
    expiresAt: z.string(),
    acceptedAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("Invitation");

export const InvitationResult = z
  .object({
    invitation: Invitation.nullable().openapi({ description: "The member's latest invitation." }),
    replayed: z
      .boolean()
      .openapi({ description: "True when this Idempotency-Key was used before: nothing new was sent." }),
  })
  .openapi("InvitationResult");

export const ResendHeaders = z.object({
  "idempotency-key": z
    .string()
    .min(1)
    .max(200)
    .optional()
    .openapi({ description: "Retrying with the same key re-sends once." }),
});

export const InviteTemplate = z
  .strictObject({
    subject: z.string().min(1).max(300),
    text: z.string().min(1).max(20_000),
    html: z.string().min(1).max(100_000),
  })
  .openapi("InviteTemplate", {
    description:
      "Placeholders: {{tenantName}} {{hubName}} {{name}} {{acceptUrl}}. Values are HTML-escaped in `html`; `text` and `html` must contain {{acceptUrl}}.",
  });

export const InviteTemplateView = z
  .object({
    template: InviteTemplate,
    custom: z.boolean().openapi({ description: "False: the built-in template is in use." }),
  })
  .openapi("InviteTemplateView");

export type InvitationBody = z.infer<typeof Invitation>;
