// Back up and restore one tenant:
//   node scripts/backup.ts export --tenant <id> --out tenant.json
//   node scripts/backup.ts import --in tenant.json
// against DATABASE_URL (default: the local sqld; DATABASE_AUTH_TOKEN for Turso). The export holds
// every row of every tenant-scoped table, read in one snapshot; the import migrates the target,
// refuses a database that already holds the tenant, and writes everything in one atomic batch.
// Tables come from db/schema.ts through Drizzle, so a table added there is backed up from day one;
// a table with no tenant_id stops the backup instead of being silently left out.
import { writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { type Client, createClient, type InStatement, type InValue, type Value } from "@libsql/client";
import { is } from "drizzle-orm";
import { getTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import { openDb } from "../db/client.ts";
import { applyMigrations } from "../db/migrate.ts";
import * as schema from "../db/schema.ts";

export const BACKUP_FORMAT = "profile-sync/tenant-backup";
export const BACKUP_VERSION = 1;
// Multi-row INSERTs stay well under libSQL's cap on bound parameters per statement.
const MAX_PARAMS = 10_000;

export interface TenantTable {
  name: string;
  columns: string[];
  /** The column holding the tenant's id: `id` for `tenants`, `tenant_id` everywhere else. */
  tenantColumn: string;
}

/** A stored value JSON cannot hold as is: blobs as base64. */
type Cell = string | number | null | { base64: string };

export interface TableRows {
  columns: string[];
  rows: Cell[][];
}

export interface Backup {
  format: typeof BACKUP_FORMAT;
  version: typeof BACKUP_VERSION;
  tenantId: string;
  exportedAt: string;
  tables: Record<string, TableRows>;
}

/** Every table of the schema, parents before children (foreign keys), each with its tenant column. */
export function tenantTables(): TenantTable[] {
  const configs = (Object.values(schema) as unknown[])
    .filter((value): value is SQLiteTable => is(value, SQLiteTable))
    .map((table) => getTableConfig(table));
  const parents = new Map(
    configs.map((c) => [c.name, c.foreignKeys.map((fk) => getTableConfig(fk.reference().foreignTable).name)]),
  );
  const ordered: string[] = [];
  const visit = (name: string) => {
    if (ordered.includes(name)) return;
    for (const parent of parents.get(name) ?? []) if (parent !== name) visit(parent);
    ordered.push(name);
  };
  for (const c of configs) visit(c.name);
  return ordered.map((name) => {
    const config = configs.find((c) => c.name === name);
    const columns = config?.columns.map((c) => c.name) ?? [];
    const tenantColumn = name === "tenants" ? "id" : columns.includes("tenant_id") ? "tenant_id" : null;
    if (!tenantColumn) {
      throw new Error(`Table ${name} has no tenant_id column: decide how it is backed up before adding it.`);
    }
    return { name, columns, tenantColumn };
  });
}

/** Every row of the tenant, read in one snapshot (a read batch is one transaction). */
export async function exportTenant(client: Client, tenantId: string): Promise<Backup> {
  const tables = tenantTables();
  const results = await client.batch(
    tables.map((t) => ({
      sql: `SELECT * FROM "${t.name}" WHERE "${t.tenantColumn}" = ? ORDER BY rowid`,
      args: [tenantId],
    })),
    "read",
  );
  if ((results[0]?.rows.length ?? 0) === 0) throw new Error(`No tenant ${tenantId} in this database.`);
  const rows: Record<string, TableRows> = {};
  tables.forEach((t, i) => {
    const result = results[i];
    if (!result) return;
    rows[t.name] = {
      columns: result.columns,
      rows: result.rows.map((r) => result.columns.map((_, c) => toCell(r[c]))),
    };
  });
  return {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    tenantId,
    exportedAt: new Date().toISOString(),
    tables: rows,
  };
}

/**
 * Restores a backup into a database that does not hold the tenant: migrated first, then every row
 * in one atomic batch, so a failed restore leaves nothing behind. Returns rows written per table.
 */
export async function importTenant(client: Client, backup: Backup): Promise<Record<string, number>> {
  if (backup.format !== BACKUP_FORMAT || backup.version !== BACKUP_VERSION) {
    throw new Error(`Not a ${BACKUP_FORMAT} version ${BACKUP_VERSION} file.`);
  }
  await applyMigrations(openDb(client));
  const tables = tenantTables();
  const known = new Set(tables.map((t) => t.name));
  const unknown = Object.keys(backup.tables).filter((name) => !known.has(name));
  if (unknown.length > 0)
    throw new Error(`The backup has tables this schema does not: ${unknown.join(", ")}.`);
  const existing = await client.execute({
    sql: "SELECT 1 FROM tenants WHERE id = ?",
    args: [backup.tenantId],
  });
  if (existing.rows.length > 0) {
    throw new Error(`Tenant ${backup.tenantId} already exists here: restore into a database without it.`);
  }
  const statements: InStatement[] = [];
  const written: Record<string, number> = {};
  for (const table of tables) {
    const data = backup.tables[table.name];
    if (!data || data.rows.length === 0) continue;
    const extra = data.columns.filter((c) => !table.columns.includes(c));
    if (extra.length > 0)
      throw new Error(`Table ${table.name} has no column ${extra.join(", ")} in this schema.`);
    statements.push(...insertStatements(table.name, data));
    written[table.name] = data.rows.length;
  }
  await client.batch(statements, "write");
  return written;
}

function insertStatements(table: string, data: TableRows): InStatement[] {
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS / data.columns.length));
  const columns = data.columns.map((c) => `"${c}"`).join(", ");
  const placeholders = `(${data.columns.map(() => "?").join(", ")})`;
  const statements: InStatement[] = [];
  for (let i = 0; i < data.rows.length; i += perStatement) {
    const chunk = data.rows.slice(i, i + perStatement);
    statements.push({
      sql: `INSERT INTO "${table}" (${columns}) VALUES ${chunk.map(() => placeholders).join(", ")}`,
      args: chunk.flatMap((row) => row.map(fromCell)),
    });
  }
  return statements;
}

