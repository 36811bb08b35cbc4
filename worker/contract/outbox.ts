// The local outbox (development only): the emails the worker queued, as they would be sent.
import { z } from "@hono/zod-openapi";

export const OutboxQuery = z.object({
  recipient: z.string().optional(),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const OutboxMessage = z
  .object({
    id: z.string(),
    recipient: z.string(),
    subject: z.string().nullable(),
    text: z.string().nullable(),
    html: z.string().nullable(),
    status: z.enum(["queued", "sent", "failed"]),
    attempts: z.number().int(),
    createdAt: z.string(),
    sentAt: z.string().nullable(),
  })
  .openapi("OutboxMessage");

export const OutboxPage = z
  .object({
    messages: z.array(OutboxMessage),
    nextCursor: z.string().nullable(),
  })
  .openapi("OutboxPage");
