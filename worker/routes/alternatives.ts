import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { ActionParams, KindChoice } from "../contract/alternatives.ts";
import { commonErrors, problem } from "../contract/common.ts";
import { Action } from "../contract/plans.ts";
import type { AppEnv } from "../env.ts";
import { chooseKind } from "../store/alternatives.ts";

const choose = createRoute({
  method: "post",
  path: "/v1/plans/{planId}/actions/{actionId}/kind",
  tags: ["plans"],
  summary: "Choose an alternative for an absent member: deactivate, delete from hub or delete from tenant",
  description: "Only for an action that lists alternatives, while it is pending and not approved.",
  security: [{ bearer: [] }],
  request: {
    params: ActionParams,
    body: { required: true, content: { "application/json": { schema: KindChoice } } },
  },
  responses: {
    200: { description: "The action with its new kind", content: { "application/json": { schema: Action } } },
    ...commonErrors,
    409: problem("Not an alternative of this action, or the action is approved or has run"),
  },
});

export function registerAlternatives(app: OpenAPIHono<AppEnv>) {
  app.openapi(choose, async (c) => {
    const { planId, actionId } = c.req.valid("param");
    const row = await chooseKind(
      c.get("db"),
      c.get("caller").tenantId,
      planId,
      actionId,
      c.req.valid("json").kind,
    );
    const { tenantId: _t, payload: _p, claim: _c, memberVersion: _v, ...body } = row;
    return c.json(body, 200);
  });
}
