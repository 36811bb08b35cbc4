// Match → derive → plan for a whole export held as a Roster against a MemberIndex: the same
// actions matchRecords, deriveFields and planActions give for the same rows and members, computed
// without a full object per row or per member. Rows whose member already holds exactly what the
// HRIS says (same fingerprint, dates, approver and region, and nothing else to do) are settled from
// the compact data alone; the others are rebuilt as PersonRecords and planned by planMatch, with
// their members' full snapshots, which the caller fetches for the indices in `needed`.

import type { TextColumn } from "./columns.ts";
import { cycleWarning, NO_MANAGER, regionOf, reorderLastFirst, unresolvedManager } from "./derive.ts";
import { employmentOf, hasStarted } from "./employment.ts";
import { fold } from "./fold.ts";
import { keyIndex } from "./key-index.ts";
import { duplicateMessage, emailTakenMessage, otherEmployeeMessage } from "./match.ts";
import { combinedFingerprint, type MemberIndex } from "./member-index.ts";
import { absentAction, type PlanOptions, planMatch, rowError } from "./plan.ts";
import { type Roster, recordAt, rowName } from "./roster.ts";
import type { PersonRecord, PlannedAction, SnapshotLookup } from "./types.ts";

export interface RosterPlanOptions extends PlanOptions {
  newId: () => string;
  /** The tenant's country code → content region overrides. */
  regions: Readonly<Record<string, string>>;
  /**
   * Every member's first and last name joined, by index: needed only when a manager is named by
   * name. Without it such a plan reports `needsNames` and should be made again with them.
   */
  memberNames?: readonly string[];
}

export interface RosterPlan {
  /** Member indices whose full snapshots planning needs. */
  needed: number[];
  /** Active or invited members of the hub: what the deprovisioning guard measures against. */
  activeCount: number;
  /** The actions, in planActions' order; `snapshots` holds the needed members by id. */
  actions: (snapshots: SnapshotLookup) => Generator<PlannedAction>;
  /** A manager is named by name and memberNames was not given: plan again with them. */
  needsNames: boolean;
}

const NONE = -1;
/** Row states. */
const REJECTED = 1;
const ERROR = 2;
const SETTLED = 3;
const PLAN = 4;

