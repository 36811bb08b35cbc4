// The data mapping table and auto-map suggestions.
import { z } from "@hono/zod-openapi";
import { CORE_FIELDS } from "../engine/types.ts";

export const MappingColumn = z
  .strictObject({
    column: z.string().min(1).openapi({ description: "The HRIS column header, exactly as in the export." }),
    field: z
      .string()
      .min(1)
      .nullable()
      .openapi({
        description: `A core field (${CORE_FIELDS.join(", ")}), a segment or role key, or null to ignore the column.`,
      }),
    kind: z.enum(["core", "segment", "role"]),
    visibility: z.enum(["public", "private"]).default("private"),
    values: z
      .record(z.string(), z.string())
      .default({})
      .openapi({ description: "HRIS value → segment option." }),
    reviewed: z.boolean().default(false),
    dateOrder: z.enum(["MDY", "DMY"]).nullable().optional().openapi({
      description: "How to read ambiguous slash dates in this column; overrides the tenant's setting.",
    }),
  })
  .openapi("MappingColumn");

export const MappingInput = z
  .strictObject({ columns: z.array(MappingColumn).max(1000) })
  .openapi("MappingInput");

export const Mapping = z
  .object({
    version: z.number().int(),
    columns: z.array(MappingColumn),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("Mapping");

export const SuggestionRequest = z
  .strictObject({
    columns: z.array(z.string()).min(1).max(1000),
    rows: z
      .array(z.array(z.string()))
      .max(1000)
      .default([])
      .openapi({ description: "A sample of data rows." }),
  })
  .openapi("SuggestionRequest");

export const ColumnSuggestion = z
  .object({
    column: z.string(),
    field: z.string().nullable(),
    kind: z.enum(["core", "segment", "role"]),
    confidence: z.number().min(0).max(1),
    reason: z.string(),
    values: z
      .object({
        values: z.record(z.string(), z.string()),
        newOptions: z.array(z.string()),
        confidence: z.record(z.string(), z.number()),
      })
      .optional()
      .openapi({
        description: "For segment and role columns: each sample value → an option, and options to create.",
      }),
  })
  .openapi("ColumnSuggestion");

export const Suggestions = z.object({ columns: z.array(ColumnSuggestion) }).openapi("Suggestions");
