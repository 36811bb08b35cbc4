// Importing an HRIS snapshot: a CSV/TSV file or the add-on's JSON table.
import { z } from "@hono/zod-openapi";
import { Plan } from "./plans.ts";

const Cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const JsonTable = z
  .strictObject({
    columns: z.array(z.string()).min(1),
    rows: z.array(z.array(Cell)),
    rowNumbers: z.array(z.number().int().positive()).optional().openapi({
      description: "Sheet row of each entry of `rows`, so messages point at the right line.",
    }),
  })
  .openapi("JsonTable");

export const ImportQuery = z.object({
  partial: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true")
    .openapi({ description: "A partial export never deactivates the people it leaves out." }),
  filename: z.string().max(255).optional(),
});

export const ImportIssue = z
  .object({
    row: z.number().int().nullable(),
    level: z.enum(["error", "warning"]),
    code: z.string(),
    message: z.string(),
  })
  .openapi("ImportIssue");

export const ImportResult = z
  .object({
    import: z.object({
      id: z.string(),
      rowCount: z.number().int(),
      columns: z.array(z.string()),
      issues: z.array(ImportIssue),
    }),
    plan: Plan,
  })
  .openapi("ImportResult");
