import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { commonErrors, problem } from "../contract/common.ts";
import { EventResult, EventSecret, EventSecretInput, HrisEvent } from "../contract/events.ts";
import { WriteHeaders, writeErrors } from "../contract/guards.ts";
import { eventSecret, signingKeyOf } from "../derived-secrets.ts";
import type { AppEnv } from "../env.ts";
import { AppError } from "../errors.ts";
import { receiveHrisEvent } from "../hris-events.ts";
import { verifySignature } from "../signatures.ts";
import { rotateEventSecret } from "../store/event-secrets.ts";
import { planBody } from "./plans.ts";

// An event is one person: its execution is one small batch, well inside a request.
const EVENT_BUDGET_MS = 10_000;

const security = [{ bearer: [] }];

const receive = createRoute({
  method: "post",
  path: "/v1/events",
  tags: ["events"],
  summary: "Receive an HRIS event: plan the one-person change, auto-apply what the policy allows",
  description:
    "Needs an admin API key (it says which tenant) and a signature (it proves the HRIS sent this body now): " +
    "`X-Signature: t=<unix seconds>,v1=<hex>`, HMAC-SHA256 over `<t>.<raw body>` with the tenant's event secret " +
    "(POST /v1/events/secret). Timestamps more than 5 minutes away are refused; several `v1` may be sent while " +
    "the sender rotates. An event id seen before is answered with `duplicate: true` and the first delivery's " +
    "plan, and nothing runs again. The event becomes a partial import (it never deactivates anyone else); " +
    "`deactivated` plans a deactivation and `deleted` a deletion from the tenant. Action kinds in the tenant's " +
    "`autoApply` setting are approved and executed at once; the rest wait for approval.",
  security,
  request: {
    headers: WriteHeaders,
    body: { required: true, content: { "application/json": { schema: HrisEvent } } },
  },
  responses: {
    200: {
      description: "The event's plan and its actions, or `duplicate: true` for a redelivery",
      content: { "application/json": { schema: EventResult } },
    },
    ...commonErrors,
    401: problem("No valid API key, or the signature is missing, stale or wrong"),
    ...writeErrors,
    422: problem("The event names a field or person the tenant does not have"),
  },
});

const rotate = createRoute({
  method: "post",
  path: "/v1/events/secret",
  tags: ["events"],
  summary: "Create or rotate the tenant's event signing secret; shown in this answer only",
  description:
    "The secret is derived from the deployment's key, the tenant and a generation number, so it is never stored. " +
    "Rotating makes a new generation; the previous one still verifies for `keepPreviousForHours`.",
  security,
  request: {
    headers: WriteHeaders,
    body: { required: false, content: { "application/json": { schema: EventSecretInput } } },
  },
  responses: {
    201: { description: "The new secret", content: { "application/json": { schema: EventSecret } } },
    ...commonErrors,
    ...writeErrors,
  },
});

export function registerEvents(app: OpenAPIHono<AppEnv>) {
  app.openapi(receive, async (c) => {
    const { tenantId, eventSecrets: generations } = c.get("caller");
    const db = c.get("db");
    const now = new Date();
    const masterKey = signingKeyOf(c.env);
    if (!generations) {
      throw new AppError(
        "invalid_signature",
        "This tenant has no event secret yet: create one with POST /v1/events/secret and sign events with it.",
      );
    }
    const secrets = await Promise.all(
      [generations.current, generations.previous]
        .filter((g): g is number => g !== null)
        .map((g) => eventSecret(masterKey, tenantId, g)),
    );
    // The signature covers the bytes as sent, not their parsed form.
    const raw = new Uint8Array(await c.req.arrayBuffer());
    const verdict = await verifySignature(c.req.header("x-signature"), raw, secrets, now);
    if (!verdict.ok) {
      throw new AppError("invalid_signature", verdict.message, [
        { field: "header.x-signature", message: verdict.reason },
      ]);
    }
    const event = c.req.valid("json");
    const receipt = await receiveHrisEvent(db, tenantId, event, {
      acceptUrl: `${new URL(c.req.url).origin}/invitations/accept?token=`,
      now,
      budgetMs: EVENT_BUDGET_MS,
    });
    if (!receipt.announces) c.set("nothingAnnounced", true);
    const plan = receipt.plan && planBody(receipt.plan);
    return c.json({ eventId: event.id, duplicate: receipt.duplicate, plan, actions: receipt.actions }, 200);
  });

  app.openapi(rotate, async (c) => {
    const { tenantId } = c.get("caller");
    const body = EventSecretInput.parse(c.req.valid("json") ?? {});
    const rotated = await rotateEventSecret(c.get("db"), tenantId, body.keepPreviousForHours, new Date());
    const secret = await eventSecret(signingKeyOf(c.env), tenantId, rotated.generation);
    return c.json({ secret, ...rotated }, 201);
  });
}
