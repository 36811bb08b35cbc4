// createApp(): the whole HTTP surface. Routes are registered per resource; each validates with
// the zod contract, calls the engine through sync.ts/store, and shapes the response.
import { OpenAPIHono } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import { HTTPException } from "hono/http-exception";
import { registerApiGuards } from "./api-guards.ts";
import { databaseUnavailable } from "./database-unavailable.ts";
import type { AppEnv } from "./env.ts";
import { AppError, problemResponse } from "./errors.ts";
import { apiKeyAuth, database } from "./middleware.ts";
import { registerAlternatives } from "./routes/alternatives.ts";
import { registerApiKeys } from "./routes/api-keys.ts";
import { registerAudit } from "./routes/audit.ts";
import { registerEvents } from "./routes/events.ts";
import { registerFields } from "./routes/fields.ts";
import { registerHealth } from "./routes/health.ts";
import { registerHubs } from "./routes/hubs.ts";
import { registerImports } from "./routes/imports.ts";
import { registerInvitations } from "./routes/invitations.ts";
import { registerMapping } from "./routes/mapping.ts";
import { registerMembers } from "./routes/members.ts";
import { registerOutbox } from "./routes/outbox.ts";
import { registerPlans } from "./routes/plans.ts";
import { registerRetention } from "./routes/retention.ts";
import { registerSettings } from "./routes/settings.ts";
import { registerSyncRuns } from "./routes/sync-runs.ts";
import { registerWebhooks } from "./routes/webhooks.ts";
import { registerScim } from "./scim/service.ts";

export function createApp() {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      throw new AppError(
        "invalid_request",
        "Some fields are missing or not valid; see `errors`.",
        result.error.issues.map((i) => ({ field: [result.target, ...i.path].join("."), message: i.message })),
      );
    },
  });

  app.onError((error, c) => {
    if (error instanceof AppError) return problemResponse(error, new URL(c.req.url).pathname);
    if (error instanceof HTTPException)
      return problemResponse(fromHttpException(error), new URL(c.req.url).pathname);
    if (error instanceof SyntaxError) {
      return problemResponse(
        new AppError("invalid_request", "The body is not valid JSON."),
        new URL(c.req.url).pathname,
      );
    }
    const unavailable = databaseUnavailable(error);
    if (unavailable) {
      console.error(`database unavailable (${unavailable}) in ${c.req.method} ${c.req.routePath}`);
      return problemResponse(
        new AppError(
          "database_unavailable",
          "The database is unavailable or busy right now; try again shortly.",
        ),
        new URL(c.req.url).pathname,
        { "retry-after": "5" },
      );
    }
    // Never echo internals, to the caller or the log: a database error's message can quote the
    // row it refused (an email, a name). The log keeps the error's kind, its code and the route.
    console.error(`unhandled ${describeError(error)} in ${c.req.method} ${c.req.routePath}`);
    return problemResponse(new AppError("internal", "Something went wrong on our side; try again."));
  });
  app.notFound((c) =>
    problemResponse(new AppError("not_found", `No route ${c.req.method} ${new URL(c.req.url).pathname}.`)),
  );

  app.use("/healthz", database);
  app.use("/v1/*", database, apiKeyAuth);
  registerApiGuards(app); // before the routes: rate limit, body limit, Idempotency-Key

  registerOutbox(app); // first: it wraps the routes that queue email
  registerHealth(app);
  registerHubs(app);
  registerImports(app);
  registerMapping(app);
  registerPlans(app);
  registerAlternatives(app);
  registerInvitations(app);
  registerRetention(app);
  registerAudit(app);
  registerApiKeys(app);
  registerSettings(app);
  registerFields(app);
  registerMembers(app);
  registerSyncRuns(app);
  registerWebhooks(app);
  registerEvents(app);
  registerScim(app);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "A tenant API key: `Authorization: Bearer ps_…`.",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "profile-sync API",
      version: "1.0.0",
      description:
        "Keep a people platform's member directory in step with the HRIS: import, plan, approve, execute.",
    },
  });
  app.get("/docs", Scalar({ url: "/openapi.json", pageTitle: "profile-sync API" }));
  app.get("/", (c) => c.redirect("/docs"));
  return app;
}

/** An error's name and machine code (`LibsqlBatchError SQLITE_CONSTRAINT`), never its message. */
function describeError(error: Error): string {
  const codes = [error, error.cause].map((e) => (e as { code?: unknown } | undefined)?.code);
  const code = codes.find((c): c is string => typeof c === "string" && /^[A-Z][A-Z0-9_]{0,40}$/.test(c));
  return code ? `${error.name} ${code}` : error.name;
}

/** Hono's own refusals (media type gate, body limits) in our error shape. */
function fromHttpException(error: HTTPException): AppError {
  if (error.status === 415)
    return new AppError(
      "unsupported_media_type",
      "Send the export as text/csv (or TSV) or as the JSON table.",
    );
  if (error.status === 413) return new AppError("payload_too_large", "The request body is too large.");
  if (error.status === 400)
    return new AppError("invalid_request", error.message || "The request is not valid.");
  return new AppError("internal", "Something went wrong on our side; try again.");
}
