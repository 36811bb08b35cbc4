import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { commonErrors, problem } from "../contract/common.ts";
import {
  AcceptRequest,
  AcceptResult,
  type InvitationBody,
  InvitationResult,
  InviteTemplate,
  InviteTemplateView,
  MemberParams,
  ResendHeaders,
} from "../contract/invitations.ts";
import type { AppEnv } from "../env.ts";
import { database } from "../middleware.ts";
import {
  acceptInvitation,
  getInviteTemplate,
  invitationOf,
  resendInvitation,
  revokeInvitation,
  setInviteTemplate,
} from "../store/invitations.ts";
import { acceptPage } from "./accept-page.ts";

const security = [{ bearer: [] }];
const ACCEPT_PATH = "/invitations/accept";
const resultJson = { "application/json": { schema: InvitationResult } };
const templateJson = { "application/json": { schema: InviteTemplateView } };

const acceptForm = createRoute({
  method: "get",
  path: ACCEPT_PATH,
  tags: ["invitations"],
  summary: "The page an invitation email links to: one button that accepts",
  description: "Public. A GET never accepts (mail scanners follow links); the page's button posts the token.",
  request: { query: z.object({ token: z.string().optional() }) },
  responses: { 200: { description: "An HTML page", content: { "text/html": { schema: z.string() } } } },
});

const accept = createRoute({
  method: "post",
  path: ACCEPT_PATH,
  tags: ["invitations"],
  summary: "Accept an invitation: the member becomes active",
  description:
    "Public: the token is the credential. Single use; an accepted, replaced or expired link answers 410.",
  request: { body: { required: true, content: { "application/json": { schema: AcceptRequest } } } },
  responses: {
    200: { description: "Accepted", content: { "application/json": { schema: AcceptResult } } },
    400: problem("The request is not valid"),
    404: problem("No invitation has this token"),
    409: problem("The invitation changed meanwhile"),
    410: problem("Already accepted, replaced, withdrawn or expired"),
  },
});

const show = createRoute({
  method: "get",
  path: "/v1/members/{memberId}/invitation",
  tags: ["invitations"],
  summary: "The member's latest invitation",
  security,
  request: { params: MemberParams },
  responses: { 200: { description: "The latest invitation, or null", content: resultJson }, ...commonErrors },
});

const resend = createRoute({
  method: "post",
  path: "/v1/members/{memberId}/invitation/resend",
  tags: ["invitations"],
  summary: "Send a new invitation link; links sent before stop working",
  security,
  request: { params: MemberParams, headers: ResendHeaders },
  responses: {
    200: { description: "The new invitation (or, for a repeated key, the current one)", content: resultJson },
    ...commonErrors,
    409: problem("The member is not awaiting an invitation (active, deactivated, deleted…)"),
  },
});

const revoke = createRoute({
  method: "post",
  path: "/v1/members/{memberId}/invitation/revoke",
  tags: ["invitations"],
  summary: "Withdraw the member's pending invitation links",
  security,
  request: { params: MemberParams },
  responses: {
    200: { description: "The invitation, now revoked", content: resultJson },
    ...commonErrors,
    409: problem("No pending invitation"),
  },
});

const template = createRoute({
  method: "get",
  path: "/v1/invitation-template",
  tags: ["invitations"],
  summary: "The invitation email template (the tenant's, or the built-in one)",
  security,
  responses: { 200: { description: "The template", content: templateJson }, ...commonErrors },
});

const saveTemplate = createRoute({
  method: "put",
  path: "/v1/invitation-template",
  tags: ["invitations"],
  summary: "Replace the invitation email template; later invitations use it",
  security,
  request: { body: { required: true, content: { "application/json": { schema: InviteTemplate } } } },
  responses: { 200: { description: "The saved template", content: templateJson }, ...commonErrors },
});

const resetTemplate = createRoute({
  method: "delete",
  path: "/v1/invitation-template",
  tags: ["invitations"],
  summary: "Go back to the built-in invitation email",
  security,
  responses: { 200: { description: "The built-in template", content: templateJson }, ...commonErrors },
});

export function registerInvitations(app: OpenAPIHono<AppEnv>) {
  app.use(ACCEPT_PATH, database);

  app.openapi(acceptForm, (c) =>
    c.html(acceptPage(), 200, {
      // The token is in this page's URL: keep it out of Referer headers and caches.
      "referrer-policy": "no-referrer",
      "cache-control": "no-store",
      "content-security-policy":
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
    }),
  );

  app.openapi(accept, async (c) => {
    const { token } = c.req.valid("json");
    const { memberId } = await acceptInvitation(c.get("db"), token, new Date());
    return c.json(
      { status: "accepted" as const, memberId, message: "Welcome! Your invitation is accepted." },
      200,
    );
  });

  app.openapi(show, async (c) => {
    const invitation = await invitationOf(
      c.get("db"),
      c.get("caller").tenantId,
      c.req.valid("param").memberId,
    );
    return c.json({ invitation: invitation && invitationBody(invitation), replayed: false }, 200);
  });

  app.openapi(resend, async (c) => {
    const caller = c.get("caller");
    const result = await resendInvitation(c.get("db"), caller.tenantId, c.req.valid("param").memberId, {
      actor: { type: "api_key", id: caller.keyId },
      acceptUrl: `${new URL(c.req.url).origin}${ACCEPT_PATH}?token=`,
      idempotencyKey: c.req.valid("header")["idempotency-key"],
      now: new Date(),
    });
    return c.json(
      { invitation: result.invitation && invitationBody(result.invitation), replayed: result.replayed },
      200,
    );
  });

  app.openapi(revoke, async (c) => {
    const caller = c.get("caller");
    const result = await revokeInvitation(c.get("db"), caller.tenantId, c.req.valid("param").memberId, {
      actor: { type: "api_key", id: caller.keyId },
      now: new Date(),
    });
    return c.json(
      { invitation: result.invitation && invitationBody(result.invitation), replayed: false },
      200,
    );
  });

  app.openapi(template, async (c) =>
    c.json(await getInviteTemplate(c.get("db"), c.get("caller").tenantId), 200),
  );

  app.openapi(saveTemplate, async (c) =>
    c.json(await setInviteTemplate(c.get("db"), c.get("caller").tenantId, c.req.valid("json")), 200),
  );

  app.openapi(resetTemplate, async (c) =>
    c.json(await setInviteTemplate(c.get("db"), c.get("caller").tenantId, null), 200),
  );
}

function invitationBody(row: InvitationBody & { tenantId: string; tokenHash: string }): InvitationBody {
  const { tenantId: _t, tokenHash: _h, ...body } = row;
  return body;
}
