import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { auditLog } from "../../db/schema.ts";
import { AuditPage, AuditQuery } from "../contract/audit.ts";
import { commonErrors } from "../contract/common.ts";
import { decodeCursor, encodeCursor } from "../cursor.ts";
import type { AppEnv } from "../env.ts";
import { listAudit } from "../store/audit.ts";

const list = createRoute({
  method: "get",
  path: "/v1/audit",
  tags: ["audit"],
  summary: "The audit log, newest first, filterable by member and time",
  description:
    "Every change: actor, plan action (if any) and who approved it, member, before and after. Pages go from newest to oldest; `nextCursor` continues with older entries.",
  security: [{ bearer: [] }],
  request: { query: AuditQuery },
  responses: {
    200: { description: "A page of entries", content: { "application/json": { schema: AuditPage } } },
    ...commonErrors,
  },
});

export function registerAudit(app: OpenAPIHono<AppEnv>) {
  app.openapi(list, async (c) => {
    const { memberId, from, to, cursor, limit } = c.req.valid("query");
    const before = cursor === undefined ? undefined : Number(decodeCursor("audit", cursor, 1)[0]);
    const page = await listAudit(c.get("db"), c.get("caller").tenantId, {
      memberId,
      from,
      to,
      before,
      limit,
    });
    return c.json(
      {
        entries: page.entries.map(entryBody),
        nextCursor: page.next === null ? null : encodeCursor("audit", [page.next]),
      },
      200,
    );
  });
}

function entryBody(row: typeof auditLog.$inferSelect) {
  const { tenantId: _t, claim: _c, ...body } = row;
  return body;
}
