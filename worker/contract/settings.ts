// Tenant settings: time zone, date order, the deprovisioning guard, the auto-apply policy, the
// cron schedule, scheduled-sync sources and their policy, and content-region overrides.
import { z } from "@hono/zod-openapi";
import { MEMBER_CHANGE_KINDS, SCHEDULED_RULES } from "../../db/schema.ts";
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

const AutoApply = z
  .array(z.enum(MEMBER_CHANGE_KINDS))
  .max(MEMBER_CHANGE_KINDS.length)
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
  .openapi({
    description:
      "5-field cron for scheduled syncs, read in the tenant's time zone, e.g. `0 8 * * 1-5` (weekdays 08:00). " +
      "The worker checks every 15 minutes, so a schedule runs at the first check at or after its time.",
  });

const SourceId = z.string().min(1).max(64).openapi({
  description: "Omit for a new source; send an existing source's id to keep its stored credential.",
});

const Partial = z.boolean().optional().openapi({
  description: "A partial snapshot never deactivates people absent from it. Default false (a full export).",
});

/** Sources as sent: a CSV's bearer token is write-only; http://127.0.0.1 only in development. */
const SourceInput = z
  .discriminatedUnion("type", [
    z.strictObject({
      id: SourceId.optional(),
      type: z.literal("sheet"),
      hubId: z.string().min(1),
      spreadsheetId: z.string().min(1).max(200),
      range: z.string().min(1).max(200),
      partial: Partial,
    }),
    z.strictObject({
      id: SourceId.optional(),
      type: z.literal("csv"),
      hubId: z.string().min(1),
      url: z.url({ protocol: /^https?$/ }),
      partial: Partial,
      bearerToken: z
        .string()
        .min(1)
        .max(4096)
        .nullable()
        .optional()
        .openapi({
          description:
            "Sent as `Authorization: Bearer …` when fetching the URL. Stored encrypted, never shown again; " +
            "omit to keep the stored one (same id, same host), null to remove it.",
        }),
    }),
  ])
  .openapi("SyncSourceInput", {
    description:
      "Where the cron pulls a hub's snapshot from. Sheets are read with the deployment's Google service account " +
      "(share the sheet with `sheetsServiceAccount` as an editor: statuses are written back beside the rows).",
  });

export const SourceView = z
  .discriminatedUnion("type", [
    z.object({
      id: z.string(),
      type: z.literal("sheet"),
      hubId: z.string(),
      spreadsheetId: z.string(),
      range: z.string(),
      partial: z.boolean(),
    }),
    z.object({
      id: z.string(),
      type: z.literal("csv"),
      hubId: z.string(),
      url: z.string(),
      partial: z.boolean(),
      hasBearerToken: z.boolean(),
    }),
  ])
  .openapi("SyncSource");

const ScheduledAutoApply = z
  .array(z.enum(SCHEDULED_RULES))
  .max(SCHEDULED_RULES.length)
  .openapi({
    description:
      "What scheduled syncs apply without approval besides the autoApply kinds (never deletions): `starters`, " +
      "invites of people an earlier plan scheduled, once their start date arrives; `leavers`, deactivations a row " +
      "asks for (termination date passed or a leaver status), and the daily pass over stored termination dates. " +
      "People merely absent from an export wait for approval unless autoApply has `deactivate`. Default both.",
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
    sources: z.array(SourceView),
    scheduledAutoApply: z.array(z.enum(SCHEDULED_RULES)),
    sheetsServiceAccount: z.string().nullable().openapi({
      description: "The email to share sheet sources with; null when this deployment has no service account.",
    }),
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
    sources: z.array(SourceInput).max(20).optional(),
    scheduledAutoApply: ScheduledAutoApply.optional(),
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
