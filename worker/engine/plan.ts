// The "plan" step: compare each matched record with its member and propose what to do, with why.
// Pure and deterministic: the same snapshot against the same members gives the same actions
// (new member ids were given out, by an injected generator, when fields were derived).
import type { FieldChange } from "../../db/schema.ts";
import type { DerivedMatch } from "./derive.ts";
import { employmentOf, hasStarted } from "./employment.ts";
import type { RejectedRow } from "./mapping.ts";
import type { CoreField, DerivedField, MemberSnapshot, PersonRecord, PlannedAction } from "./types.ts";

export interface PlanOptions {
  hubId: string;
  /** The tenant's local date, YYYY-MM-DD. */
  today: string;
  /** Partial imports (events, uploads marked partial) never deprovision the absent. */
  partial: boolean;
}

export function planActions(
  matches: DerivedMatch[],
  rejected: RejectedRow[],
  hubMembers: MemberSnapshot[],
  options: PlanOptions,
): PlannedAction[] {
  const fromRows = [
    ...matches.map((m) => planMatch(m, options)),
    ...rejected.map((r) => rowError(r.row, null, r.message)),
  ].filter((a): a is PlannedAction => a !== null);
  fromRows.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
  const absent = options.partial ? [] : planAbsent(matches, rejected, hubMembers);
  return [...fromRows, ...absent];
}

/** The action one row proposes, or null when its member is already as the HRIS says. */
export function planMatch(match: DerivedMatch, options: PlanOptions): PlannedAction | null {
  const { record, member } = match;
  if (match.error !== undefined) return rowError(record.row, record, match.error);
  const employment = employmentOf(record, options.today);
  if (!member) return planNewPerson(record, match.memberId, employment.employed, options);
  if (member.status === "archived") {
    return action("skip", record, member, [], "Archived by an admin: a sync never re-adds this person.");
  }
  if (member.status === "deleted") {
    return action(
      "skip",
      record,
      member,
      [],
      "Deleted from the tenant: restore the member to sync them again.",
    );
  }
  // A leaver is never added to a hub they are not in.
  const joinHub = employment.employed && !member.inHub;
  const changes = diff(record, member, options.hubId, joinHub);
  if (!employment.employed) {
    if (member.status === "inactive") return changesOnly(record, member, changes, joinHub);
    // The leaver's row is still the HRIS's truth: its field changes ride along.
    return action(
      "deactivate",
      record,
      member,
      changes,
      `Leaver: ${employment.why}.`,
      payloadOf(record, joinHub),
    );
  }
  // A partial update that says nothing of employment (an event changing a title) is no reason to
  // bring a deactivated person back: only a row that carries a status can.
  const saysEmployed = !options.partial || record.mapped.has("employmentStatus");
  if (member.status === "inactive" && !saysEmployed) return changesOnly(record, member, changes, joinHub);
  if (member.status === "inactive") {
    return action(
      "reactivate",
      record,
      member,
      changes,
      "Active in the HRIS again.",
      payloadOf(record, joinHub),
    );
  }
  if (member.source === "manual") {
    return action(
      "update",
      record,
      member,
      changes,
      "Added by hand and now found in the HRIS: adopt it, so the HRIS keeps it up to date.",
      { ...payloadOf(record, joinHub), adopt: true },
    );
  }
  return changesOnly(record, member, changes, joinHub);
}

function changesOnly(
  record: PersonRecord,
  member: MemberSnapshot,
  changes: FieldChange[],
  joinHub: boolean,
): PlannedAction | null {
  if (changes.length === 0) return null;
  const fields = changes.map((c) => c.field).join(", ");
  return action(
    "update",
    record,
    member,
    changes,
    `Changed in the HRIS: ${fields}.`,
    payloadOf(record, joinHub),
  );
}

function planNewPerson(
  record: PersonRecord,
  memberId: string,
  employed: boolean,
  options: PlanOptions,
): PlannedAction {
  if (!employed)
    return action("skip", record, null, [], "Not employed and not on the platform: nothing to do.");
  const payload = { ...payloadOf(record), memberId };
  const changes = Object.entries({ ...record.core, ...record.derived })
    .filter(([, v]) => v)
    .map(([field, v]) => ({ field, before: null, after: v ?? null }));
  if (!hasStarted(record, options.today)) {
    const reason = `Starts on ${record.core.startDate}: invited on that day.`;
    return action("scheduled", record, null, changes, reason, payload);
  }
  return action("invite", record, null, changes, "New in the HRIS and not yet on the platform.", payload);
}

