// Row counts of every tenant-scoped table for one tenant, to prove by counting what a request
// wrote (or that it wrote nothing). Tables come from the schema, like the backup's.
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { tenantTables } from "../../scripts/backup.ts";

export async function tenantRowCounts(db: Db, tenantId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tenantTables()) {
    const rows = await db.all<{ n: number }>(
      sql`SELECT count(*) AS n FROM ${sql.identifier(table.name)} WHERE ${sql.identifier(table.tenantColumn)} = ${tenantId}`,
    );
    counts[table.name] = Number(rows[0]?.n ?? 0);
  }
  return counts;
}

/** Tables whose count changed, with the difference. */
export function changed(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  return Object.fromEntries(
    Object.keys(after)
      .map((name) => [name, (after[name] ?? 0) - (before[name] ?? 0)] as const)
      .filter(([, diff]) => diff !== 0),
  );
}
