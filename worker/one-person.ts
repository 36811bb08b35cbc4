// One person's change as a one-row partial import through the same engine as a file: each field
// given becomes a column feeding that field, so exactly the fields given are written (a field left
// out is left alone, one given as null is cleared). HRIS events and SCIM requests come through here.
import type { Db } from "../db/client.ts";
import type { MappingColumn } from "../db/schema.ts";
import { CORE_FIELDS, type CoreField } from "./engine/types.ts";
import { AppError, type ProblemDetail } from "./errors.ts";
import { listCustomFields } from "./store/custom-fields.ts";
import { latestMapping } from "./store/mappings.ts";
import type { NewImport } from "./store/plans.ts";
import { type ImportOptions, importAndPlan } from "./sync.ts";

export type PersonFields = Partial<Record<CoreField, string | null>> & {
  /** Segment and role values by field key. */
  profile?: Record<string, string | string[]>;
};

export interface PersonOptions {
  source: NewImport["source"];
  createdBy: string;
  now: Date;
  /** Where the caller's input names profile fields, for errors: `json.employee.profile`. */
  at: string;
  /** What the caller calls its input, for errors: "event". */
  subject: string;
  /** Profile keys the tenant may not have yet, written as new private segments (created on execution). */
  creatable?: ReadonlySet<string>;
  /** What the caller has read already (the tenant and hub…). */
  known?: ImportOptions["known"];
  /** Statements for the batch that stores the plan (ImportOptions.also); results in `also`. */
  also?: ImportOptions["also"];
}

/**
 * Plans one person's change in `hubId`; partial, so nobody else is ever deprovisioned. Answers the
 * plan and the results of `options.also`.
 */
export async function planPerson(
  db: Db,
  tenantId: string,
  hubId: string,
  person: PersonFields,
  options: PersonOptions,
) {
  const { columns, row, mapping } = await personTable(db, tenantId, hubId, person, options);
  return importAndPlan(
    db,
    tenantId,
    hubId,
    { format: "json", body: { columns, rows: [row] } },
    {
      source: options.source,
      filename: null,
      partial: true,
      createdBy: options.createdBy,
      now: options.now,
      mapping: { version: null, columns: mapping },
      ...(options.known ? { known: options.known } : {}),
      ...(options.also ? { also: options.also } : {}),
    },
  );
}

/**
 * The person as a one-row table with its own mapping. Segment values go through the hub
 * mapping's value map for that field, as they would from a file.
 */
async function personTable(
  db: Db,
  tenantId: string,
  hubId: string,
  person: PersonFields,
  options: PersonOptions,
) {
  const columns: string[] = [];
  const row: string[] = [];
  const mapping: MappingColumn[] = [];
  for (const field of CORE_FIELDS) {
    const value = person[field];
    if (value === undefined) continue;
    columns.push(field);
    row.push(value ?? "");
    mapping.push({ column: field, field, kind: "core", visibility: "private", values: {}, reviewed: true });
  }
  const profile = Object.entries(person.profile ?? {});
  if (profile.length === 0) return { columns, row, mapping };
  const [fields, hubMapping] = await Promise.all([
    listCustomFields(db, tenantId),
    latestMapping(db, tenantId, hubId),
  ]);
  const problems: ProblemDetail[] = [];
  for (const [key, value] of profile) {
    const field = fields.find((f) => f.key === key);
    if (!field && !options.creatable?.has(key)) {
      problems.push({
        field: `${options.at}.${key}`,
        message: `No segment or role "${key}" in this tenant.`,
      });
      continue;
    }
    const column = `profile.${key}`;
    columns.push(column);
    row.push(Array.isArray(value) ? value.join("; ") : value);
    mapping.push({
      column,
      field: key,
      kind: field?.kind ?? "segment",
      visibility: field?.visibility ?? "private",
      values: hubMapping?.columns.find((m) => m.field === key)?.values ?? {},
      reviewed: true,
    });
  }
  if (problems.length) {
    throw new AppError(
      "unprocessable",
      `The ${options.subject} names fields this tenant does not have; see \`errors\`.`,
      problems,
    );
  }
  return { columns, row, mapping };
}
