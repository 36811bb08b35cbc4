// An HRIS push event (`employee.created|updated|deactivated|deleted`) becomes a one-person partial
// import through the same engine as a file: planned against the tenant's members, then approved
// as far as the tenant's auto-apply policy allows and executed; anything else waits for a person.
// A redelivered event (same id) is answered with the first delivery's plan and runs nothing.
//
// An event is one small plan, so its cost is round trips to the database: what it needs is read
// with its claim, and the plan is then stored, approved and run in one more batch (else each later
// step writes and reads back in one batch).
import type { z } from "@hono/zod-openapi";
import type { InStatement, ResultSet } from "@libsql/client";
import type { Db } from "../db/client.ts";
import type { Employee, HrisEvent } from "./contract/events.ts";
import type { MemberSnapshot } from "./engine/types.ts";
import { AppError } from "./errors.ts";
import { executeLogged, executeUnderLine, openLineStatements } from "./execution-log.ts";
import { planPerson } from "./one-person.ts";
import type { Stmt } from "./store/audit.ts";
import { type NamedMember, namedFrom, namedStatement, planDeletion } from "./store/event-actions.ts";
import {
  type ExecutionContext,
  executionContext,
  type FirstReadDone,
  type FirstReads,
  firstRead,
  firstReadStatements,
  inBatchStatements,
  isConstraintError,
  type Segments,
  segmentsRead,
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
import type { SavedAction, StreamedPlan } from "./store/plans.ts";
import { policyApprovalStatement, policyApproved } from "./store/policy.ts";
import {
  claimOf,
  claimStatements,
  type EventClaim,
  finishStatement,
  releaseEvent,
} from "./store/processed-events.ts";
import { endedRunStatement } from "./store/sync-runs.ts";
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
  /** The tenant's segments, for running the plan in the batch that stores it. */
  segments: Segments;
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
    approved = await planAndApprove(db, known, event, options);
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
  const segments = segmentsRead(db, tenantId);
  const [claimed, marker, tenant, hub, named, endpoints, regions, snapshots, ...segmentRows] =
    (await db.$client.batch(
      [
        ...claimStatements(tenantId, event.id, now),
        tenantStatement(tenantId),
        hubStatement(tenantId, event.hubId),
        namedStatement(tenantId, employeeId, event.employee.email ?? null),
        endpointsStatement(tenantId),
        contentRegionsStatement(tenantId),
        snapshotsByKeysStatement(tenantId, event.hubId, keys),
        ...segments.statements,
      ],
      "write",
    )) as [
      ResultSet,
      ResultSet,
      ResultSet,
      ResultSet,
      ResultSet,
      ResultSet,
      ResultSet,
      ResultSet,
      ...ResultSet[],
    ];
  return {
    claim: claimOf([claimed, marker]),
    tenant: tenantFrom(tenant),
    hub,
    member: namedFrom(named, employeeId),
    endpoints: endpointsFrom(endpoints),
    regions: regionsFrom(regions),
    members: { keys, snapshots: snapshotsFrom(snapshots) },
    segments: segments.from(segmentRows),
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
 * Plans the event and approves what the policy allows, in the batch that stores the plan, and
 * runs it there too when it can (inBatchStatements). A deletion is planned, then made one, then
 * approved.
 */
async function planAndApprove(db: Db, known: Known, event: Event, options: Options): Promise<Approved> {
  // Marked done with the approval: a redelivery from now on finishes this plan.
  const step = (planId: string) => ({
    fresh: true,
    also: [finishStatement(known.tenant.id, event.id, planId)],
  });
  if (event.type === "employee.deleted" && known.member) {
    const { plan } = await planEvent(db, known, event, options.now);
    await planDeletion(db, known.tenant.settings, plan, known.member);
    return approve(db, known, plan.id, step(plan.id));
  }
  try {
    return await storeAndApprove(db, known, event, options, step, true);
  } catch (error) {
    if (!isConstraintError(error)) throw error;
    // The run collided with another member (an email taken since the claim read) and took the
    // plan's storing batch down with it: store and approve alone; the run then goes one action
    // at a time where they collide.
    return storeAndApprove(db, known, event, options, step, false);
  }
}

/** planAndApprove past a deletion: the run in the storing batch when `runHere` and it can. */
async function storeAndApprove(
  db: Db,
  known: Known,
  event: Event,
  options: Options,
  step: (planId: string) => { fresh: boolean; also: Stmt[] },
  runHere: boolean,
): Promise<Approved> {
  const line = crypto.randomUUID();
  let reads: FirstReads | undefined;
  let opened = -1;
  const { plan, also } = await planEvent(db, known, event, options.now, async (stored, actions) => {
    const approval = approvalStatements(known, stored.id, line, step(stored.id));
    const run = runHere ? await runStatements(known, stored, actions, line, event, options) : null;
    if (run) {
      opened = approval.length - 1;
      return [...approval, ...run];
    }
    const approved = approvalAndReadStatements(db, known, stored.id, line, step(stored.id));
    reads = approved.reads;
    return approved.statements;
  });
  if (!reads) return ranFrom(known, also, plan.id, line, opened);
  return approvedFrom(also, plan.id, line, reads);
}

/**
 * The statements that run the stored plan in its storing batch, after its approval (what
 * policyApproved says it approves), and end the run's line; null when the plan
 * must run the usual way (blocked, nothing the policy approves, a member planning read afresh).
 */
async function runStatements(
  known: Known,
  stored: PlanView,
  actions: SavedAction[] | null,
  line: string,
  event: Event,
  options: Options,
): Promise<InStatement[] | null> {
  const { tenant } = known;
  if (!actions || stored.hubId !== known.hub.rows[0]?.id) return null;
  const approved = policyApproved(actions, tenant.settings, stored.status === "blocked");
  const members = new Map(known.members.snapshots.map((m) => [m.id, m]));
  // Run against the members as planned: else the usual run reads them.
  const asPlanned = approved.every(
    (a) => !a.memberId || members.get(a.memberId)?.version === a.memberVersion,
  );
  if (!asPlanned) return null;
  const ctx = contextFrom(known, stored.hubId, { type: "event", id: event.id }, options.acceptUrl);
  const run = await inBatchStatements(stored.id, approved, known.members.snapshots, ctx, known.segments);
  if (!run) return null;
  return [...run, endedRunStatement(tenant.id, line, stored.id, new Date()), ...afterRun(known, stored.id)];
}

/** What storeAndApprove's batch says when it ran the plan: the line, and the plan as the run left it. */
function ranFrom(known: Known, results: ResultSet[], planId: string, line: string, opened: number): Approved {
  const tail = results.slice(-afterRun(known, planId).length);
  const state = planStateFrom(tail.slice(0, 3), planId);
  const done = tail[3];
  return { ...state, line: results[opened]?.rowsAffected === 1 ? line : null, ran: { done } };
}

async function planEvent(db: Db, known: Known, event: Event, now: Date, also?: StreamedPlan["also"]) {
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
  /** The run's first read, made in the approval's batch; absent when that batch ran the plan. */
  read?: FirstReadDone;
  /** Present when the approval's batch ran the plan: what it read for the announcements. */
  ran?: { done: ResultSet | undefined };
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
  const { statements, reads } = approvalAndReadStatements(db, known, planId, line, step);
  return approvedFrom(await db.$client.batch(statements, "write"), planId, line, reads);
}

/**
 * approvalStatements, then the plan read back and the run's first read, so the run starts with
 * its write: one round trip fewer. approvedFrom reads their results.
 */
function approvalAndReadStatements(
  db: Db,
  known: Known,
  planId: string,
  line: string,
  step: { fresh: boolean; also: Stmt[] },
): { statements: Stmt[]; reads: FirstReads } {
  const reads = firstRead(db, planId, known.tenant.id);
  const statements = [
    ...approvalStatements(known, planId, line, step),
    ...planStateStatements(known.tenant.id, planId, SHOWN_ACTIONS),
    ...firstReadStatements(reads),
  ];
  return { statements, reads };
}

/** `step.also`, the approval and the run's line (last). */
function approvalStatements(
  known: Known,
  planId: string,
  line: string,
  step: { fresh: boolean; also: Stmt[] },
): Stmt[] {
  const { tenant } = known;
  const approval = policyApprovalStatement(tenant.id, planId, tenant.settings, new Date());
  const open = openLineStatements(tenant.id, planId, "event", line, { fresh: step.fresh, ifStartable: true });
  return [...step.also, ...(approval ? [approval] : []), ...open];
}

/** What approvalAndReadStatements' results say, from the end: the line opened, the plan, the run's read. */
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
  const announce = known.endpoints.length > 0;
  if (approved.ran) {
    if (announce)
      await announceExecution(db, plan, known.endpoints, doneFrom(approved.ran.done as ResultSet));
    return approved;
  }
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
  const ctx =
    known.hub.rows[0]?.id === plan.hubId
      ? contextFrom(known, plan.hubId, actor, options.acceptUrl)
      : await executionContext(db, {
          tenantId,
          hubId: plan.hubId,
          now: new Date(),
          actor,
          acceptUrl: options.acceptUrl,
        });
  const results = await executeUnderLine(db, line, plan.id, ctx, {
    budgetMs: options.budgetMs,
    after: afterRun(known, plan.id),
    read: approved.read,
  });
  const state = planStateFrom(results.slice(0, 3), plan.id);
  if (announce) {
    await announceExecution(db, state.plan, known.endpoints, doneFrom(results[3] as ResultSet));
  }
  return state;
}

/** Read when the run ends: the plan as it left it, and what it did, to announce. */
function afterRun(known: Known, planId: string): Stmt[] {
  const tenantId = known.tenant.id;
  return [
    ...planStateStatements(tenantId, planId, SHOWN_ACTIONS),
    ...(known.endpoints.length > 0 ? [doneStatement(tenantId, planId)] : []),
  ];
}

/** The execution context from what the claim read, for a plan of the event's hub. */
function contextFrom(
  known: Known,
  hubId: string,
  actor: { type: "event"; id: string },
  acceptUrl: string,
): ExecutionContext {
  return {
    tenantId: known.tenant.id,
    hubId,
    now: new Date(),
    actor,
    acceptUrl,
    tenantName: known.tenant.name,
    hubName: hubFrom(known.hub, hubId).name,
    inviteTemplate: inviteTemplateOf(known.tenant.settings),
  };
}
