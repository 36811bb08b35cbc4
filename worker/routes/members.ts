import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { commonErrors } from "../contract/common.ts";
import { rateLimited, WriteHeaders, writeErrors } from "../contract/guards.ts";
import { Member, MemberPage, MemberParams, MemberQuery } from "../contract/members.ts";
import { decodeCursor, encodeCursor } from "../cursor.ts";
import type { AppEnv } from "../env.ts";
import { changeMemberStatus, getMember, listMembers } from "../store/directory.ts";
import { getHub } from "../store/tenants.ts";

const security = [{ bearer: [] }];
const memberJson = { "application/json": { schema: Member } };

const list = createRoute({
  method: "get",
  path: "/v1/members",
  tags: ["members"],
  summary: "List members, filtered by status, source, hub or a name/email prefix",
  description:
    "Pages follow a stable order (creation time, then id): members added while you page appear on a later page, " +
    "and none is skipped or repeated.",
  security,
  request: { query: MemberQuery },
  responses: {
    200: { description: "A page of members", content: { "application/json": { schema: MemberPage } } },
    ...commonErrors,
    ...rateLimited,
  },
});

const get = createRoute({
  method: "get",
  path: "/v1/members/{memberId}",
  tags: ["members"],
  summary: "One member, with the hubs they belong to",
  security,
  request: { params: MemberParams },
  responses: { 200: { description: "The member", content: memberJson }, ...commonErrors, ...rateLimited },
});

const statusChange = (change: "reactivate" | "archive", summary: string, description: string) =>
  createRoute({
    method: "post",
    path: `/v1/members/{memberId}/${change}`,
    tags: ["members"],
    summary,
    description,
    security,
    request: { params: MemberParams, headers: WriteHeaders },
    responses: {
      200: { description: "The member after the change", content: memberJson },
      ...commonErrors,
      ...writeErrors,
    },
  });

const reactivate = statusChange(
  "reactivate",
  "Reactivate an inactive member",
  "Inactive → active. Audited; plans made before it go stale for this member. 409 unless the member is inactive.",
);
const archive = statusChange(
  "archive",
  "Archive a member: no sync will ever add them again",
  "Invited, active or inactive → archived. Audited; syncs then skip this person. 409 for deleted or archived members.",
);

export function registerMembers(app: OpenAPIHono<AppEnv>) {
  app.openapi(list, async (c) => {
    const { tenantId } = c.get("caller");
    const { cursor, hubId, ...query } = c.req.valid("query");
    if (hubId) await getHub(c.get("db"), tenantId, hubId);
    const after = cursor === undefined ? undefined : (decodeCursor("members", cursor, 2) as [string, string]);
    const page = await listMembers(c.get("db"), tenantId, { ...query, hubId, after });
    const nextCursor = page.next ? encodeCursor("members", page.next) : null;
    return c.json({ members: page.members, nextCursor }, 200);
  });

  app.openapi(get, async (c) => {
    const member = await getMember(c.get("db"), c.get("caller").tenantId, c.req.valid("param").memberId);
    return c.json(member, 200);
  });

  for (const [route, change] of [
    [reactivate, "reactivate"],
    [archive, "archive"],
  ] as const) {
    app.openapi(route, async (c) => {
      const { tenantId, keyId } = c.get("caller");
      const member = await changeMemberStatus(
        c.get("db"),
        tenantId,
        c.req.valid("param").memberId,
        change,
        { type: "api_key", id: keyId },
        new Date(),
      );
      return c.json(member, 200);
    });
  }
}
