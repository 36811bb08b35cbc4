// An HRIS push event (`employee.created|updated|deactivated|deleted`) becomes a one-person partial
// import through the same engine as a file: planned against the tenant's members, then approved
// as far as the tenant's auto-apply policy allows and executed; anything else waits for a person.
// A redelivered event (same id) is answered with the first delivery's plan and runs nothing.
//
// An event is one small plan, so its cost is round trips to the database: what it needs is read
// with its claim, and each later step writes and reads back in one batch.
import type { z } from "@hono/zod-openapi";
import type { ResultSet } from "@libsql/client";
import type { Db } from "../db/client.ts";
import type { Employee, HrisEvent } from "./contract/events.ts";
import type { MemberSnapshot } from "./engine/types.ts";
import { AppError } from "./errors.ts";
import { executeLogged, executeUnderLine, openLineStatements } from "./execution-log.ts";
import { planPerson } from "./one-person.ts";
import type { Stmt } from "./store/audit.ts";
import { type NamedMember, namedFrom, namedStatement, planDeletion } from "./store/event-actions.ts";
import {
  executionContext,
  type FirstReadDone,
  type FirstReads,
  firstRead,
  firstReadStatements,
} from "./store/execution.ts";
import { inviteTemplateOf } from "./store/invitations.ts";
import {
  contentRegionsStatement,
  type MemberKeys,
  memberKeys,
  regionsFrom,
  snapshotsByKeysStatement,
  snapshotsFrom,
} from "./store/members.ts";
import { type ActionState, type PlanView, planStateFrom, planStateStatements } from "./store/plan-state.ts";
import { policyApprovalStatement } from "./store/policy.ts";
import {
  claimOf,
  claimStatements,
  type EventClaim,
  finishStatement,
  releaseEvent,
} from "./store/processed-events.ts";
import { hubFrom, hubStatement, tenantFrom, tenantStatement } from "./store/tenants.ts";
import {
  announceExecution,
  doneFrom,
  doneStatement,
  endpointsFrom,
  endpointsStatement,
} from "./store/webhooks.ts";

type Event = z.infer<typeof HrisEvent>;
type EmployeeFields = z.infer<typeof Employee>;
type Tenant = ReturnType<typeof tenantFrom>;

/** The status word written for leavers: one the engine reads as "no longer employed". */
const LEAVER_STATUS = "terminated";
/** Actions an answer shows. */
const SHOWN_ACTIONS = 100;

export interface EventReceipt {
  duplicate: boolean;
  /** Null only for a duplicate whose first delivery has not planned yet. */
  plan: PlanView | null;
  /** The plan's first actions as the event left them. */
  actions: ActionState[];
  /** Whether the tenant has webhook endpoints: else the event queued no announcement to deliver. */
  announces: boolean;
}

interface Options {
  acceptUrl: string;
  now: Date;
  budgetMs: number;
}

/** What the event needs, read with its claim. The hub is checked only when the event plans. */
interface Known {
  claim: EventClaim;
  tenant: Tenant;
  hub: ResultSet;
  member: NamedMember | null;
  endpoints: ReturnType<typeof endpointsFrom>;
  regions: Record<string, string>;
  /** The members the event's keys name, as planning reads them. */
  members: { keys: MemberKeys; snapshots: MemberSnapshot[] };
}

export async function receiveHrisEvent(
  db: Db,
  tenantId: string,
  event: Event,
  options: Options,
): Promise<EventReceipt> {
  const known = await claimAndRead(db, tenantId, event, options.now);
  const { claim } = known;
  const announces = known.endpoints.length > 0;
  if (!claim.first) {
    if (claim.status === "processing") {
      throw new AppError(
        "idempotency_in_progress",
        "This event is still being processed; deliver it again shortly.",
      );
    }
    if (!claim.planId) return { duplicate: true, plan: null, actions: [], announces };
    // A first delivery that planned but died before applying is finished by its redelivery:
    // auto-approval and exactly-once execution make running them again harmless.
    const approved = await approve(db, known, claim.planId, { fresh: false, also: [] });
    return { duplicate: true, announces, ...(await execute(db, known, approved, event, options)) };
  }
  let approved: Approved;
  try {
    approved = await planAndApprove(db, known, event, options.now);
  } catch (error) {
    // Nothing was planned (or the plan never became the event's): the sender's retry must run it.
    await releaseEvent(db, tenantId, event.id);
    throw error;
  }
  return { duplicate: false, announces, ...(await execute(db, known, approved, event, options)) };
}

