// The SCIM 2.0 service provider (RFC 7643/7644) at /scim/v2, for identity providers (Okta, Entra)
// to provision members directly. Its own app: SCIM tokens instead of API keys, SCIM errors instead
// of problem+json, application/scim+json, and its own OpenAPI document (/scim/v2/openapi.json) —
// mounted so that none of it mixes into the /v1 API's document or middleware.
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import type { Db } from "../../db/client.ts";
import { bodyLimits } from "../body-limits.ts";
import type { AppEnv, Env } from "../env.ts";
import { database } from "../middleware.ts";
import { type ScimCaller, scimCallerFor } from "../store/scim-tokens.ts";
import { registerDiscoveryRoutes } from "./discovery-routes.ts";
import { badRequest, SCIM_CONTENT_TYPE, ScimError, scimErrorResponse, toScimError } from "./errors.ts";
import { registerGroupRoutes } from "./group-routes.ts";
import type { ScimContext } from "./provision-users.ts";
import { registerScimTokens } from "./token-routes.ts";
import { registerUserRoutes } from "./user-routes.ts";

export const SCIM_BASE_PATH = "/scim/v2";

export interface ScimEnv {
  Bindings: Env;
  Variables: { db: Db; scim: ScimCaller };
}

const scimAuth = createMiddleware<ScimEnv>(async (c, next) => {
  const match = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
  const caller = match?.[1] ? await scimCallerFor(c.get("db"), match[1]) : null;
  if (!caller) {
    throw new ScimError(
      401,
      null,
      match
        ? "This SCIM token is not valid or has been revoked (API keys do not work here)."
        : "Send a SCIM token (POST /v1/scim/tokens) as `Authorization: Bearer <token>`.",
    );
  }
  c.set("scim", caller);
  await next();
});

export function createScimService() {
  const scim = new OpenAPIHono<ScimEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      const issue = result.error.issues[0];
      throw badRequest(
        "invalidSyntax",
        `${[result.target, ...(issue?.path ?? [])].join(".")}: ${issue?.message}`,
      );
    },
  });
  scim.onError((error) => {
    const scimError = toScimError(error);
    const headers: Record<string, string> =
      scimError.status === 401 ? { "www-authenticate": 'Bearer realm="profile-sync SCIM"' } : {};
    return scimErrorResponse(scimError, headers);
  });
  scim.use("*", database);
  for (const path of [
    "/Users",
    "/Users/*",
    "/Groups",
    "/Groups/*",
    "/ServiceProviderConfig",
    "/ResourceTypes",
    "/ResourceTypes/*",
    "/Schemas",
    "/Schemas/*",
  ]) {
    scim.use(path, scimAuth, bodyLimits);
  }
  registerDiscoveryRoutes(scim);
  registerUserRoutes(scim);
  registerGroupRoutes(scim);
  scim.openAPIRegistry.registerComponent("securitySchemes", "scimToken", {
    type: "http",
    scheme: "bearer",
    description: "A SCIM token from POST /v1/scim/tokens: `Authorization: Bearer scim_…`.",
  });
  scim.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "profile-sync SCIM 2.0 service provider",
      version: "1.0.0",
      description:
        "RFC 7643/7644 Users and Groups for identity providers. Discovery: /ServiceProviderConfig, /ResourceTypes, /Schemas.",
    },
    servers: [{ url: SCIM_BASE_PATH }],
  });
  scim.all("*", (c) => {
    throw new ScimError(404, null, `No SCIM endpoint ${c.req.method} ${new URL(c.req.url).pathname}.`);
  });
  return scim;
}

/** The SCIM service under /scim/v2, and the /v1 routes that manage its tokens. */
export function registerScim(app: OpenAPIHono<AppEnv>) {
  registerScimTokens(app);
  // Through a plain Hono: OpenAPIHono.route() would merge the SCIM routes into /openapi.json.
  const mount = new Hono<ScimEnv>().route(SCIM_BASE_PATH, createScimService());
  app.route("/", mount);
}

/** What a SCIM handler needs: the database, the caller, the time, and where things live. */
export function scimContext(c: Context<ScimEnv>): ScimContext {
  const origin = new URL(c.req.url).origin;
  return {
    db: c.get("db"),
    caller: c.get("scim"),
    now: new Date(),
    base: `${origin}${SCIM_BASE_PATH}`,
    acceptUrl: `${origin}/invitations/accept?token=`,
  };
}

export function scimJson<S extends 200 | 201>(
  c: Context<ScimEnv>,
  body: unknown,
  status: S,
  headers: Record<string, string> = {},
) {
  return c.json(body as Record<string, never>, status, { ...headers, "Content-Type": SCIM_CONTENT_TYPE });
}
