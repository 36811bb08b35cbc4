// The real stack for end-to-end tests: sqld on a free port with a fresh database, migrated, a
// tenant with a hub and an admin key, and the worker under wrangler dev (workerd).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { type Db, openDb } from "../../db/client.ts";
import { applyMigrations } from "../../db/migrate.ts";
import { freePort, type Service, startSqld, startWorker } from "../../scripts/stack.ts";
import { createApiKey, createHub, createTenant } from "../../worker/store/tenants.ts";

export interface Stack {
  url: string;
  db: Db;
  sqld: Service;
  worker: Service;
  tenantId: string;
  hubId: string;
  apiKey: string;
  /** fetch against the worker with the tenant's admin key. */
  api: (path: string, init?: RequestInit) => Promise<Response>;
  stop: () => Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), "profile-sync-e2e-"));
  const sqld = await startSqld({ dbPath: join(dir, "sqld"), port: await freePort() });
  const client = createClient({ url: sqld.url });
  const db = openDb(client);
  await applyMigrations(db);
  const tenant = await createTenant(db, "E2E Co");
  const hub = await createHub(db, tenant.id, "Mentoring");
  const { key } = await createApiKey(db, tenant.id, "e2e", "admin");
  const worker = await startWorker({ port: await freePort(), databaseUrl: sqld.url });
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${worker.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${key}`, ...(init.headers as Record<string, string>) },
    });
  return {
    url: worker.url,
    db,
    sqld,
    worker,
    tenantId: tenant.id,
    hubId: hub.id,
    apiKey: key,
    api,
    stop: async () => {
      client.close();
      await worker.stop();
      await sqld.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
