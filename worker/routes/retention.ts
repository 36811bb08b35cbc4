import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { commonErrors, problem } from "../contract/common.ts";
import { MemberParams } from "../contract/invitations.ts";
import { RestoredMember } from "../contract/retention.ts";
import type { AppEnv } from "../env.ts";
import { RESTORE_DAYS, restoreMember } from "../store/retention.ts";

const restore = createRoute({
  method: "post",
  path: "/v1/members/{memberId}/restore",
  tags: ["members"],
  summary: `Restore a member deleted from the tenant (within ${RESTORE_DAYS} days)`,
  description:
    "The member gets back the status they had before the delete. Hub memberships a delete from the tenant kept are kept.",
  security: [{ bearer: [] }],
  request: { params: MemberParams },
  responses: {
    200: { description: "The restored member", content: { "application/json": { schema: RestoredMember } } },
    ...commonErrors,
    409: problem("The member is not deleted"),
    410: problem(`Deleted more than ${RESTORE_DAYS} days ago`),
  },
});

export function registerRetention(app: OpenAPIHono<AppEnv>) {
  app.openapi(restore, async (c) => {
    const caller = c.get("caller");
    const member = await restoreMember(c.get("db"), caller.tenantId, c.req.valid("param").memberId, {
      actor: { type: "api_key", id: caller.keyId },
      now: new Date(),
    });
    const { id, email, status, deletedAt, version } = member;
    return c.json({ id, email, status, deletedAt, version }, 200);
  });
}