function planAbsent(
  matches: DerivedMatch[],
  rejected: RejectedRow[],
  hubMembers: MemberSnapshot[],
): PlannedAction[] {
  const seen = new Set(matches.map((m) => m.member?.id).filter(Boolean));
  // A row with an error may still be the absent person, by email or by employee id (a typo in the
  // email of someone whose id is right): never deprovision someone we can't rule out.
  const failed = matches.filter((m) => m.error !== undefined).map((m) => m.record.core);
  const unsure = new Set([...failed.map((c) => c.email), ...rejected.map((r) => r.email)]);
  const unsureIds = new Set([...failed.map((c) => c.employeeId), ...rejected.map((r) => r.employeeId)]);
  return hubMembers
    .filter((m) => !seen.has(m.id) && !unsure.has(m.email))
    .filter((m) => !(m.employeeId && unsureIds.has(m.employeeId)))
    .filter((m) => m.source === "hris" && (m.status === "active" || m.status === "invited"))
    .sort((a, b) => a.email.localeCompare(b.email))
    .map((m) => absentAction({ ...m, name: displayName(m.core) }));
}

/** An hris member missing from a full snapshot: deactivate, or one of the deletions instead. */
export function absentAction(
  m: Pick<MemberSnapshot, "id" | "version" | "email" | "employeeId"> & { name: string | null },
): PlannedAction {
  return {
    kind: "deactivate",
    row: null,
    memberId: m.id,
    memberVersion: m.version,
    email: m.email,
    employeeId: m.employeeId,
    name: m.name,
    changes: [],
    payload: { alternatives: ["delete_from_hub", "delete_from_tenant"] },
    reason: "Not in this full HRIS export: deactivate, or choose delete from hub or tenant instead.",
    warnings: [],
  };
}

/** Field-by-field before → after, mapped fields only, so unmapped data is never touched. */
function diff(record: PersonRecord, member: MemberSnapshot, hubId: string, joinHub: boolean): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const [field, after] of Object.entries(record.core)) {
    const before = member.core[field as CoreField] ?? null;
    if ((after ?? null) !== before) changes.push({ field, before, after: after ?? null });
  }
  for (const [field, after] of Object.entries(record.derived)) {
    const before = member.derived[field as DerivedField] ?? null;
    if ((after ?? null) !== before) changes.push({ field, before, after: after ?? null });
  }
  for (const field of record.mapped) {
    if (field in record.core) continue;
    const before = flatten(member.profile[field]);
    const after = flatten(record.profile[field]);
    if (before !== after) changes.push({ field, before, after });
  }
  if (joinHub) changes.push({ field: "hub", before: null, after: hubId });
  return changes;
}

function flatten(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(", ") || null : value;
}

/** What execution writes; `joinHub` when the member exists in the tenant but not yet in this hub. */
function payloadOf(record: PersonRecord, joinHub = false): Record<string, unknown> {
  return {
    ...(joinHub ? { joinHub: true } : {}),
    core: record.core,
    derived: record.derived,
    profile: record.profile,
    mapped: [...record.mapped].sort(),
  };
}

export function rowError(row: number, record: PersonRecord | null, message: string): PlannedAction {
  return {
    kind: "error",
    row,
    memberId: null,
    memberVersion: null,
    email: record?.core.email ?? null,
    employeeId: record?.core.employeeId ?? null,
    name: record ? displayName(record.core) : null,
    changes: [],
    payload: null,
    reason: message,
    warnings: record?.warnings ?? [],
  };
}

function action(
  kind: PlannedAction["kind"],
  record: PersonRecord,
  member: MemberSnapshot | null,
  changes: FieldChange[],
  reason: string,
  payload: Record<string, unknown> | null = null,
): PlannedAction {
  return {
    kind,
    row: record.row,
    memberId: member?.id ?? null,
    memberVersion: member?.version ?? null,
    email: record.core.email ?? member?.email ?? null,
    employeeId: record.core.employeeId ?? member?.employeeId ?? null,
    name: displayName(record.core) ?? (member ? displayName(member.core) : null),
    changes,
    payload,
    reason,
    warnings: record.warnings,
  };
}

function displayName(core: Partial<Record<CoreField, string | null>>): string | null {
  const name = [core.firstName, core.lastName].filter(Boolean).join(" ");
  return name || null;
}
