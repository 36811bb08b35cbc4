import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { commonErrors } from "../contract/common.ts";
import { rateLimited } from "../contract/guards.ts";
import { SyncRunPage, SyncRunQuery } from "../contract/sync-runs.ts";
import { decodeCursor, encodeCursor } from "../cursor.ts";
import type { AppEnv } from "../env.ts";
import { asRead } from "../execution-log.ts";
import { listSyncRuns } from "../store/sync-runs.ts";
import { getHub } from "../store/tenants.ts";

const list = createRoute({
  method: "get",
  path: "/v1/sync-runs",
  tags: ["sync runs"],
  summary: "The sync log, newest first: every import+plan and execution run",
  security: [{ bearer: [] }],
  request: { query: SyncRunQuery },
  responses: {
    200: { description: "A page of runs", content: { "application/json": { schema: SyncRunPage } } },
    ...commonErrors,
    ...rateLimited,
  },
});

export function registerSyncRuns(app: OpenAPIHono<AppEnv>) {
  app.openapi(list, async (c) => {
    const { tenantId } = c.get("caller");
    const { cursor, hubId, planId, limit } = c.req.valid("query");
    if (hubId) await getHub(c.get("db"), tenantId, hubId);
    const before =
      cursor === undefined ? undefined : (decodeCursor("sync-runs", cursor, 2) as [string, string]);
    const page = await listSyncRuns(c.get("db"), tenantId, { hubId, planId, before, limit });
    const nextCursor = page.next ? encodeCursor("sync-runs", page.next) : null;
    const now = new Date();
    return c.json({ runs: page.runs.map((run) => asRead(run, now)), nextCursor }, 200);
  });
}
