// HRIS push events: one employee's change, signed by the HRIS, planned as a one-person partial
// import and auto-applied as far as the tenant's policy allows.
import { z } from "@hono/zod-openapi";
import { ActionKind, ActionStatus, Plan } from "./plans.ts";

export const EVENT_TYPES = [
  "employee.created",
  "employee.updated",
  "employee.deactivated",
  "employee.deleted",
] as const;

const Text = z.string().max(500).nullable().optional();
const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "A date as YYYY-MM-DD.")
  .nullable()
  .optional();

export const Employee = z
  .strictObject({
    employeeId: Text,
    email: z.email().max(320).nullable().optional(),
    firstName: Text,
    lastName: Text,
    jobTitle: Text,
    manager: Text.openapi({ description: "The manager's employee id or email." }),
    department: Text,
    location: Text,
    country: Text.openapi({ description: "ISO code or name." }),
    startDate: IsoDate,
    terminationDate: IsoDate,
    employmentStatus: Text,
    profile: z
      .record(z.string(), z.union([z.string().max(500), z.array(z.string().max(500)).max(100)]))
      .optional()
      .openapi({ description: "Segment and role values by field key (see GET /v1/fields)." }),
  })
  .refine((e) => Boolean(e.email || e.employeeId), {
    message: "Name the employee: send an email, an employeeId, or both.",
    path: ["email"],
  })
  .openapi("Employee", {
    description:
      "The fields sent are the ones the event writes; a field left out is left alone, a field sent as null is cleared.",
  });

export const HrisEvent = z
  .strictObject({
    id: z
      .string()
      .min(1)
      .max(200)
      .openapi({ description: "The sender's event id: a redelivery is recognised by it." }),
    type: z.enum(EVENT_TYPES),
    occurredAt: z.iso.datetime({ offset: true }),
    hubId: z.string().min(1),
    employee: Employee,
  })
  .openapi("HrisEvent", {
    example: {
      id: "evt_01J9Z3",
      type: "employee.updated",
      occurredAt: "2026-03-02T09:30:00Z",
      hubId: "6f0c1a52-7d0e-4b7e-9a39-1c2b3d4e5f60",
      employee: { employeeId: "E1024", email: "ada@acme.test", jobTitle: "Staff Engineer" },
    },
  });

export const EventAction = z
  .object({
    id: z.string(),
    kind: ActionKind,
    status: ActionStatus,
    approved: z.boolean(),
    reason: z.string(),
    message: z.string().nullable(),
  })
  .openapi("EventAction");

export const EventResult = z
  .object({
    eventId: z.string(),
    duplicate: z
      .boolean()
      .openapi({ description: "True when this event id was received before; nothing ran again." }),
    plan: Plan.nullable().openapi({
      description: "The plan the event made; null while its first delivery still runs.",
    }),
    actions: z.array(EventAction),
  })
  .openapi("EventResult");

export const EventSecretInput = z
  .strictObject({
    keepPreviousForHours: z.number().int().min(0).max(168).default(24).openapi({
      description: "How long the secret being replaced still verifies, while the HRIS is switched over.",
    }),
  })
  .openapi("EventSecretInput", { example: { keepPreviousForHours: 24 } });

export const EventSecret = z
  .object({
    secret: z.string().openapi({ description: "Sign events with it. Shown this once." }),
    generation: z.number().int(),
    previousValidUntil: z.string().nullable(),
  })
  .openapi("EventSecret");
