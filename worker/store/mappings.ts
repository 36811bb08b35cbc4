// The data mapping table, versioned per hub: a save adds a version, plans remember which they used.
import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { type MappingColumn, mappings } from "../../db/schema.ts";
import { AppError } from "../errors.ts";

export async function latestMapping(db: Db, tenantId: string, hubId: string) {
  const row = await db.query.mappings.findFirst({
    where: and(eq(mappings.tenantId, tenantId), eq(mappings.hubId, hubId)),
    orderBy: desc(mappings.version),
  });
  return row ?? null;
}

export async function saveMapping(
  db: Db,
  tenantId: string,
  hubId: string,
  columns: MappingColumn[],
  by: string,
) {
  const current = await latestMapping(db, tenantId, hubId);
  const version = (current?.version ?? 0) + 1;
  // The unique (tenant, hub, version) index turns a concurrent save into a conflict, not a lost write.
  try {
    const [row] = await db
      .insert(mappings)
      .values({ id: crypto.randomUUID(), tenantId, hubId, version, columns, createdBy: by })
      .returning();
    if (!row) throw new AppError("internal", "The mapping was not saved.");
    return row;
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError("conflict", "Someone saved the mapping at the same time; load it again and retry.");
  }
}