async function claimAndRead(db: Db, tenantId: string, event: Event, now: Date): Promise<Known> {
  const employeeId = event.employee.employeeId ?? null;
  const keys = keysOf(event.employee);
  const [claimed, marker, tenant, hub, named, endpoints, regions, snapshots] = (await db.$client.batch(
    [
      ...claimStatements(tenantId, event.id, now),
      tenantStatement(tenantId),
      hubStatement(tenantId, event.hubId),
      namedStatement(tenantId, employeeId, event.employee.email ?? null),
      endpointsStatement(tenantId),
      contentRegionsStatement(tenantId),
      snapshotsByKeysStatement(tenantId, event.hubId, keys),
    ],
    "write",
  )) as [ResultSet, ResultSet, ResultSet, ResultSet, ResultSet, ResultSet, ResultSet, ResultSet];
  return {
    claim: claimOf([claimed, marker]),
    tenant: tenantFrom(tenant),
    hub,
    member: namedFrom(named, employeeId),
    endpoints: endpointsFrom(endpoints),
    regions: regionsFrom(regions),
    members: { keys, snapshots: snapshotsFrom(snapshots) },
  };
}

/**
 * The keys planning will look members up by (the person and their manager), as the roster
 * normalises them; planning reads the members again if it ends up wanting others.
 */
function keysOf(employee: EmployeeFields): MemberKeys {
  return memberKeys([
    {
      employeeId: employee.employeeId?.trim(),
      email: employee.email?.trim().toLowerCase(),
      manager: employee.manager,
    },
  ]);
}

/**
 * Plans the event and approves what the policy allows, in the batch that stores the plan (a
 * deletion is planned, then made one, then approved).
 */
async function planAndApprove(db: Db, known: Known, event: Event, now: Date): Promise<Approved> {
  const line = crypto.randomUUID();
  // Marked done with the approval: a redelivery from now on finishes this plan.
  const step = (planId: string) => ({
    fresh: true,
    also: [finishStatement(known.tenant.id, event.id, planId)],
  });
  if (event.type === "employee.deleted" && known.member) {
    const { plan } = await planEvent(db, known, event, now);
    await planDeletion(db, known.tenant.settings, plan, known.member);
    return approve(db, known, plan.id, step(plan.id));
  }
  let reads: FirstReads | undefined;
  const { plan, also } = await planEvent(db, known, event, now, (stored) => {
    reads = firstRead(db, stored.id, known.tenant.id);
    return approvalStatements(known, stored.id, line, step(stored.id), reads);
  });
  return approvedFrom(also, plan.id, line, reads as FirstReads);
}

async function planEvent(db: Db, known: Known, event: Event, now: Date, also?: (plan: PlanView) => Stmt[]) {
  const tenantId = known.tenant.id;
  const hub = hubFrom(known.hub, event.hubId);
  const employee: EmployeeFields = { ...event.employee };
  const { member } = known;
  if (!employee.email) {
    if (!member) {
      throw new AppError(
        "unprocessable",
        `No member has employee id ${employee.employeeId}, and the event has no email to invite them with.`,
        [{ field: "json.employee.email", message: "Send the employee's email." }],
      );
    }
    employee.email = member.email;
  }
  if (event.type === "employee.deactivated" || event.type === "employee.deleted") {
    employee.employmentStatus = LEAVER_STATUS;
  }
  return planPerson(db, tenantId, event.hubId, employee, {
    source: "event",
    createdBy: `event:${event.id}`,
    now,
    at: "json.employee.profile",
    subject: "event",
    known: { tenant: known.tenant, hub, regions: known.regions, members: known.members },
    ...(also ? { also } : {}),
  });
}

