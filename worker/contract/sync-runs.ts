// The sync log: every import+plan and every execution run, whoever started it.
import { z } from "@hono/zod-openapi";

export const SyncRun = z
  .object({
    id: z.string(),
    hubId: z.string().nullable(),
    trigger: z.enum(["manual", "cron", "event", "api"]),
    status: z.enum(["running", "done", "failed", "blocked", "interrupted"]).openapi({
      description:
        "`running`: an execution under way; `interrupted`: the run ended with approved actions pending (its time budget ran out; or, with `error` saying so, it was cut off: the worker, the connection or the database went away); `blocked`: the deprovisioning guard.",
    }),
    planId: z.string().nullable(),
    counts: z.record(z.string(), z.number()).openapi({
      description: "A plan run: actions per kind. An execution run: the plan's progress when it ended.",
    }),
    error: z.string().nullable(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi("SyncRun");

export const SyncRunPage = z
  .object({ runs: z.array(SyncRun), nextCursor: z.string().nullable() })
  .openapi("SyncRunPage");

export const SyncRunQuery = z.object({
  hubId: z.string().optional(),
  planId: z.string().optional(),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
