// Segments and roles: per-tenant fields with a fixed list of options.
import { z } from "@hono/zod-openapi";

const Key = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "Lower-case letters and digits joined by '-', e.g. cost-center.");

export const Field = z
  .object({
    key: z.string(),
    label: z.string(),
    kind: z.enum(["segment", "role"]),
    visibility: z.enum(["public", "private"]),
    createdAt: z.string(),
    options: z.array(z.string()),
  })
  .openapi("Field");

export const FieldList = z.object({ fields: z.array(Field) }).openapi("FieldList");

export const FieldInput = z
  .strictObject({
    key: Key.optional().openapi({
      description: "Defaults to the label made into a key (`Cost Center` → cost-center).",
    }),
    label: z.string().trim().min(1).max(100),
    kind: z.enum(["segment", "role"]),
    visibility: z.enum(["public", "private"]).default("public"),
    options: z.array(z.string().max(200)).max(10_000).default([]),
  })
  .openapi("FieldInput", {
    example: { label: "Seniority", kind: "segment", visibility: "public", options: ["Junior", "Senior"] },
  });

export const OptionsInput = z
  .strictObject({
    options: z.array(z.string().max(200)).min(1).max(10_000).openapi({
      description: "A pasted column: blanks are ignored, repeats and existing options folded together.",
    }),
  })
  .openapi("OptionsInput", { example: { options: ["Senior", "senior ", "Staff", ""] } });

export const OptionsResult = z
  .object({
    field: Field,
    added: z.array(z.string()).openapi({ description: "Options created now." }),
    matched: z.array(z.object({ value: z.string(), option: z.string() })).openapi({
      description: "Values that already were an option (case, accents, punctuation, word order ignored).",
    }),
  })
  .openapi("OptionsResult");

export const FieldParams = z.object({
  fieldKey: z.string().openapi({ param: { name: "fieldKey", in: "path" } }),
});
