// Backups round-tripped: a tenant populated through the API (import, execute, an acceptance, a
// second sync), exported with `node scripts/backup.ts export`, restored with `import` into a fresh
// sqld, compared table by table (nothing lost, nothing extra, another tenant's rows left behind),
// and served again by a worker on the restored database with the tenant's own API key.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type Client, createClient } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Backup, tenantTables } from "../../scripts/backup.ts";
import { freePort, ROOT, type Service, startSqld, startWorker } from "../../scripts/stack.ts";
import { createApiKey, createHub, createTenant } from "../../worker/store/tenants.ts";
import { type Stack, startStack } from "../helpers/stack.ts";

const run = promisify(execFile);
const HEADER = "Employee ID,First Name,Last Name,Work Email,Manager ID,Department,Country,Start Date,Status";
/** n people; `moved` sends everyone to another department (a second sync updates them). */
const people = (n: number, moved = 0) =>
  [
    HEADER,
    ...Array.from({ length: n }, (_, i) =>
      [`E${i + 1}`, "Ada", `Person ${i + 1}`, `p${i + 1}@acme.test`, i ? "E1" : "", `Dept ${(i + moved) % 3}`]
        .concat(["DE", "2020-01-15", "Active"])
        .join(","),
    ),
  ].join("\n");

let stack: Stack;
let dir: string;
let target: Service | undefined;
let targetClient: Client | undefined;
let worker: Service | undefined;
let planId: string;

async function sync(api: Stack["api"], hubId: string, csv: string) {
  const imported = await api(`/v1/hubs/${hubId}/imports`, {
    method: "POST",
    headers: { "content-type": "text/csv" },
    body: csv,
  });
  expect(imported.status).toBe(201);
  const id = ((await imported.json()) as { plan: { id: string } }).plan.id;
  const json = { "content-type": "application/json" };
  await api(`/v1/plans/${id}/approvals`, {
    method: "POST",
    headers: json,
    body: JSON.stringify({ all: true }),
  });
  const executed = await api(`/v1/plans/${id}/execute`, { method: "POST" });
  expect(executed.status).toBe(200);
  return id;
}

function cli(args: string[], databaseUrl: string) {
  return run(process.execPath, [join(ROOT, "scripts", "backup.ts"), ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });
}

/** Every row of every tenant table for the tenant, in a stable order, as plain values. */
async function tenantRows(client: Client, tenantId: string) {
  const all: Record<string, string[]> = {};
  for (const table of tenantTables()) {
    const result = await client.execute({
      sql: `SELECT * FROM "${table.name}" WHERE "${table.tenantColumn}" = ?`,
      args: [tenantId],
    });
    all[table.name] = result.rows.map((row) => JSON.stringify(result.columns.map((c) => row[c]))).sort();
  }
  return all;
}

beforeAll(async () => {
  stack = await startStack();
  dir = mkdtempSync(join(tmpdir(), "profile-sync-backup-"));
  // The tenant: a sync of invites, one accepted, then a sync of updates and a leaver.
  await sync(stack.api, stack.hubId, people(12));
  const outbox = (await (await stack.api("/v1/outbox?limit=1")).json()) as { messages: { text: string }[] };
  const token = /token=([\w-]+)/.exec(outbox.messages[0]?.text ?? "")?.[1];
  const accepted = await fetch(`${stack.url}/invitations/accept`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token }),
  });
  expect(accepted.status).toBe(200);
  planId = await sync(stack.api, stack.hubId, people(11, 1));
  // Another tenant in the same database, whose rows must stay behind.
  const other = await createTenant(stack.db, "Other Co");
  const otherHub = await createHub(stack.db, other.id, "Other hub");
  const { key } = await createApiKey(stack.db, other.id, "other", "admin");
  const otherApi = (path: string, init: RequestInit = {}) =>
    fetch(`${stack.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${key}`, ...(init.headers as Record<string, string>) },
    });
  await sync(otherApi, otherHub.id, people(5));
});

afterAll(async () => {
  targetClient?.close();
  await worker?.stop();
  await target?.stop();
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("tenant backup and restore", () => {
  it("covers every table of the schema", () => {
    const names = tenantTables().map((t) => t.name);
    expect(names[0]).toBe("tenants");
    expect(names.indexOf("plans")).toBeLessThan(names.indexOf("plan_actions"));
    expect(names.indexOf("members")).toBeLessThan(names.indexOf("hub_memberships"));
    expect(new Set(names).size).toBe(names.length);
  });

  it("round-trips the tenant into a fresh database: every row, nothing more, and its key still works", async () => {
    const file = join(dir, "tenant.json");
    const exported = await cli(["export", "--tenant", stack.tenantId, "--out", file], stack.sqld.url);
    expect(exported.stdout).toMatch(/^exported tenant .* rows/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const backup = JSON.parse(readFileSync(file, "utf8")) as Backup;
    expect(Object.keys(backup.tables).sort()).toEqual(
      tenantTables()
        .map((t) => t.name)
        .sort(),
    );

    const sourceClient = createClient({ url: stack.sqld.url });
    const source = await tenantRows(sourceClient, stack.tenantId);
    sourceClient.close();
    // Not vacuous: the syncs left rows in the tables that matter.
    for (const table of [
      "members",
      "hub_memberships",
      "plan_actions",
      "invitations",
      "outbox",
      "audit_log",
    ]) {
      expect(source[table]?.length, table).toBeGreaterThan(10);
    }

    target = await startSqld({ dbPath: join(dir, "restored"), port: await freePort() });
    const restored = await cli(["import", "--in", file], target.url);
    expect(restored.stdout).toMatch(/^restored tenant .* rows/);

    targetClient = createClient({ url: target.url });
    expect(await tenantRows(targetClient, stack.tenantId)).toEqual(source);
    for (const table of tenantTables()) {
      const total = await targetClient.execute(`SELECT count(*) AS n FROM "${table.name}"`);
      expect(Number(total.rows[0]?.n), table.name).toBe(source[table.name]?.length);
    }

    worker = await startWorker({ port: await freePort(), databaseUrl: target.url });
    const auth = { authorization: `Bearer ${stack.apiKey}` };
    const hubs = await fetch(`${worker.url}/v1/hubs`, { headers: auth });
    expect(hubs.status).toBe(200);
    expect(((await hubs.json()) as { hubs: { id: string }[] }).hubs.map((h) => h.id)).toEqual([stack.hubId]);
    const before = await (await stack.api(`/v1/plans/${planId}`)).json();
    const after = await fetch(`${worker.url}/v1/plans/${planId}`, { headers: auth });
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual(before);
  }, 180_000);

  it("refuses to restore over a database that already holds the tenant, changing nothing", async () => {
    if (!targetClient || !target) throw new Error("runs after the round trip");
    const before = await tenantRows(targetClient, stack.tenantId);
    const again = cli(["import", "--in", join(dir, "tenant.json")], target.url);
    await expect(again).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("already exists") });
    expect(await tenantRows(targetClient, stack.tenantId)).toEqual(before);
  });
});
