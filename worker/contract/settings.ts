// Tenant settings: time zone, date order, the deprovisioning guard, the auto-apply policy, the
// cron schedule, scheduled-sync sources and content-region overrides.
import { z } from "@hono/zod-openapi";
import { cronProblem } from "../cron-syntax.ts";
import { COUNTRIES } from "../engine/countries.ts";
import { ActionKind } from "./plans.ts";

const COUNTRY_CODES = new Set(COUNTRIES.map((c) => c.code));

const TimeZone = z
  .string()
  .refine(isTimeZone, "Not an IANA time zone (e.g. Europe/Paris, America/New_York, UTC).")
  .openapi({ description: "IANA time zone: decides which day it is for start and termination dates." });

const DateOrder = z.enum(["MDY", "DMY"]).nullable().openapi({
  description: "How to read ambiguous slash dates like 03/04/2025; null: warn instead of guessing.",
});

const Guard = z
  .strictObject({
    percent: z.number().min(0).max(100),
    floor: z.number().int().min(0),
    ceiling: z.number().int().min(0),
  })
  .refine((g) => g.ceiling >= g.floor, {
    message: "The ceiling must be at least the floor.",
    path: ["ceiling"],
  })
  .openapi({
    description:
      "A plan may deactivate or delete at most max(floor, percent of active members), and never more than ceiling, " +
      "without an override.",
  });

const APPROVABLE = [
  "invite",
  "update",
  "reactivate",
  "deactivate",
  "delete_from_hub",
  "delete_from_tenant",
] as const;

const AutoApply = z
  .array(z.enum(APPROVABLE))
  .max(APPROVABLE.length)
  .openapi({
    description:
      "Kinds applied without approval on scheduled syncs and HRIS events. Deprovisioning kinds (deactivate, " +
      "delete_*) are allowed but apply only within the guard; a plan the guard blocks is never auto-applied.",
  });

const Cron = z
  .string()
  .superRefine((value, ctx) => {
    const problem = cronProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .openapi({ description: "5-field cron (UTC) for scheduled syncs, e.g. `0 8 * * 1-5`." });

const Source = z
  .discriminatedUnion("type", [
    z.strictObject({
      type: z.literal("sheet"),
      hubId: z.string().min(1),
      spreadsheetId: z.string().min(1).max(200),
      range: z.string().min(1).max(200),
    }),
    z.strictObject({ type: z.literal("csv"), hubId: z.string().min(1), url: z.url({ protocol: /^https$/ }) }),
  ])
  .openapi("SyncSource", {
    description:
      "Where the cron pulls a hub's snapshot from. Credentials are never stored here: the Sheets service account " +
      "and any URL token are worker secrets.",
  });

const CountryCode = z
  .string()
  .refine(
    (c) => COUNTRY_CODES.has(c),
    "Not a country code this product knows (ISO 3166 alpha-2, upper case).",
  );

export const Settings = z
  .object({
    timeZone: z.string(),
    dateOrder: DateOrder,
    guard: z.object({ percent: z.number(), floor: z.number().int(), ceiling: z.number().int() }),
    autoApply: z.array(ActionKind),
    cron: z.string(),
    sources: z.array(Source),
    contentRegions: z
      .record(z.string(), z.string())
      .openapi({ description: "The tenant's country → content region overrides of the built-in table." }),
  })
  .openapi("Settings");

export const SettingsPatch = z
  .strictObject({
    timeZone: TimeZone.optional(),
    dateOrder: DateOrder.optional(),
    guard: Guard.optional(),
    autoApply: AutoApply.optional(),
    cron: Cron.optional(),
    sources: z.array(Source).max(20).optional(),
    contentRegions: z
      .record(CountryCode, z.string().trim().min(1).max(64).nullable())
      .optional()
      .openapi({ description: "Country code → region; null removes the override." }),
  })
  .openapi("SettingsPatch", {
    description: "Only the keys sent change.",
    example: {
      timeZone: "Europe/Paris",
      dateOrder: "DMY",
      autoApply: ["update"],
      contentRegions: { MX: "LATAM" },
    },
  });

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
