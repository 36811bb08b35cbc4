// Creating hubs through the API: names are unique within a tenant.
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { hubs } from "../../db/schema.ts";
import { AppError } from "../errors.ts";
import { createHub } from "./tenants.ts";

export async function addHub(db: Db, tenantId: string, name: string) {
  const clash = () => new AppError("conflict", `This tenant already has a hub named "${name}".`);
  const existing = await db.query.hubs.findFirst({
    where: and(eq(hubs.tenantId, tenantId), eq(hubs.name, name)),
  });
  if (existing) throw clash();
  try {
    return await createHub(db, tenantId, name);
  } catch (error) {
    // The unique (tenant, name) index: someone created the same hub in between.
    if (error instanceof AppError) throw error;
    throw clash();
  }
}
