// A page row: [id, employee_id, email, status, source, version, in_hub, fingerprint or null,
// mapped values (memberPageShape) or null].
//
// The tenant's members as planning a big export needs them, compact: who they are (id, employee
// id, email), their state (status, source, version, hub membership) and one fingerprint of what
// the mapping writes to them (their mapped fields, dates, approver and content region). Built a
// page at a time as pages arrive from storage. A page carries a member's stored fingerprint when
// it is still valid (written by the last execution, for this layout); otherwise the member's
// mapped fields, fingerprinted here. Full snapshots are fetched only for the people who need an
// action.
import type { MemberSource, MemberStatus } from "../../db/schema.ts";
import { fingerprint } from "./fingerprint.ts";
import { type KeyIndex, keyIndex } from "./key-index.ts";
import { DATE_FIELDS, isCoreField } from "./mapping.ts";
import type { RosterLayout } from "./roster.ts";
import type { CoreField, DerivedField, MemberSnapshot } from "./types.ts";

export interface MemberIndex {
  size: number;
  ids: string[];
  employeeIds: (string | null)[];
  emails: string[];
  statuses: MemberStatus[];
  sources: MemberSource[];
  versions: number[];
  inHub: boolean[];
  fingerprints: number[];
  byEmployeeId: KeyIndex;
  byEmail: KeyIndex;
}

/** A member's mapped values, for a page row whose fingerprint is not valid. */
export interface MemberPageShape {
  /** Core and derived fields, in the order the row carries them. */
  fields: Field[];
  /** Whether the profile (JSON) comes last. */
  profile: boolean;
}

type Field = CoreField | DerivedField;

/** The fields a fingerprint covers for this layout, besides the profile. */
function fingerprintFields(layout: RosterLayout): Field[] {
  const fields: Field[] = [];
  for (const m of layout.active) {
    const field = m.field as string;
    if (m.kind === "core" && isCoreField(field) && !fields.includes(field)) fields.push(field);
  }
  if (layout.mapped.has("manager")) fields.push("approverId");
  if (layout.mapped.has("country")) fields.push("contentRegion");
  return fields;
}

/** The member fields a page row carries when the stored fingerprint is not valid. */
export function memberPageShape(layout: RosterLayout): MemberPageShape {
  return { fields: fingerprintFields(layout), profile: layout.profileKeys.length > 0 };
}

/** A number naming the layout: a stored fingerprint made under another layout is not valid. */
export function layoutKey(layout: RosterLayout): number {
  return fingerprint(
    JSON.stringify([
      layout.active.map((m) => [m.field, m.kind]),
      layout.mapped.has("manager"),
      layout.mapped.has("country"),
    ]),
  );
}

/** What fingerprints read of a member: core and derived fields, and the profile. */
export type FingerprintSource = Pick<MemberSnapshot, "core" | "derived" | "profile">;

/**
 * The fingerprint of a row's mapped values (`base`, of the row's JSON) with the fields compared on
 * their own: dates, approver and region. A row and its member fingerprint alike when planning would
 * find nothing to change in these fields.
 */
export function combinedFingerprint(
  base: number,
  dates: [string | null, string | null],
  derived: [string | null, string | null],
): number {
  return fingerprint(JSON.stringify([base, dates, derived]));
}

/**
 * A member's fingerprint under `layout`: its values written as the roster writes a row's (one per
 * mapped column, in order; null for dates and non-fields), then combined as combinedFingerprint.
 */
export function memberFingerprint(layout: RosterLayout, member: FingerprintSource): number {
  const values = layout.active.map((m) => {
    const field = m.field as string;
    if (m.kind !== "core") return member.profile[field] ?? null;
    if (!isCoreField(field) || DATE_FIELDS.has(field)) return null;
    return member.core[field] ?? null;
  });
  const base = fingerprint(JSON.stringify(values));
  const core = member.core;
  return combinedFingerprint(
    base,
    [
      layout.hasStartDate ? (core.startDate ?? null) : null,
      layout.hasTerminationDate ? (core.terminationDate ?? null) : null,
    ],
    [
      layout.mapped.has("manager") ? (member.derived.approverId ?? null) : null,
      layout.mapped.has("country") ? (member.derived.contentRegion ?? null) : null,
    ],
  );
}

export interface MemberIndexBuilder {
  /** One page of rows as storage sends them. */
  add: (rows: unknown[][]) => void;
  finish: () => MemberIndex;
}

export function memberIndexBuilder(layout: RosterLayout): MemberIndexBuilder {
  const shape = memberPageShape(layout);
  const interned = new Map<string, string>();
  const intern = <T extends string>(value: T): T => {
    const kept = interned.get(value);
    if (kept !== undefined) return kept as T;
    interned.set(value, value);
    return value;
  };
  const ids: string[] = [];
  const employeeIds: (string | null)[] = [];
  const emails: string[] = [];
  const statuses: MemberStatus[] = [];
  const sources: MemberSource[] = [];
  const versions: number[] = [];
  const inHub: boolean[] = [];
  const fingerprints: number[] = [];
  return {
    add(rows) {
      for (const row of rows) {
        ids.push(row[0] as string);
        employeeIds.push((row[1] as string | null) ?? null);
        emails.push(row[2] as string);
        statuses.push(intern(row[3] as MemberStatus));
        sources.push(intern(row[4] as MemberSource));
        versions.push(row[5] as number);
        inHub.push(Boolean(row[6]));
        const stored = row[7];
        fingerprints.push(
          typeof stored === "number"
            ? stored
            : memberFingerprint(layout, sourceOfValues((row[8] ?? []) as unknown[], shape)),
        );
      }
    },
    finish: () => ({
      size: ids.length,
      ids,
      employeeIds,
      emails,
      statuses,
      sources,
      versions,
      inHub,
      fingerprints,
      byEmployeeId: keyIndex(employeeIds, "last"),
      byEmail: keyIndex(emails, "last"),
    }),
  };
}

/** A member's mapped values as a page row carries them (shape's fields, then the profile). */
function sourceOfValues(values: unknown[], shape: MemberPageShape): FingerprintSource {
  const core: MemberSnapshot["core"] = {};
  const derived: MemberSnapshot["derived"] = { approverId: null, contentRegion: null };
  shape.fields.forEach((field, i) => {
    const value = (values[i] as string | null) ?? null;
    if (field === "approverId" || field === "contentRegion") derived[field] = value;
    else core[field] = value;
  });
  const profile = shape.profile ? ((values[shape.fields.length] ?? {}) as MemberSnapshot["profile"]) : {};
  return { core, derived, profile };
}

/** A member as one row of a page, fields and all (for snapshots already in hand). */
export function memberPageRow(member: MemberSnapshot, shape: MemberPageShape): unknown[] {
  const values: unknown[] = shape.fields.map((field) =>
    field === "approverId" || field === "contentRegion"
      ? (member.derived[field] ?? null)
      : (member.core[field] ?? null),
  );
  if (shape.profile) values.push(member.profile);
  return [
    member.id,
    member.employeeId,
    member.email,
    member.status,
    member.source,
    member.version,
    member.inHub ? 1 : 0,
    null,
    values,
  ];
}

/** A compact index of snapshots already in hand (a few members, read whole). */
export function indexSnapshots(snapshots: MemberSnapshot[], layout: RosterLayout): MemberIndex {
  const builder = memberIndexBuilder(layout);
  const shape = memberPageShape(layout);
  builder.add(snapshots.map((s) => memberPageRow(s, shape)));
  return builder.finish();
}
