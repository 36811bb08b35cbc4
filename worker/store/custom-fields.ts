// Segments and roles as an admin manages them: create a field, paste a column of options. Options
// are unique by their folded form, so "Sales & Marketing" and "marketing, sales" are one option.
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { fieldOptions, fields } from "../../db/schema.ts";
import { fold, tidy } from "../engine/fold.ts";
import { AppError } from "../errors.ts";

// libSQL caps a statement's bound parameters; 5 columns an option keeps a chunk well under it.
const INSERT_CHUNK = 500;

export interface NewField {
  key: string;
  label: string;
  kind: "segment" | "role";
  visibility: "public" | "private";
}

export interface OptionsAdded {
  /** Options created now, as written. */
  added: string[];
  /** Values that were already options (or repeated one given earlier), each with the option they matched. */
  matched: { value: string; option: string }[];
}

export async function listCustomFields(db: Db, tenantId: string) {
  const [rows, options] = await Promise.all([
    db.select().from(fields).where(eq(fields.tenantId, tenantId)).orderBy(asc(fields.key)),
    db
      .select({ fieldId: fieldOptions.fieldId, value: fieldOptions.value })
      .from(fieldOptions)
      .where(eq(fieldOptions.tenantId, tenantId))
      .orderBy(asc(fieldOptions.value)),
  ]);
  return rows.map((f) =>
    fieldView(
      f,
      options.filter((o) => o.fieldId === f.id).map((o) => o.value),
    ),
  );
}

export async function getCustomField(db: Db, tenantId: string, key: string) {
  const row = await db.query.fields.findFirst({
    where: and(eq(fields.tenantId, tenantId), eq(fields.key, key)),
  });
  if (!row) throw new AppError("not_found", `No segment or role "${key}" in this tenant.`);
  const options = await db
    .select({ value: fieldOptions.value })
    .from(fieldOptions)
    .where(and(eq(fieldOptions.tenantId, tenantId), eq(fieldOptions.fieldId, row.id)))
    .orderBy(asc(fieldOptions.value));
  return {
    row,
    view: fieldView(
      row,
      options.map((o) => o.value),
    ),
  };
}

export async function createCustomField(db: Db, tenantId: string, field: NewField, options: string[]) {
  const id = crypto.randomUUID();
  try {
    await db.insert(fields).values({ id, tenantId, ...field });
  } catch {
    // The unique (tenant, key) index.
    throw new AppError("conflict", `This tenant already has a field "${field.key}".`, [
      { field: "json.key", message: "Choose another key, or add options to the existing field." },
    ]);
  }
  if (options.length) await addOptions(db, tenantId, field.key, options);
  return (await getCustomField(db, tenantId, field.key)).view;
}

/** Adds the distinct new values among `values` (blank ones ignored) to the field's options. */
export async function addOptions(db: Db, tenantId: string, key: string, values: string[]) {
  const { row } = await getCustomField(db, tenantId, key);
  const existing = await db
    .select({ value: fieldOptions.value, folded: fieldOptions.folded })
    .from(fieldOptions)
    .where(and(eq(fieldOptions.tenantId, tenantId), eq(fieldOptions.fieldId, row.id)));
  const byFold = new Map(existing.map((o) => [o.folded, o.value]));
  const result: OptionsAdded = { added: [], matched: [] };
  for (const raw of values) {
    const value = tidy(raw);
    const folded = fold(value);
    if (!folded) continue;
    const option = byFold.get(folded);
    if (option !== undefined) {
      result.matched.push({ value: raw, option });
      continue;
    }
    byFold.set(folded, value);
    result.added.push(value);
  }
  const rows = result.added.map((value) => ({
    id: crypto.randomUUID(),
    tenantId,
    fieldId: row.id,
    value,
    folded: fold(value),
  }));
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    // A concurrent paste of the same value loses quietly: the option exists either way.
    await db
      .insert(fieldOptions)
      .values(rows.slice(i, i + INSERT_CHUNK))
      .onConflictDoNothing();
  }
  return { ...result, field: (await getCustomField(db, tenantId, key)).view };
}

function fieldView(f: typeof fields.$inferSelect, options: string[]) {
  return {
    key: f.key,
    label: f.label,
    kind: f.kind,
    visibility: f.visibility,
    createdAt: f.createdAt,
    options,
  };
}
