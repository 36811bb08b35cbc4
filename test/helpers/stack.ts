// The real stack for end-to-end tests: sqld on a free port with a fresh database, migrated, a
// tenant with a hub and an admin key, and the worker under wrangler dev (workerd). Either part can
// be killed (SIGKILL, no goodbye) and restarted on the same database, to test crash recovery.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { type Db, openDb } from "../../db/client.ts";
import { applyMigrations } from "../../db/migrate.ts";
import { freePort, type Service, startSqld, startWorker } from "../../scripts/stack.ts";
import { createApiKey, createHub, createTenant } from "../../worker/store/tenants.ts";

export interface Stack {
  /** The current worker's URL (a restarted worker listens on a new port). */
  readonly url: string;
  db: Db;
  readonly sqld: Service;
  readonly worker: Service;
  tenantId: string;
  hubId: string;
  apiKey: string;
  /** fetch against the worker with the tenant's admin key. */
  api: (path: string, init?: RequestInit) => Promise<Response>;
  /** SIGKILL the worker: wrangler and the workerd it runs, mid-request if one is running. */
  killWorker: () => void;
  /** A new worker on the same sqld (the old one is killed first if it still runs). */
  restartWorker: () => Promise<void>;
  /** SIGKILL sqld: an open transaction is lost, committed ones stay. */
  killSqld: () => void;
  /** sqld again on the same database file and port. */
  restartSqld: () => Promise<void>;
  /** Another worker on the same sqld with other `[vars]`, stopped with the stack. */
  extraWorker: (vars: Record<string, string>) => Promise<Service>;
  stop: () => Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), "profile-sync-e2e-"));
  const dbPath = join(dir, "sqld");
  const sqldPort = await freePort();
  let sqld = await startSqld({ dbPath, port: sqldPort });
  const client = createClient({ url: sqld.url });
  const db = openDb(client);
  await applyMigrations(db);
  const tenant = await createTenant(db, "E2E Co");
  const hub = await createHub(db, tenant.id, "Mentoring");
  const { key } = await createApiKey(db, tenant.id, "e2e", "admin");
  const launch = async (vars?: Record<string, string>) =>
    startWorker({ port: await freePort(), databaseUrl: sqld.url, vars });
  let worker = await launch();
  const extras: Service[] = [];
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${worker.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${key}`, ...(init.headers as Record<string, string>) },
    });
  return {
    get url() {
      return worker.url;
    },
    get sqld() {
      return sqld;
    },
    get worker() {
      return worker;
    },
    db,
    tenantId: tenant.id,
    hubId: hub.id,
    apiKey: key,
    api,
    killWorker: () => killTree(worker),
    restartWorker: async () => {
      killTree(worker);
      await exited(worker);
      worker = await launch();
    },
    killSqld: () => killTree(sqld),
    restartSqld: async () => {
      killTree(sqld);
      await exited(sqld);
      sqld = await startSqld({ dbPath, port: sqldPort });
    },
    extraWorker: async (vars) => {
      const extra = await launch(vars);
      extras.push(extra);
      return extra;
    },
    stop: async () => {
      client.close();
      await Promise.all([worker, ...extras].map((w) => w.stop()));
      await sqld.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** SIGKILL a service and every process under it (wrangler runs workerd as a child). */
function killTree(service: Service): void {
  const root = service.process.pid;
  if (root === undefined || service.process.exitCode !== null || service.process.signalCode !== null) return;
  for (const pid of [...descendantsOf(root), root]) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

function descendantsOf(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the parent; the name (field 2) may hold spaces, so split after ")".
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // exited while we looked
    }
  }
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const [child, parent] of parents) {
      if (parent !== pid) continue;
      found.push(child);
      walk(child);
    }
  };
  walk(root);
  return found;
}

async function exited(service: Service): Promise<void> {
  const child = service.process;
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => child.once("exit", () => resolve()));
}
