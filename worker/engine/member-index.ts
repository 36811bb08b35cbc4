// The tenant's members as planning a big export needs them, compact: who they are (id, employee
// id, email, name), their state (status, source, version, hub membership) and a fingerprint of the
// fields the mapping writes, plus the few fields compared on their own (dates, approver, region).
// Built a page at a time as pages arrive from storage; a member's full snapshot is fetched only
// for the people who need an action.
import type { MemberSource, MemberStatus } from "../../db/schema.ts";
import { fingerprint } from "./fingerprint.ts";
import { DATE_FIELDS, isCoreField } from "./mapping.ts";
import type { RosterLayout } from "./roster.ts";
import type { CoreField, MemberSnapshot } from "./types.ts";

export interface MemberIndex {
  size: number;
  ids: string[];
  employeeIds: (string | null)[];
  emails: string[];
  statuses: MemberStatus[];
  sources: MemberSource[];
  versions: number[];
  inHub: boolean[];
  /** First and last name joined, "" when neither. */
  names: string[];
  hashes: number[];
  startDates: (string | null)[];
  terminationDates: (string | null)[];
  approverIds: (string | null)[];
  contentRegions: (string | null)[];
  byEmployeeId: Map<string, number>;
  byEmail: Map<string, number>;
}

/** Storage columns a page of members carries, in order, for this layout. */
export interface MemberPageShape {
  /** Member table columns (snake case), after the fixed ones. */
  columns: string[];
  /** Whether the profile (JSON) comes last. */
  profile: boolean;
}

/** id, employee_id, email, status, source, version, in_hub, first_name, last_name come first. */
export const FIXED_COLUMNS = 9;

const COLUMN: Record<CoreField | "approverId" | "contentRegion", string> = {
  firstName: "first_name",
  lastName: "last_name",
  email: "email",
  employeeId: "employee_id",
  jobTitle: "job_title",
  manager: "manager",
  department: "department",
  location: "location",
  country: "country",
  startDate: "start_date",
  terminationDate: "termination_date",
  employmentStatus: "employment_status",
  approverId: "approver_id",
  contentRegion: "content_region",
};

/** What to read per member for this layout: mapped fields, dates, derived fields, the profile. */
export function memberPageShape(layout: RosterLayout): MemberPageShape {
  const inFixed = new Set<CoreField>(["employeeId", "email", "firstName", "lastName"]);
  const fields: (CoreField | "approverId" | "contentRegion")[] = layout.coreFields.filter((f) => !inFixed.has(f));
  if (layout.hasStartDate) fields.push("startDate");
  if (layout.hasTerminationDate) fields.push("terminationDate");
  if (layout.mapped.has("manager")) fields.push("approverId");
  if (layout.mapped.has("country")) fields.push("contentRegion");
  return { columns: fields.map((f) => COLUMN[f]), profile: layout.profileKeys.length > 0 };
}

export interface MemberIndexBuilder {
  /** One page: rows of [fixed columns..., shape columns..., profile?]. */
  add: (rows: unknown[][]) => void;
  finish: () => MemberIndex;
}

