// An HRIS push event (`employee.created|updated|deactivated|deleted`) becomes a one-person partial
// import through the same engine as a file: planned against the tenant's members, then approved
// as far as the tenant's auto-apply policy allows and executed; anything else waits for a person.
// A redelivered event (same id) is answered with the first delivery's plan and runs nothing.
import type { z } from "@hono/zod-openapi";
import type { Db } from "../db/client.ts";
import type { Employee, HrisEvent } from "./contract/events.ts";
import { AppError } from "./errors.ts";
import { executeLogged } from "./execution-log.ts";
import { planPerson } from "./one-person.ts";
import { memberNamed, planDeletion } from "./store/event-actions.ts";
import { getPlan } from "./store/plans.ts";
import { autoApprove } from "./store/policy.ts";
import { claimEvent, finishEvent, releaseEvent } from "./store/processed-events.ts";
import { getHub } from "./store/tenants.ts";

type Event = z.infer<typeof HrisEvent>;
type EmployeeFields = z.infer<typeof Employee>;

/** The status word written for leavers: one the engine reads as "no longer employed". */
const LEAVER_STATUS = "terminated";

export interface EventReceipt {
  duplicate: boolean;
  /** Null only for a duplicate whose first delivery has not planned yet. */
  planId: string | null;
}

export async function receiveHrisEvent(
  db: Db,
  tenantId: string,
  event: Event,
  options: { acceptUrl: string; now: Date; budgetMs: number },
): Promise<EventReceipt> {
  const claim = await claimEvent(db, tenantId, event.id, options.now);
  if (!claim.first) {
    if (claim.status === "processing") {
      throw new AppError(
        "idempotency_in_progress",
        "This event is still being processed; deliver it again shortly.",
      );
    }
    // A first delivery that planned but died before applying is finished by its redelivery:
    // auto-approval and exactly-once execution make running them again harmless.
    if (claim.planId) await applyByPolicy(db, tenantId, claim.planId, event, options);
    return { duplicate: true, planId: claim.planId };
  }
  let planId: string;
  try {
    planId = await planEvent(db, tenantId, event, options.now);
    await finishEvent(db, tenantId, event.id, planId);
  } catch (error) {
    // Nothing was planned: the sender's retry must be able to run it.
    await releaseEvent(db, tenantId, event.id);
    throw error;
  }
  await applyByPolicy(db, tenantId, planId, event, options);
  return { duplicate: false, planId };
}

async function applyByPolicy(
  db: Db,
  tenantId: string,
  planId: string,
  event: Event,
  options: { acceptUrl: string; budgetMs: number },
): Promise<void> {
  const approved = await autoApprove(db, tenantId, planId);
  const { progress } = await getPlan(db, tenantId, planId);
  if (approved === 0 && progress.pending === 0) return;
  await executeLogged(db, tenantId, planId, {
    actor: { type: "event", id: event.id },
    acceptUrl: options.acceptUrl,
    budgetMs: options.budgetMs,
  });
}

async function planEvent(db: Db, tenantId: string, event: Event, now: Date): Promise<string> {
  await getHub(db, tenantId, event.hubId);
  const employee: EmployeeFields = { ...event.employee };
  const member = await memberNamed(db, tenantId, employee.employeeId ?? null, employee.email ?? null);
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
  const plan = await planPerson(db, tenantId, event.hubId, employee, {
    source: "event",
    createdBy: `event:${event.id}`,
    now,
    at: "json.employee.profile",
    subject: "event",
  });
  if (event.type === "employee.deleted" && member) await planDeletion(db, tenantId, plan.id, member);
  return plan.id;
}