export function planRoster(roster: Roster, members: MemberIndex, options: RosterPlanOptions): RosterPlan {
  const n = roster.size;
  const m = members.size;
  const { mapped } = roster.layout;
  const state = new Uint8Array(n);
  const memberOf = new Int32Array(n).fill(NONE);
  const errors = new Map<number, string>();
  const newIds = new Map<number, string>();

  for (const [r] of roster.rejected) state[r] = REJECTED;
  flagDuplicates(roster, state, errors);
  for (let r = 0; r < n; r++) {
    if (state[r] === REJECTED) continue;
    if (state[r] !== ERROR) {
      const match = matchRow(roster, members, r);
      if (typeof match === "string") {
        state[r] = ERROR;
        errors.set(r, match);
      } else memberOf[r] = match;
    }
    if (memberOf[r] === NONE) newIds.set(r, options.newId());
  }

  const employed = new Uint8Array(n);
  const joins = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    if (state[r] === REJECTED || state[r] === ERROR) continue;
    const record = planFields(roster, r);
    employed[r] = employmentOf(record, options.today).employed ? 1 : 0;
    joins[r] = memberOf[r] !== NONE || (hasStarted(record, options.today) && employed[r]) ? 1 : 0;
  }

  const node = (r: number) => (memberOf[r] === NONE ? m + r : (memberOf[r] as number));
  const idOf = (x: number) => (x < m ? (members.ids[x] as string) : (newIds.get(x - m) as string));
  const directory = managerDirectory(roster, members, state, joins, node, options.memberNames);
  const approver = new Int32Array(n).fill(NONE);
  const warnings = new Map<number, string[]>();
  const warn = (r: number, message: string) => {
    const list = warnings.get(r);
    if (list) list.push(message);
    else warnings.set(r, [message]);
  };
  const regions = new Map<string, { region: string | null; warning?: string }>();
  const regionAt = new Array<string | null>(mapped.has("country") ? n : 0);
  for (let r = 0; r < n; r++) {
    if (state[r] === REJECTED || state[r] === ERROR) continue;
    if (mapped.has("manager")) {
      const ref = roster.managers.at(r)?.trim();
      if (!ref) warn(r, NO_MANAGER);
      else {
        const found = directory.resolve(ref);
        if (found.node !== NONE) approver[r] = found.node;
        else warn(r, unresolvedManager(ref, found.ambiguous));
      }
    }
    if (mapped.has("country")) {
      const raw = roster.countries.at(r);
      let region = raw === null ? undefined : regions.get(raw);
      if (region === undefined) {
        region = regionOf(raw, options.regions);
        if (raw !== null) regions.set(raw, region);
      }
      regionAt[r] = region.region;
      if (region.warning) warn(r, region.warning);
    }
  }
  const cycles = cycleLengths(n, m, state, approver, node);
  for (let r = 0; r < n; r++) {
    const length = cycles[node(r)] ?? 0;
    if (length > 0 && state[r] !== REJECTED && state[r] !== ERROR) warn(r, cycleWarning(length));
  }

  const needed: number[] = [];
  for (let r = 0; r < n; r++) {
    if (state[r] === REJECTED || state[r] === ERROR) continue;
    const mi = memberOf[r] as number;
    const settled =
      mi !== NONE &&
      employed[r] === 1 &&
      unchanged(
        roster,
        members,
        r,
        mi,
        approver[r] === NONE ? null : idOf(approver[r] as number),
        regionAt[r],
      );
    state[r] = settled ? SETTLED : PLAN;
    if (!settled && mi !== NONE) needed.push(mi);
  }

  let activeCount = 0;
  for (let i = 0; i < m; i++) {
    if (members.inHub[i] && (members.statuses[i] === "active" || members.statuses[i] === "invited"))
      activeCount++;
  }
  const absent = options.partial ? [] : absentMembers(roster, members, state, memberOf, errors);
  needed.push(...absent);

  function* actions(snapshots: SnapshotLookup): Generator<PlannedAction> {
    for (const r of rowOrder(roster, state)) {
      const line = roster.lines[r] as number;
      if (state[r] === SETTLED) continue;
      if (state[r] === REJECTED) {
        yield rowError(line, null, roster.rejected.get(r) as string);
        continue;
      }
      const record = recordAt(roster, r);
      if (state[r] === ERROR) {
        yield rowError(line, record, errors.get(r) as string);
        continue;
      }
      derive(record, r);
      const mi = memberOf[r] as number;
      const member = mi === NONE ? null : (snapshots.get(members.ids[mi] as string) ?? null);
      const action = planMatch({ record, member, memberId: mi === NONE ? idOf(m + r) : idOf(mi) }, options);
      if (action) yield action;
    }
    for (const i of absent) {
      const id = members.ids[i] as string;
      const core = snapshots.get(id)?.core ?? {};
      yield absentAction({
        id,
        version: members.versions[i] as number,
        email: members.emails[i] as string,
        employeeId: members.employeeIds[i] ?? null,
        name: [core.firstName, core.lastName].filter(Boolean).join(" ") || null,
      });
    }
  }

  function derive(record: PersonRecord, r: number): void {
    if (mapped.has("manager")) {
      record.derived.approverId = approver[r] === NONE ? null : idOf(approver[r] as number);
    }
    if (mapped.has("country")) record.derived.contentRegion = regionAt[r] ?? null;
    record.warnings.push(...(warnings.get(r) ?? []));
  }

  return { needed, activeCount, actions, needsNames: directory.needsNames() };
}

/** The fields planning reads for every row, as a PersonRecord's core. */
function planFields(roster: Roster, r: number): PersonRecord {
  return {
    row: roster.lines[r] as number,
    core: {
      employmentStatus: roster.statuses.at(r),
      startDate: roster.startDates.at(r),
      terminationDate: roster.terminationDates.at(r),
    },
    derived: {},
    warnings: [],
    profile: {},
    mapped: roster.layout.mapped,
  };
}

