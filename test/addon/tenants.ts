// A tenant of its own for each suite or test, so they do not see each other's members.
import type { Db } from "../../db/client.ts";
import { createApiKey, createHub, createTenant } from "../../worker/store/tenants.ts";

export interface Tenant {
  tenantId: string;
  hubId: string;
  hubName: string;
  apiKey: string;
}

export async function newTenant(db: Db, name: string): Promise<Tenant> {
  const tenant = await createTenant(db, name);
  const hubName = "Mentoring";
  const hub = await createHub(db, tenant.id, hubName);
  const { key } = await createApiKey(db, tenant.id, "sheet", "admin");
  return { tenantId: tenant.id, hubId: hub.id, hubName, apiKey: key };
}
