// The scheduled sync's one move, for a source's snapshot and for time-based work alike: import and
// plan (source "cron"), approve what the scheduled policy allows, execute that as the cron, and
// leave the rest pending for a person.
import type { Db } from "../../db/client.ts";
import type { MappingColumn } from "../../db/schema.ts";
import { executeLogged } from "../execution-log.ts";
import { importAndPlan, type Snapshot } from "../sync.ts";
import { approveScheduled } from "./policy.ts";

export interface ApplyContext {
  db: Db;
  /** The schedule's now: decides which day it is in the tenant's zone. */
  now: Date;
  acceptUrl: string;
  /** Execution time per plan; approved actions left over run at the next scheduled time. */
  budgetMs: number;
}

export interface ApplyRequest {
  tenantId: string;
  hubId: string;
  snapshot: Snapshot;
  partial: boolean;
  /** Who planned it, e.g. `cron:source:<id>`; also the audit actor's id. */
  by: string;
  mapping?: { version: number | null; columns: MappingColumn[] };
}

export async function planOnly(ctx: ApplyContext, request: ApplyRequest) {
  const { plan } = await importAndPlan(ctx.db, request.tenantId, request.hubId, request.snapshot, {
    source: "cron",
    filename: null,
    partial: request.partial,
    createdBy: `cron:${request.by}`,
    now: ctx.now,
    ...(request.mapping ? { mapping: request.mapping } : {}),
  });
  return plan;
}

/** Approves by policy and executes; returns how many actions the policy approved. */
export async function applyByPolicy(ctx: ApplyContext, tenantId: string, planId: string, by: string) {
  const approved = await approveScheduled(ctx.db, tenantId, planId);
  if (approved > 0) {
    await executeLogged(ctx.db, tenantId, planId, {
      actor: { type: "cron", id: by },
      acceptUrl: ctx.acceptUrl,
      budgetMs: ctx.budgetMs,
    });
  }
  return approved;
}

export async function planAndApply(ctx: ApplyContext, request: ApplyRequest) {
  const plan = await planOnly(ctx, request);
  await applyByPolicy(ctx, request.tenantId, plan.id, request.by);
  return plan;
}