function toCell(value: Value | undefined): Cell {
  if (value === undefined || value === null) return null;
  if (typeof value === "bigint") return Number(value);
  if (value instanceof ArrayBuffer) return { base64: Buffer.from(value).toString("base64") };
  return value;
}

function fromCell(cell: Cell): InValue {
  if (cell !== null && typeof cell === "object") return Buffer.from(cell.base64, "base64");
  return cell;
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { tenant: { type: "string" }, out: { type: "string" }, in: { type: "string" } },
  });
  const url = process.env.DATABASE_URL ?? `http://127.0.0.1:${process.env.SQLD_PORT ?? 8080}`;
  const client = createClient({ url, authToken: process.env.DATABASE_AUTH_TOKEN });
  try {
    const [command] = positionals;
    if (command === "export" && values.tenant && values.out) {
      const backup = await exportTenant(client, values.tenant);
      // Personal data: readable by the owner only.
      writeFileSync(values.out, JSON.stringify(backup), { mode: 0o600 });
      console.log(`exported tenant ${values.tenant} to ${values.out}: ${describe(counts(backup))}`);
      return;
    }
    if (command === "import" && values.in) {
      const backup = JSON.parse(await readFile(values.in, "utf8")) as Backup;
      const written = await importTenant(client, backup);
      console.log(`restored tenant ${backup.tenantId} into ${url}: ${describe(written)}`);
      return;
    }
    console.error(
      "usage: node scripts/backup.ts export --tenant <id> --out <file.json>\n" +
        "       node scripts/backup.ts import --in <file.json>\n" +
        "DATABASE_URL (default http://127.0.0.1:8080) and DATABASE_AUTH_TOKEN name the database.",
    );
    process.exitCode = 2;
  } finally {
    client.close();
  }
}

function counts(backup: Backup): Record<string, number> {
  return Object.fromEntries(Object.entries(backup.tables).map(([name, t]) => [name, t.rows.length]));
}

function describe(written: Record<string, number>): string {
  const total = Object.values(written).reduce((a, b) => a + b, 0);
  const nonEmpty = Object.entries(written).filter(([, n]) => n > 0);
  return `${total} rows (${nonEmpty.map(([name, n]) => `${name} ${n}`).join(", ")})`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`backup failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