/** matchRecords' duplicates: two rows for one person are both errors, employee id first. */
function flagDuplicates(roster: Roster, state: Uint8Array, errors: Map<number, string>): void {
  const flag = (all: TextColumn, label: string) => {
    const keys = Array.from({ length: roster.size }, (_, r) => (state[r] === REJECTED ? null : all.at(r)));
    const first = keyIndex(keys, "first");
    const repeated = new Map<number, number[]>();
    for (let r = 0; r < roster.size; r++) {
      const key = keys[r];
      if (!key) continue;
      const at = first.get(key);
      if (at === r) continue;
      const rows = repeated.get(at);
      if (rows) rows.push(r);
      else repeated.set(at, [at, r]);
    }
    for (const rows of repeated.values()) {
      const key = keys[rows[0] as number] as string;
      const lines = rows.map((r) => roster.lines[r] as number);
      for (const r of rows) {
        if (errors.has(r)) continue;
        const line = roster.lines[r] as number;
        state[r] = ERROR;
        errors.set(
          r,
          duplicateMessage(
            label,
            key,
            lines.filter((x) => x !== line),
          ),
        );
      }
    }
  };
  flag(roster.employeeIds, "employee id");
  flag(roster.emails, "email");
}

/** matchRecords' matchOne: a member index, NONE, or the error. */
function matchRow(roster: Roster, members: MemberIndex, r: number): number | string {
  const employeeId = roster.employeeIds.at(r);
  const email = roster.emails.at(r) ?? "";
  const byId = employeeId ? members.byEmployeeId.get(employeeId) : NONE;
  if (byId !== NONE) {
    const owner = members.byEmail.get(email);
    if (owner !== NONE && owner !== byId) return emailTakenMessage(employeeId as string, email);
    return byId;
  }
  const byEmail = members.byEmail.get(email);
  const theirs = byEmail === NONE ? null : members.employeeIds[byEmail];
  if (theirs && employeeId && theirs !== employeeId) return otherEmployeeMessage(email, theirs, employeeId);
  return byEmail;
}

interface Directory {
  /** The approver a manager reference points at (a node), or NONE and whether the name was ambiguous. */
  resolve: (ref: string) => { node: number; ambiguous: boolean };
  needsNames: () => boolean;
}

/**
 * deriveFields' directory: members first, then the export's joining people over them; names only
 * when a reference is neither an employee id nor an email (folding every name costs).
 */
function managerDirectory(
  roster: Roster,
  members: MemberIndex,
  state: Uint8Array,
  joins: Uint8Array,
  node: (r: number) => number,
  memberNames: readonly string[] | undefined,
): Directory {
  const joining = (keys: TextColumn) =>
    Array.from({ length: roster.size }, (_, r) =>
      state[r] !== REJECTED && state[r] !== ERROR && joins[r] ? keys.at(r) : null,
    );
  const rowByEmployeeId = keyIndex(joining(roster.employeeIds), "last");
  const rowByEmail = keyIndex(joining(roster.emails), "last");
  const fromRow = (r: number) => (r < 0 ? undefined : node(r));
  const fromMember = (i: number) => (i < 0 ? undefined : i);
  let names: { unique: Map<string, number>; ambiguous: Set<string> } | null = null;
  let missingNames = false;
  const nameDirectory = (all: readonly string[]) => {
    const byName = new Map<string, Set<number>>();
    const add = (name: string, x: number) => {
      const key = fold(name);
      if (!key) return;
      const set = byName.get(key);
      if (set) set.add(x);
      else byName.set(key, new Set([x]));
    };
    for (let i = 0; i < members.size; i++) add(all[i] ?? "", i);
    for (let r = 0; r < roster.size; r++) {
      if (state[r] !== REJECTED && state[r] !== ERROR && joins[r]) add(rowName(roster, r), node(r));
    }
    const unique = new Map<string, number>();
    const ambiguous = new Set<string>();
    for (const [name, set] of byName) {
      if (set.size === 1) unique.set(name, [...set][0] as number);
      else ambiguous.add(name);
    }
    return { unique, ambiguous };
  };
  return {
    needsNames: () => missingNames,
    resolve(ref) {
      const byId = fromRow(rowByEmployeeId.get(ref)) ?? fromMember(members.byEmployeeId.get(ref));
      if (byId !== undefined) return { node: byId, ambiguous: false };
      const email = ref.toLowerCase();
      const byEmail = fromRow(rowByEmail.get(email)) ?? fromMember(members.byEmail.get(email));
      if (byEmail !== undefined) return { node: byEmail, ambiguous: false };
      if (!memberNames) {
        missingNames = true;
        return { node: NONE, ambiguous: false };
      }
      names ??= nameDirectory(memberNames ?? []);
      const name = fold(reorderLastFirst(ref));
      const byName = names.unique.get(name);
      if (byName !== undefined) return { node: byName, ambiguous: false };
      return { node: NONE, ambiguous: names.ambiguous.has(name) };
    },
  };
}

