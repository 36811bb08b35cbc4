// Shapes shared by every resource of the API contract.
import { z } from "@hono/zod-openapi";
import { ERROR_STATUS } from "../errors.ts";

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.enum(Object.keys(ERROR_STATUS) as [keyof typeof ERROR_STATUS, ...(keyof typeof ERROR_STATUS)[]]),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z
      .array(
        z.object({ field: z.string().optional(), row: z.number().int().optional(), message: z.string() }),
      )
      .optional(),
  })
  .openapi("Problem");

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: Problem } },
});

/** The error answers every authenticated route can give. */
export const commonErrors = {
  400: problem("The request is not valid"),
  401: problem("No valid API key"),
  403: problem("The key may not do this"),
  404: problem("Not found in this tenant"),
} as const;

export { problem };

export const Uuid = z.string().uuid();
