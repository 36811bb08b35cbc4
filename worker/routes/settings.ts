import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { commonErrors, problem } from "../contract/common.ts";
import { rateLimited, WriteHeaders, writeErrors } from "../contract/guards.ts";
import { Settings, SettingsPatch } from "../contract/settings.ts";
import type { AppEnv } from "../env.ts";
import { getSettings, updateSettings } from "../store/settings.ts";

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
    422: problem("A source names a hub the tenant does not have"),
  },
});

export function registerSettings(app: OpenAPIHono<AppEnv>) {
  app.openapi(get, async (c) => c.json(await getSettings(c.get("db"), c.get("caller").tenantId), 200));

  app.openapi(patch, async (c) => {
    const settings = await updateSettings(c.get("db"), c.get("caller").tenantId, c.req.valid("json"));
    return c.json(settings, 200);
  });
}
