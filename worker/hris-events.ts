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
  const claim = await claimEvent(db, tenantId, event.id);
  if (!claim.first) return { duplicate: true, planId: claim.planId };
  let planId: string;
  try {
    planId = await planEvent(db, tenantId, event, options.now);
    await finishEvent(db, tenantId, event.id, planId);
  } catch (error) {
    // Nothing was planned: the sender's retry must be able to run it.
    await releaseEvent(db, tenantId, event.id);
    throw error;
  }
  const approved = await autoApprove(db, tenantId, planId);
  if (approved > 0) {
    await executeLogged(db, tenantId, planId, {
      actor: { type: "event", id: event.id },
      acceptUrl: options.acceptUrl,
      budgetMs: options.budgetMs,
    });
  }
  return { duplicate: false, planId };
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
