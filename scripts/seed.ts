// The demo tenant `npm start` creates on an empty database: one tenant, one hub, one admin key.
import { eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { hubs, tenants } from "../db/schema.ts";
import { createApiKey, createHub, createTenant } from "../worker/store/tenants.ts";

export const DEMO_TENANT = "Acme Robotics (demo)";
export const DEMO_HUB = "Mentoring";

export interface DemoTenant {
  tenantId: string;
  hubId: string;
  /** Present only when a key was made now: keys are shown once. */
  apiKey: string | null;
  created: boolean;
}

export async function ensureDemoTenant(db: Db, options: { newKey: boolean }): Promise<DemoTenant> {
  const existing = await db.query.tenants.findFirst({ where: eq(tenants.name, DEMO_TENANT) });
  if (existing) {
    const hub = await db.query.hubs.findFirst({ where: eq(hubs.tenantId, existing.id) });
    const hubId = hub?.id ?? (await createHub(db, existing.id, DEMO_HUB)).id;
    const apiKey = options.newKey ? (await createApiKey(db, existing.id, "demo (new)", "admin")).key : null;
    return { tenantId: existing.id, hubId, apiKey, created: false };
  }
  const tenant = await createTenant(db, DEMO_TENANT);
  const hub = await createHub(db, tenant.id, DEMO_HUB);
  const { key } = await createApiKey(db, tenant.id, "demo", "admin");
  return { tenantId: tenant.id, hubId: hub.id, apiKey: key, created: true };
}
