// The benchmark's stack and tenants: sqld on a fresh database and the worker as deployed (its
// `wrangler deploy` bundle under workerd, no dev proxy: see startWorkerd), both on 127.0.0.1;
// tenants with a hub, an admin key and the export's mapping. Seeding a tenant with its previous
// snapshot runs the real import → approve → execute code in this process, against the same sqld:
// it is setup, not measured.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Client, createClient } from "@libsql/client";
import { type Db, openDb, uncompressedFetch } from "../../db/client.ts";
import { applyMigrations } from "../../db/migrate.ts";
import { saveMapping } from "../../worker/store/mappings.ts";
import { setApproval } from "../../worker/store/plans.ts";
import { createApiKey, createHub, createTenant } from "../../worker/store/tenants.ts";
import { executePlan, importAndPlan } from "../../worker/sync.ts";
import { freePort, type InProcessService, type Service, startSqld, startWorkerd } from "../stack.ts";
import { MAPPING } from "./data.ts";

export interface BenchStack {
  sqld: Service;
  worker: InProcessService;
  client: Client;
  db: Db;
  stop: () => Promise<void>;
}

export async function startBenchStack(): Promise<BenchStack> {
  const dir = mkdtempSync(join(tmpdir(), "profile-sync-bench-"));
  const sqld = await startSqld({ dbPath: join(dir, "sqld"), port: await freePort() });
  const client = createClient({ url: sqld.url, fetch: uncompressedFetch });
  const db = openDb(client);
  await applyMigrations(db);
  // The benchmark sends thousands of requests a minute with one key: no rate limit.
  const worker = await startWorkerd({
    port: await freePort(),
    databaseUrl: sqld.url,
    // The 250,000-row scaling run is past one import's default ceiling (sized for a 128 MB
    // isolate; local workerd has no such cap): the benchmark raises it.
    vars: { RATE_LIMIT_REQUESTS: "0", IMPORT_MAX_ROWS: "1000000", IMPORT_MAX_MB: "256" },
  });
  return {
    sqld,
    worker,
    client,
    db,
    stop: async () => {
      client.close();
      await worker.stop();
      await sqld.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface BenchTenant {
  tenantId: string;
  hubId: string;
  key: string;
  api: (path: string, init?: RequestInit) => Promise<Response>;
}

/**
 * A tenant whose guard allows the export's leavers (1%): a company this size raises the ceiling of
 * 500, as the product lets an admin do. Its mapping is saved before the first import.
 */
export async function benchTenant(stack: BenchStack, name: string): Promise<BenchTenant> {
  const tenant = await createTenant(stack.db, name, {
    guard: { percent: 10, floor: 10, ceiling: 1_000_000 },
  });
  const hub = await createHub(stack.db, tenant.id, "Everyone");
  await saveMapping(stack.db, tenant.id, hub.id, MAPPING, "bench");
  const { key } = await createApiKey(stack.db, tenant.id, "bench", "admin");
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${stack.worker.url}${path}`, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${key}` },
    });
  return { tenantId: tenant.id, hubId: hub.id, key, api };
}

/** The tenant holds the previous export: imported, approved and executed by the real code, here. */
export async function seedTenant(stack: BenchStack, tenant: BenchTenant, previous: string): Promise<void> {
  const { plan } = await importAndPlan(
    stack.db,
    tenant.tenantId,
    tenant.hubId,
    { format: "csv", body: new TextEncoder().encode(previous) },
    {
      source: "upload",
      filename: "previous.csv",
      partial: false,
      createdBy: "bench",
      now: new Date(),
      maxRows: Number.POSITIVE_INFINITY,
    },
  );
  await setApproval(stack.db, tenant.tenantId, plan.id, { approved: true, all: true, by: "bench" });
  for (;;) {
    const done = await executePlan(stack.db, tenant.tenantId, plan.id, {
      actor: { type: "admin", id: "bench" },
      acceptUrl: "http://127.0.0.1/invitations/accept?token=",
      budgetMs: 60_000,
    });
    if (done.progress.complete) break;
  }
  // The previous sync's invitation emails went out long ago; the worker must not deliver them now.
  await stack.client.execute({
    sql: "UPDATE outbox SET status = 'sent', sent_at = ? WHERE tenant_id = ? AND status = 'queued'",
    args: [new Date().toISOString(), tenant.tenantId],
  });
}