/**
 * deriveFields' manager cycles: for each person (node) on a cycle of approvers, its length. In one
 * pass over the approver links, however long the chains.
 */
function cycleLengths(
  n: number,
  m: number,
  state: Uint8Array,
  approver: Int32Array,
  node: (r: number) => number,
): Int32Array {
  const ABSENT = -2;
  const next = new Int32Array(m + n).fill(ABSENT);
  for (let r = 0; r < n; r++) {
    if (state[r] === REJECTED || state[r] === ERROR) continue;
    next[node(r)] = approver[r] as number;
  }
  const lengths = new Int32Array(m + n);
  const seen = new Int32Array(m + n);
  let walk = 0;
  for (let start = 0; start < m + n; start++) {
    if (next[start] === ABSENT || seen[start] !== 0) continue;
    walk++;
    const path: number[] = [];
    let x = start;
    while (x >= 0 && next[x] !== ABSENT && seen[x] === 0) {
      seen[x] = walk;
      path.push(x);
      x = next[x] as number;
    }
    if (x >= 0 && seen[x] === walk) {
      const from = path.indexOf(x);
      for (let k = from; k < path.length; k++) lengths[path[k] as number] = path.length - from;
    }
    for (const p of path) seen[p] = -1;
  }
  return lengths;
}

/** A matched, employed row whose member already holds everything the row would write. */
function unchanged(
  roster: Roster,
  members: MemberIndex,
  r: number,
  mi: number,
  approverId: string | null,
  region: string | null | undefined,
): boolean {
  const status = members.statuses[mi];
  if (status !== "active" && status !== "invited") return false;
  if (members.sources[mi] !== "hris" || !members.inHub[mi]) return false;
  const { layout } = roster;
  const row = combinedFingerprint(
    roster.hashes[r] as number,
    [
      layout.hasStartDate ? roster.startDates.at(r) : null,
      layout.hasTerminationDate ? roster.terminationDates.at(r) : null,
    ],
    [
      layout.mapped.has("manager") ? approverId : null,
      layout.mapped.has("country") ? (region ?? null) : null,
    ],
  );
  return row === members.fingerprints[mi];
}

/** planActions' absent members, sorted by email: hris members of the hub no row accounts for. */
function absentMembers(
  roster: Roster,
  members: MemberIndex,
  state: Uint8Array,
  memberOf: Int32Array,
  errors: Map<number, string>,
): number[] {
  const seen = new Uint8Array(members.size);
  const unsure = new Set<string | null | undefined>();
  const unsureIds = new Set<string | null | undefined>();
  for (let r = 0; r < roster.size; r++) {
    if (state[r] === REJECTED || errors.has(r)) {
      unsure.add(roster.emails.at(r));
      unsureIds.add(roster.employeeIds.at(r) || undefined);
    } else if (memberOf[r] !== NONE) seen[memberOf[r] as number] = 1;
  }
  const absent: number[] = [];
  for (let i = 0; i < members.size; i++) {
    if (!members.inHub[i] || seen[i] || unsure.has(members.emails[i])) continue;
    const employeeId = members.employeeIds[i];
    if (employeeId && unsureIds.has(employeeId)) continue;
    const status = members.statuses[i];
    if (members.sources[i] !== "hris" || (status !== "active" && status !== "invited")) continue;
    absent.push(i);
  }
  return absent.sort((a, b) => (members.emails[a] as string).localeCompare(members.emails[b] as string));
}

/** Rows by line number, as planActions sorts them (stable: a row before a rejected one on the same line). */
function rowOrder(roster: Roster, state: Uint8Array): Iterable<number> {
  const { lines, size } = roster;
  let sorted = true;
  for (let r = 1; r < size && sorted; r++) sorted = (lines[r] as number) > (lines[r - 1] as number);
  const order = Array.from({ length: size }, (_, r) => r);
  if (sorted) return order;
  const rank = (r: number) => (state[r] === REJECTED ? 1 : 0);
  return order.sort((a, b) => (lines[a] as number) - (lines[b] as number) || rank(a) - rank(b) || a - b);
}
