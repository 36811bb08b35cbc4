import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { Db } from "../../db/client.ts";
import { commonErrors, problem } from "../contract/common.ts";
import { rateLimited, WriteHeaders, writeErrors } from "../contract/guards.ts";
import { Settings, SettingsPatch } from "../contract/settings.ts";
import type { AppEnv, Env } from "../env.ts";
import { serviceAccountEmail } from "../schedule/google-auth.ts";
import { scheduledRulesOf } from "../schedule/policy.ts";
import { publicSources, storedSources } from "../schedule/source-settings.ts";
import { getSettings, updateSettings } from "../store/settings.ts";
import { getTenant } from "../store/tenants.ts";

const security = [{ bearer: [] }];
const settingsJson = { "application/json": { schema: Settings } };

const get = createRoute({
  method: "get",
  path: "/v1/settings",
  tags: ["settings"],
  summary: "The tenant's sync settings",
  security,
  responses: { 200: { description: "The settings", content: settingsJson }, ...commonErrors, ...rateLimited },
});

const patch = createRoute({
  method: "patch",
  path: "/v1/settings",
  tags: ["settings"],
  summary: "Change some settings; keys not sent stay as they are",
  security,
  request: {
    headers: WriteHeaders,
    body: { required: true, content: { "application/json": { schema: SettingsPatch } } },
  },
  responses: {
    200: { description: "The settings after the change", content: settingsJson },
    ...commonErrors,
    ...writeErrors,
    422: problem("A source names a hub or source id the tenant does not have"),
  },
});

export function registerSettings(app: OpenAPIHono<AppEnv>) {
  app.openapi(get, async (c) =>
    c.json(await settingsView(c.get("db"), c.env, c.get("caller").tenantId), 200),
  );

  app.openapi(patch, async (c) => {
    const db = c.get("db");
    const { tenantId } = c.get("caller");
    const { sources, ...rest } = c.req.valid("json");
    const stored = sources
      ? await storedSources(c.env, tenantId, sources, (await getTenant(db, tenantId)).settings.sources ?? [])
      : undefined;
    await updateSettings(db, tenantId, { ...rest, ...(stored ? { sources: stored } : {}) });
    return c.json(await settingsView(db, c.env, tenantId), 200);
  });
}

/** The stored settings with source credentials hidden and the scheduled-sync policy filled in. */
async function settingsView(db: Db, env: Env, tenantId: string) {
  const [settings, tenant] = await Promise.all([getSettings(db, tenantId), getTenant(db, tenantId)]);
  return {
    ...settings,
    sources: publicSources(settings.sources),
    scheduledAutoApply: scheduledRulesOf(tenant.settings),
    sheetsServiceAccount: serviceAccountEmail(env),
  };
}
