import { createRoute, type OpenAPIHono, type z } from "@hono/zod-openapi";
import { commonErrors } from "../contract/common.ts";
import { rateLimited, WriteHeaders, writeErrors } from "../contract/guards.ts";
import { WebhookCreated, WebhookInput, WebhookList, WebhookParams } from "../contract/webhooks.ts";
import { signingKeyOf, webhookSecret } from "../derived-secrets.ts";
import type { AppEnv } from "../env.ts";
import { AppError } from "../errors.ts";
import { createWebhook, deleteWebhook, listWebhooks } from "../store/webhooks.ts";

const security = [{ bearer: [] }];

const list = createRoute({
  method: "get",
  path: "/v1/webhooks",
  tags: ["webhooks"],
  summary: "The tenant's webhook endpoints",
  security,
  responses: {
    200: { description: "The endpoints", content: { "application/json": { schema: WebhookList } } },
    ...commonErrors,
    ...rateLimited,
  },
});

const create = createRoute({
  method: "post",
  path: "/v1/webhooks",
  tags: ["webhooks"],
  summary: "Add an endpoint for member.* and plan.* events; its signing secret is in this answer only",
  description:
    "Events are delivered from the outbox with retries (exponential back-off, about an hour in all), at least " +
    "once: dedupe by the event's `id`. Each delivery is signed: `X-Signature: t=<unix>,v1=<hex>`, HMAC-SHA256 " +
    "over `<t>.<raw body>` with the secret.",
  security,
  request: {
    headers: WriteHeaders,
    body: { required: true, content: { "application/json": { schema: WebhookInput } } },
  },
  responses: {
    201: {
      description: "The endpoint and its secret",
      content: { "application/json": { schema: WebhookCreated } },
    },
    ...commonErrors,
    ...writeErrors,
  },
});

const remove = createRoute({
  method: "delete",
  path: "/v1/webhooks/{webhookId}",
  tags: ["webhooks"],
  summary: "Remove an endpoint; events still queued for it are dropped",
  security,
  request: { params: WebhookParams, headers: WriteHeaders },
  responses: {
    204: { description: "Removed" },
    ...commonErrors,
    ...writeErrors,
  },
});

export function registerWebhooks(app: OpenAPIHono<AppEnv>) {
  app.openapi(list, async (c) => {
    const webhooks = await listWebhooks(c.get("db"), c.get("caller").tenantId);
    return c.json({ webhooks: webhooks.map(webhookBody) }, 200);
  });

  app.openapi(create, async (c) => {
    const { url, events, description } = c.req.valid("json");
    checkUrl(url, c.env.ENVIRONMENT === "development");
    const { tenantId } = c.get("caller");
    const row = await createWebhook(c.get("db"), tenantId, { url, events, description: description ?? null });
    const secret = await webhookSecret(signingKeyOf(c.env), tenantId, row.id);
    return c.json({ ...webhookBody(row), secret }, 201);
  });

  app.openapi(remove, async (c) => {
    await deleteWebhook(c.get("db"), c.get("caller").tenantId, c.req.valid("param").webhookId);
    return c.body(null, 204);
  });
}

/** HTTPS only; a local receiver on 127.0.0.1 is allowed in development, for trying things out. */
function checkUrl(url: string, development: boolean) {
  const parsed = new URL(url);
  if (parsed.protocol === "https:") return;
  if (development && parsed.protocol === "http:" && parsed.hostname === "127.0.0.1") return;
  throw new AppError("invalid_request", "A webhook URL must use https.", [
    {
      field: "json.url",
      message: development ? "https, or http://127.0.0.1 in development." : "https only.",
    },
  ]);
}

function webhookBody(
  row: Awaited<ReturnType<typeof listWebhooks>>[number],
): z.infer<typeof WebhookList>["webhooks"][number] {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    description: row.description,
    createdAt: row.createdAt,
  };
}
