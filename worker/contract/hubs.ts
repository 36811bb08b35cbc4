import { z } from "@hono/zod-openapi";

export const Hub = z.object({ id: z.string(), name: z.string(), createdAt: z.string() }).openapi("Hub");
export const HubList = z.object({ hubs: z.array(Hub) }).openapi("HubList");
export const HubParams = z.object({ hubId: z.string().openapi({ param: { name: "hubId", in: "path" } }) });
export const PlanParams = z.object({ planId: z.string().openapi({ param: { name: "planId", in: "path" } }) });

export const HubInput = z
  .strictObject({ name: z.string().trim().min(1).max(100) })
  .openapi("HubInput", { example: { name: "Women in Tech" } });
