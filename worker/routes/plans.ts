import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { planActions } from "../../db/schema.ts";
import { commonErrors, problem } from "../contract/common.ts";
import { PlanParams } from "../contract/hubs.ts";
import {
  type ActionBody,
  ActionPage,
  ActionQuery,
  ApprovalRequest,
  ApprovalResult,
  Plan,
  type PlanBody,
} from "../contract/plans.ts";
import type { AppEnv } from "../env.ts";
import { AppError } from "../errors.ts";
import { executeLogged } from "../execution-log.ts";
import { getPlan, listActions, overrideGuard, setApproval } from "../store/plans.ts";

// A request keeps well inside Workers' CPU limit; clients call execute again until progress is complete.
const EXECUTE_BUDGET_MS = 20_000;

const security = [{ bearer: [] }];
const planJson = { "application/json": { schema: Plan } };

const get = createRoute({
  method: "get",
  path: "/v1/plans/{planId}",
  tags: ["plans"],
  summary: "A plan: counts per kind, guard verdict, execution progress",
  security,
  request: { params: PlanParams },
  responses: { 200: { description: "The plan", content: planJson }, ...commonErrors },
});

const actions = createRoute({
  method: "get",
  path: "/v1/plans/{planId}/actions",
  tags: ["plans"],
  summary: "The plan's actions, filtered by kind and status, a page at a time",
  security,
  request: { params: PlanParams, query: ActionQuery },
  responses: {
    200: { description: "A page of actions", content: { "application/json": { schema: ActionPage } } },
    ...commonErrors,
  },
});

const approvals = createRoute({
  method: "post",
  path: "/v1/plans/{planId}/approvals",
  tags: ["plans"],
  summary: "Approve or unapprove actions: by id, by kind, or all",
  security,
  request: {
    params: PlanParams,
    body: { required: true, content: { "application/json": { schema: ApprovalRequest } } },
  },
  responses: {
    200: {
      description: "How many actions changed",
      content: { "application/json": { schema: ApprovalResult } },
    },
    ...commonErrors,
  },
});

const execute = createRoute({
  method: "post",
  path: "/v1/plans/{planId}/execute",
  tags: ["plans"],
  summary: "Execute the approved actions; safe to call again until progress is complete",
  security,
  request: { params: PlanParams },
  responses: {
    200: { description: "The plan with its progress", content: planJson },
    ...commonErrors,
    409: problem("Blocked by the deprovisioning guard"),
  },
});

const override = createRoute({
  method: "post",
  path: "/v1/plans/{planId}/override",
  tags: ["plans"],
  summary: "Override the deprovisioning guard for this plan only",
  security,
  request: { params: PlanParams },
  responses: { 200: { description: "The plan, now executable", content: planJson }, ...commonErrors },
});

export function registerPlans(app: OpenAPIHono<AppEnv>) {
  app.openapi(get, async (c) => {
    const plan = await getPlan(c.get("db"), c.get("caller").tenantId, c.req.valid("param").planId);
    return c.json(planBody(plan), 200);
  });

  app.openapi(actions, async (c) => {
    const { planId } = c.req.valid("param");
    const { kind, status, cursor, limit } = c.req.valid("query");
    const page = await listActions(c.get("db"), c.get("caller").tenantId, planId, {
      kind,
      status,
      after: cursor === undefined ? undefined : decodeCursor(cursor),
      limit,
    });
    const nextCursor = page.next === null ? null : encodeCursor(page.next);
    return c.json({ actions: page.actions.map(actionBody), nextCursor }, 200);
  });

  app.openapi(approvals, async (c) => {
    const caller = c.get("caller");
    const body = c.req.valid("json");
    const changed = await setApproval(c.get("db"), caller.tenantId, c.req.valid("param").planId, {
      ...body,
      by: `api_key:${caller.keyId}`,
    });
    return c.json({ changed }, 200);
  });

  app.openapi(execute, async (c) => {
    const caller = c.get("caller");
    const plan = await executeLogged(c.get("db"), caller.tenantId, c.req.valid("param").planId, {
      actor: { type: "api_key", id: caller.keyId },
      acceptUrl: `${new URL(c.req.url).origin}/invitations/accept?token=`,
      budgetMs: EXECUTE_BUDGET_MS,
    });
    return c.json(planBody(plan), 200);
  });

  app.openapi(override, async (c) => {
    const caller = c.get("caller");
    const plan = await overrideGuard(
      c.get("db"),
      caller.tenantId,
      c.req.valid("param").planId,
      `api_key:${caller.keyId}`,
    );
    return c.json(planBody(plan), 200);
  });
}

export function planBody(plan: Awaited<ReturnType<typeof getPlan>>): PlanBody {
  const { tenantId: _tenant, ...body } = plan;
  return body;
}

function actionBody(row: typeof planActions.$inferSelect): ActionBody {
  const { tenantId: _t, payload: _p, claim: _c, memberVersion: _v, ...body } = row;
  return body;
}

function encodeCursor(seq: number): string {
  return btoa(`seq:${seq}`);
}

function decodeCursor(cursor: string): number {
  try {
    const [tag, value] = atob(cursor).split(":");
    const seq = Number(value);
    if (tag === "seq" && Number.isInteger(seq)) return seq;
  } catch {
    // fall through to the error below
  }
  throw new AppError("invalid_request", "The cursor is not one this API gave out.", [
    { field: "cursor", message: "invalid" },
  ]);
}