export function memberIndexBuilder(layout: RosterLayout): MemberIndexBuilder {
  const shape = memberPageShape(layout);
  const at = (column: string) => {
    const i = shape.columns.indexOf(column);
    return i < 0 ? -1 : FIXED_COLUMNS + i;
  };
  const startAt = at("start_date");
  const endAt = at("termination_date");
  const approverAt = at("approver_id");
  const regionAt = at("content_region");
  const profileAt = FIXED_COLUMNS + shape.columns.length;
  // What each mapped column would hold for this member, as the roster writes a row's values: the
  // core field's column (the fixed ones included), the profile's value, or null (dates, non-fields).
  const fixed: Partial<Record<CoreField, number>> = { employeeId: 1, email: 2, firstName: 7, lastName: 8 };
  const readers = layout.active.map((m): ((row: unknown[]) => unknown) => {
    const field = m.field as string;
    if (m.kind !== "core") return (row) => ((row[profileAt] ?? {}) as Record<string, unknown>)[field] ?? null;
    if (!isCoreField(field) || DATE_FIELDS.has(field)) return () => null;
    const column = fixed[field] ?? at(COLUMN[field]);
    return (row) => row[column] ?? null;
  });
  const intern = new Map<string, string>();
  const kept = (value: unknown): string | null => {
    if (typeof value !== "string") return null;
    let k = intern.get(value);
    if (k === undefined) {
      k = value;
      intern.set(k, k);
    }
    return k;
  };
  const index: MemberIndex = {
    size: 0,
    ids: [],
    employeeIds: [],
    emails: [],
    statuses: [],
    sources: [],
    versions: [],
    inHub: [],
    names: [],
    hashes: [],
    startDates: [],
    terminationDates: [],
    approverIds: [],
    contentRegions: [],
    byEmployeeId: new Map(),
    byEmail: new Map(),
  };
  const values: unknown[] = new Array(readers.length);
  return {
    add(rows) {
      for (const row of rows) {
        const i = index.size++;
        const [id, employeeId, email, status, source, version, inHub, first, last] = row as [
          string,
          string | null,
          string,
          MemberStatus,
          MemberSource,
          number,
          number,
          string | null,
          string | null,
        ];
        index.ids.push(id);
        index.employeeIds.push(employeeId);
        index.emails.push(email);
        index.statuses.push(kept(status) as MemberStatus);
        index.sources.push(kept(source) as MemberSource);
        index.versions.push(version);
        index.inHub.push(Boolean(inHub));
        index.names.push([first, last].filter(Boolean).join(" "));
        if (employeeId) index.byEmployeeId.set(employeeId, i);
        index.byEmail.set(email, i);
        for (let k = 0; k < readers.length; k++) values[k] = (readers[k] as (row: unknown[]) => unknown)(row);
        index.hashes.push(fingerprint(JSON.stringify(values)));
        if (startAt >= 0) index.startDates.push(kept(row[startAt]));
        if (endAt >= 0) index.terminationDates.push(kept(row[endAt]));
        if (approverAt >= 0) index.approverIds.push((row[approverAt] as string | null) ?? null);
        if (regionAt >= 0) index.contentRegions.push(kept(row[regionAt]));
      }
    },
    finish: () => index,
  };
}

const FIELD_OF: Record<string, CoreField | "approverId" | "contentRegion"> = Object.fromEntries(
  Object.entries(COLUMN).map(([field, column]) => [column, field as CoreField | "approverId" | "contentRegion"]),
);

/** A member as one row of a page, in the order storage sends it (for snapshots already in hand). */
export function memberPageRow(member: MemberSnapshot, shape: MemberPageShape): unknown[] {
  const row: unknown[] = [
    member.id,
    member.employeeId,
    member.email,
    member.status,
    member.source,
    member.version,
    member.inHub ? 1 : 0,
    member.core.firstName ?? null,
    member.core.lastName ?? null,
  ];
  for (const column of shape.columns) {
    const field = FIELD_OF[column] as CoreField | "approverId" | "contentRegion";
    row.push(
      field === "approverId" || field === "contentRegion"
        ? (member.derived[field] ?? null)
        : (member.core[field] ?? null),
    );
  }
  if (shape.profile) row.push(member.profile);
  return row;
}

/** A compact index of snapshots already in hand (a few members, read whole). */
export function indexSnapshots(snapshots: MemberSnapshot[], layout: RosterLayout): MemberIndex {
  const builder = memberIndexBuilder(layout);
  const shape = memberPageShape(layout);
  builder.add(snapshots.map((s) => memberPageRow(s, shape)));
  return builder.finish();
}

/**
 * A member's snapshot from its page row: the fields the page carries (what this layout maps, and
 * the member's identity and state). Enough for planning that member's row; execution reads the
 * member whole again.
 */
export function snapshotOfPageRow(row: unknown[], shape: MemberPageShape): MemberSnapshot {
  const [id, employeeId, email, status, source, version, inHub, firstName, lastName] = row as [
    string,
    string | null,
    string,
    MemberStatus,
    MemberSource,
    number,
    number,
    string | null,
    string | null,
  ];
  const core: MemberSnapshot["core"] = { employeeId, email, firstName, lastName };
  const derived: MemberSnapshot["derived"] = { approverId: null, contentRegion: null };
  shape.columns.forEach((column, i) => {
    const field = FIELD_OF[column] as CoreField | "approverId" | "contentRegion";
    const value = (row[FIXED_COLUMNS + i] as string | null) ?? null;
    if (field === "approverId" || field === "contentRegion") derived[field] = value;
    else core[field] = value;
  });
  const profile = shape.profile ? ((row[FIXED_COLUMNS + shape.columns.length] ?? {}) as MemberSnapshot["profile"]) : {};
  return { id, employeeId, email, status, source, version, inHub: Boolean(inHub), core, derived, profile };
}