interface Approved {
  plan: PlanView;
  actions: ActionState[];
  /** The sync log line of the run about to start; null when nothing is to run. */
  line: string | null;
  /** The run's first read, made in the approval's batch. */
  read: FirstReadDone;
}

/**
 * Approves what the policy allows and opens the run's line in one batch (with `also`), and reads
 * the plan back in it.
 */
async function approve(
  db: Db,
  known: Known,
  planId: string,
  step: { fresh: boolean; also: Stmt[] },
): Promise<Approved> {
  const line = crypto.randomUUID();
  const reads = firstRead(db, planId, known.tenant.id);
  const results = await db.$client.batch(approvalStatements(known, planId, line, step, reads), "write");
  return approvedFrom(results, planId, line, reads);
}

/**
 * approve's statements: `step.also`, the approval, the run's line, the plan read back, and the
 * run's first read (so the run starts with its write: one round trip fewer).
 */
function approvalStatements(
  known: Known,
  planId: string,
  line: string,
  step: { fresh: boolean; also: Stmt[] },
  reads: FirstReads,
): Stmt[] {
  const { tenant } = known;
  const approval = policyApprovalStatement(tenant.id, planId, tenant.settings, new Date());
  const open = openLineStatements(tenant.id, planId, "event", line, { fresh: step.fresh, ifStartable: true });
  return [
    ...step.also,
    ...(approval ? [approval] : []),
    ...open,
    ...planStateStatements(tenant.id, planId, SHOWN_ACTIONS),
    ...firstReadStatements(reads),
  ];
}

/** What approvalStatements' results say, from the end: the line opened, the plan, the run's read. */
function approvedFrom(results: ResultSet[], planId: string, line: string, reads: FirstReads): Approved {
  const count = firstReadStatements(reads).length;
  const read = { reads, results: results.slice(-count) };
  const before = results.slice(0, -count);
  const opened = before[before.length - 4] as ResultSet;
  const state = planStateFrom(before.slice(-3), planId);
  return { ...state, line: opened.rowsAffected === 1 ? line : null, read };
}

/** Runs what was approved, if anything; answers the plan and its actions as they end up. */
async function execute(
  db: Db,
  known: Known,
  approved: Approved,
  event: Event,
  options: Options,
): Promise<{ plan: PlanView; actions: ActionState[] }> {
  const { plan, line } = approved;
  const tenantId = known.tenant.id;
  const actor = { type: "event" as const, id: event.id };
  if (!line) {
    if (plan.progress.pending === 0) return approved;
    // Approved actions wait in a blocked plan: executePlan logs the refusal and says why.
    await executeLogged(db, tenantId, plan.id, {
      actor,
      acceptUrl: options.acceptUrl,
      budgetMs: options.budgetMs,
    });
    return approved;
  }
  const ctx = await contextOf(db, known, plan, { actor, acceptUrl: options.acceptUrl });
  const announce = known.endpoints.length > 0;
  const after = [
    ...planStateStatements(tenantId, plan.id, SHOWN_ACTIONS),
    ...(announce ? [doneStatement(tenantId, plan.id)] : []),
  ];
  const results = await executeUnderLine(db, line, plan.id, ctx, {
    budgetMs: options.budgetMs,
    after,
    read: approved.read,
  });
  const state = planStateFrom(results.slice(0, 3), plan.id);
  if (announce) {
    await announceExecution(db, state.plan, known.endpoints, doneFrom(results[3] as ResultSet));
  }
  return state;
}

/** The execution context from what the claim read; read afresh for a plan of another hub. */
async function contextOf(
  db: Db,
  known: Known,
  plan: PlanView,
  base: { actor: { type: "event"; id: string }; acceptUrl: string },
) {
  const now = new Date();
  if (known.hub.rows[0]?.id !== plan.hubId) {
    return executionContext(db, { tenantId: known.tenant.id, hubId: plan.hubId, now, ...base });
  }
  return {
    tenantId: known.tenant.id,
    hubId: plan.hubId,
    now,
    ...base,
    tenantName: known.tenant.name,
    hubName: hubFrom(known.hub, plan.hubId).name,
    inviteTemplate: inviteTemplateOf(known.tenant.settings),
  };
}
