// An HRIS push event (`employee.created|updated|deactivated|deleted`) becomes a one-person partial
// import through the same engine as a file: planned against the tenant's members, then approved
// as far as the tenant's auto-apply policy allows and executed; anything else waits for a person.
// A redelivered event (same id) is answered with the first delivery's plan and runs nothing.
import type { z } from "@hono/zod-openapi";
import type { Db } from "../db/client.ts";
import type { MappingColumn } from "../db/schema.ts";
import type { Employee, HrisEvent } from "./contract/events.ts";
import { CORE_FIELDS } from "./engine/types.ts";
import { AppError, type ProblemDetail } from "./errors.ts";
import { listCustomFields } from "./store/custom-fields.ts";
import { memberNamed, planDeletion } from "./store/event-actions.ts";
import { latestMapping } from "./store/mappings.ts";
import { autoApprove } from "./store/policy.ts";
import { claimEvent, finishEvent, releaseEvent } from "./store/processed-events.ts";
import { getHub } from "./store/tenants.ts";
import { executePlan, importAndPlan } from "./sync.ts";

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
    await executePlan(db, tenantId, planId, {
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
  const { columns, row, mapping } = await eventTable(db, tenantId, event.hubId, employee);
  const { plan } = await importAndPlan(
    db,
    tenantId,
    event.hubId,
    { format: "json", body: { columns, rows: [row] } },
    {
      source: "event",
      filename: null,
      partial: true,
      createdBy: `event:${event.id}`,
      now,
      mapping: { version: null, columns: mapping },
    },
  );
  if (event.type === "employee.deleted" && member) await planDeletion(db, tenantId, plan.id, member);
  return plan.id;
}

/**
 * The event as a one-row table with its own mapping: each field sent is a column feeding that
 * field, so exactly the fields the event carries are written. Segment values go through the hub
 * mapping's value map for that field, as they would from a file.
 */
async function eventTable(db: Db, tenantId: string, hubId: string, employee: EmployeeFields) {
  const columns: string[] = [];
  const row: string[] = [];
  const mapping: MappingColumn[] = [];
  for (const field of CORE_FIELDS) {
    const value = employee[field];
    if (value === undefined) continue;
    columns.push(field);
    row.push(value ?? "");
    mapping.push({ column: field, field, kind: "core", visibility: "private", values: {}, reviewed: true });
  }
  const profile = Object.entries(employee.profile ?? {});
  if (profile.length === 0) return { columns, row, mapping };
  const [fields, hubMapping] = await Promise.all([
    listCustomFields(db, tenantId),
    latestMapping(db, tenantId, hubId),
  ]);
  const problems: ProblemDetail[] = [];
  for (const [key, value] of profile) {
    const field = fields.find((f) => f.key === key);
    if (!field) {
      problems.push({
        field: `json.employee.profile.${key}`,
        message: `No segment or role "${key}" in this tenant.`,
      });
      continue;
    }
    const column = `profile.${key}`;
    columns.push(column);
    row.push(Array.isArray(value) ? value.join("; ") : value);
    mapping.push({
      column,
      field: key,
      kind: field.kind,
      visibility: field.visibility,
      values: hubMapping?.columns.find((m) => m.field === key)?.values ?? {},
      reviewed: true,
    });
  }
  if (problems.length) {
    throw new AppError(
      "unprocessable",
      "The event names fields this tenant does not have; see `errors`.",
      problems,
    );
  }
  return { columns, row, mapping };
}
