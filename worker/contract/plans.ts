// The plan resource: a proposed sync, its actions, approvals and execution progress.
import { z } from "@hono/zod-openapi";
import { ACTION_KINDS, ACTION_STATUSES } from "../../db/schema.ts";

export const ActionKind = z.enum(ACTION_KINDS).openapi("ActionKind");
export const ActionStatus = z.enum(ACTION_STATUSES).openapi("ActionStatus");

export const Progress = z
  .object({
    approved: z.number().int(),
    pending: z.number().int(),
    done: z.number().int(),
    failed: z.number().int(),
    stale: z.number().int(),
    skipped: z.number().int(),
    complete: z.boolean().openapi({ description: "No approved action is still pending." }),
  })
  .openapi("Progress");

export const Plan = z
  .object({
    id: z.string(),
    hubId: z.string(),
    importId: z.string(),
    mappingVersion: z.number().int().nullable(),
    status: z.enum(["ready", "blocked", "executing", "done"]),
    summary: z.partialRecord(ActionKind, z.number().int()).openapi({ description: "Actions per kind." }),
    guard: z
      .object({
        deprovisions: z.number().int(),
        active: z.number().int(),
        limit: z.number().int(),
        blocked: z.boolean(),
      })
      .openapi({ description: "The deprovisioning guard's verdict for this plan." }),
    overriddenBy: z.string().nullable(),
    overriddenAt: z.string().nullable(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    progress: Progress,
  })
  .openapi("Plan");

export const FieldChange = z
  .object({ field: z.string(), before: z.string().nullable(), after: z.string().nullable() })
  .openapi("FieldChange");

export const Action = z
  .object({
    id: z.string(),
    planId: z.string(),
    seq: z.number().int(),
    kind: ActionKind,
    row: z.number().int().nullable().openapi({ description: "Row of the export that proposed it." }),
    memberId: z.string().nullable(),
    email: z.string().nullable(),
    employeeId: z.string().nullable(),
    name: z.string().nullable(),
    changes: z.array(FieldChange),
    reason: z.string(),
    warnings: z.array(z.string()).openapi({ description: "Things to check that do not stop the action." }),
    approved: z.boolean(),
    approvedBy: z.string().nullable(),
    approvedAt: z.string().nullable(),
    status: ActionStatus,
    message: z.string().nullable(),
    executedAt: z.string().nullable(),
  })
  .openapi("Action");

export const ActionPage = z
  .object({
    actions: z.array(Action),
    nextCursor: z
      .string()
      .nullable()
      .openapi({ description: "Pass as `cursor` for the next page; null at the end." }),
  })
  .openapi("ActionPage");

export const ActionQuery = z.object({
  kind: ActionKind.optional(),
  status: ActionStatus.optional(),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const ApprovalRequest = z
  .strictObject({
    approved: z.boolean().default(true),
    actionIds: z.array(z.string()).max(10_000).optional(),
    kinds: z.array(ActionKind).optional(),
    all: z.boolean().optional(),
  })
  .openapi("ApprovalRequest");

export const ApprovalResult = z.object({ changed: z.number().int() }).openapi("ApprovalResult");

export type PlanBody = z.infer<typeof Plan>;
export type ActionBody = z.infer<typeof Action>;
