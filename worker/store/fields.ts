// The tenant's segments and roles with their options: what auto-map matches columns and values to.
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { fieldOptions, fields } from "../../db/schema.ts";
import type { FieldInfo } from "../engine/automap.ts";

export async function listFields(db: Db, tenantId: string): Promise<FieldInfo[]> {
  const [rows, options] = await Promise.all([
    db.select().from(fields).where(eq(fields.tenantId, tenantId)).orderBy(fields.key),
    db.select().from(fieldOptions).where(eq(fieldOptions.tenantId, tenantId)).orderBy(fieldOptions.value),
  ]);
  return rows.map((f) => ({
    key: f.key,
    label: f.label,
    kind: f.kind,
    options: options.filter((o) => o.fieldId === f.id).map((o) => o.value),
  }));
}
