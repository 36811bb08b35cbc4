// Derived fields, computed after matching so that new people already have ids:
// line manager → approver (by employee id, email, or an unambiguous full name; missing and cyclic
// managers are warnings, never silent), and country → content region (the tenant's lookup first).
import { defaultContentRegion, resolveCountry } from "./countries.ts";
import { employmentOf, hasStarted } from "./employment.ts";
import { fold } from "./fold.ts";
import type { Match } from "./match.ts";
import type { MemberSnapshot, PersonRecord } from "./types.ts";

export interface DeriveOptions {
  newId: () => string;
  /** The tenant's country code → content region overrides. */
  regions: Readonly<Record<string, string>>;
  /** The tenant's local date: a manager who has not started yet cannot approve anyone. */
  today: string;
}

/** A match whose record carries derived fields and warnings, and the member id it will have. */
export type DerivedMatch = Match & { memberId: string };

export function deriveFields(
  matches: Match[],
  members: MemberSnapshot[],
  options: DeriveOptions,
): DerivedMatch[] {
  const withIds: DerivedMatch[] = matches.map((m) => ({
    ...m,
    record: { ...m.record, derived: { ...m.record.derived }, warnings: [...m.record.warnings] },
    memberId: m.member?.id ?? options.newId(),
  }));
  const usable = withIds.filter((m) => m.error === undefined);
  const directory = managerDirectory(usable, members, options.today);
  for (const m of usable) {
    if (m.record.mapped.has("manager")) resolveApprover(m, directory);
    if (m.record.mapped.has("country")) resolveRegion(m.record, options.regions);
  }
  flagCycles(usable);
  return withIds;
}

interface Directory {
  byKey: Map<string, string>;
  ambiguousNames: Set<string>;
}

/** Who a manager reference can point at: this export's people first, then existing members. */
function managerDirectory(matches: DerivedMatch[], members: MemberSnapshot[], today: string): Directory {
  const byKey = new Map<string, string>();
  const names = new Map<string, Set<string>>();
  const addName = (name: string, id: string) => {
    const key = fold(name);
    if (key) names.set(key, (names.get(key) ?? new Set()).add(id));
  };
  for (const m of members) {
    if (m.employeeId) byKey.set(`id:${m.employeeId}`, m.id);
    byKey.set(`email:${m.email}`, m.id);
    addName(fullName(m.core.firstName, m.core.lastName), m.id);
  }
  for (const m of matches) {
    // Someone not joining now (future starter, leaver) gets no member row from this plan.
    const joins =
      m.member !== null || (hasStarted(m.record, today) && employmentOf(m.record, today).employed);
    if (!joins) continue;
    const { employeeId, email, firstName, lastName } = m.record.core;
    if (employeeId) byKey.set(`id:${employeeId}`, m.memberId);
    if (email) byKey.set(`email:${email}`, m.memberId);
    addName(fullName(firstName, lastName), m.memberId);
  }
  const ambiguousNames = new Set<string>();
  for (const [name, ids] of names) {
    if (ids.size === 1) byKey.set(`name:${name}`, [...ids][0] as string);
    else ambiguousNames.add(name);
  }
  return { byKey, ambiguousNames };
}

function resolveApprover(m: DerivedMatch, directory: Directory): void {
  const ref = m.record.core.manager?.trim();
  if (!ref) {
    m.record.derived.approverId = null;
    m.record.warnings.push(NO_MANAGER);
    return;
  }
  const name = fold(reorderLastFirst(ref));
  const id =
    directory.byKey.get(`id:${ref}`) ??
    directory.byKey.get(`email:${ref.toLowerCase()}`) ??
    directory.byKey.get(`name:${name}`) ??
    null;
  m.record.derived.approverId = id;
  if (id) return;
  m.record.warnings.push(unresolvedManager(ref, directory.ambiguousNames.has(name)));
}

export const NO_MANAGER = "No manager in the export: no approver is set.";

export function unresolvedManager(ref: string, ambiguous: boolean): string {
  const why = ambiguous ? "matches more than one person" : "is not in the export or among members";
  return `Manager "${ref}" ${why}: no approver is set.`;
}

/** "Lovelace, Ada" (BambooHR's "Reporting to") → "Ada Lovelace"; fold() ignores word order anyway. */
export function reorderLastFirst(ref: string): string {
  return ref.includes(",") && !ref.includes("@") ? ref.split(",").reverse().join(" ") : ref;
}

export function fullName(first: string | null | undefined, last: string | null | undefined): string {
  return [first, last].filter(Boolean).join(" ");
}

function resolveRegion(record: PersonRecord, regions: Readonly<Record<string, string>>): void {
  const { region, warning } = regionOf(record.core.country, regions);
  record.derived.contentRegion = region;
  if (warning) record.warnings.push(warning);
}

/** The content region of a country as written in the export, and a warning when it is unknown. */
export function regionOf(
  raw: string | null | undefined,
  regions: Readonly<Record<string, string>>,
): { region: string | null; warning?: string } {
  if (!raw) return { region: null };
  const country = resolveCountry(raw);
  if (!country)
    return { region: null, warning: `Country "${raw}" is not recognised: no content region is set.` };
  return { region: regions[country.code] ?? defaultContentRegion(country.code) };
}

/** A chain of approvers that comes back to where it started is reported on every row in it. */
function flagCycles(matches: DerivedMatch[]): void {
  const approverOf = new Map<string, string | null>();
  for (const m of matches) approverOf.set(m.memberId, m.record.derived.approverId ?? null);
  for (const m of matches) {
    const cycle = cycleFrom(m.memberId, approverOf);
    if (cycle) m.record.warnings.push(cycleWarning(cycle));
  }
}

export function cycleWarning(people: number): string {
  return people === 1
    ? "This person is their own manager: check the export's managers."
    : `Manager cycle (${people} people approve each other): check the export's managers.`;
}

function cycleFrom(start: string, approverOf: Map<string, string | null>): number | null {
  let current = approverOf.get(start) ?? null;
  for (let steps = 1; current && steps <= approverOf.size; steps++) {
    if (current === start) return steps;
    current = approverOf.get(current) ?? null;
  }
  return null;
}
