// Outgoing webhooks: endpoints that receive signed `member.*` and `plan.*` events.
import { z } from "@hono/zod-openapi";
import { WEBHOOK_SUBSCRIPTIONS } from "../webhook-events.ts";

export const Webhook = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    description: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("Webhook");

export const WebhookList = z.object({ webhooks: z.array(Webhook) }).openapi("WebhookList");

export const WebhookInput = z
  .strictObject({
    url: z.url().max(2000).openapi({ description: "HTTPS only." }),
    events: z.array(z.enum(WEBHOOK_SUBSCRIPTIONS)).min(1).max(WEBHOOK_SUBSCRIPTIONS.length),
    description: z.string().trim().max(200).optional(),
  })
  .openapi("WebhookInput", {
    example: { url: "https://hooks.example.com/profile-sync", events: ["member.*", "plan.executed"] },
  });

export const WebhookCreated = Webhook.extend({
  secret: z.string().openapi({
    description:
      "Verify deliveries with it: `X-Signature: t=<unix>,v1=<hex>` is HMAC-SHA256 over `<t>.<raw body>`. Shown this once.",
  }),
}).openapi("WebhookCreated");

export const WebhookParams = z.object({
  webhookId: z.string().openapi({ param: { name: "webhookId", in: "path" } }),
});
