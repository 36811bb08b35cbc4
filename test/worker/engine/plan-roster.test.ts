// The compact planner (buildRoster → planRoster over a MemberIndex) against the engine's object
// pipeline (applyMapping → matchRecords → deriveFields → planActions): the same actions, in the
// same order, for random exports planned against members that an earlier export put in place (so
// most people are unchanged and settled from fingerprints) and then disturbed.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { MappingColumn } from "../../../db/schema.ts";
import { deriveFields } from "../../../worker/engine/derive.ts";
import { executionOf, type MemberFields } from "../../../worker/engine/execute.ts";
import { applyMapping } from "../../../worker/engine/mapping.ts";
import { indexMembers, matchRecords } from "../../../worker/engine/match.ts";
import { memberIndexBuilder, memberPageRow, memberPageShape } from "../../../worker/engine/member-index.ts";
import { openCsv, parseCsv } from "../../../worker/engine/parse.ts";
import { planActions } from "../../../worker/engine/plan.ts";
import { planRoster } from "../../../worker/engine/plan-roster.ts";
import { buildRoster } from "../../../worker/engine/roster.ts";
import {
  CORE_FIELDS,
  type CoreField,
  type MemberSnapshot,
  type PlannedAction,
} from "../../../worker/engine/types.ts";

const TODAY = "2026-11-21";
const COLUMNS = [
  "Employee ID",
  "First Name",
  "Last Name",
  "Email",
  "Title",
  "Manager",
  "Start",
  "Status",
  "End",
  "Country",
  "Team",
  "Roles",
];
const core = (column: string, field: string): MappingColumn => ({
  column,
  field,
  kind: "core",
  visibility: "private",
  values: {},
  reviewed: true,
});
const FULL: MappingColumn[] = [
  core("Employee ID", "employeeId"),
  core("First Name", "firstName"),
  core("Last Name", "lastName"),
  core("Email", "email"),
  core("Title", "jobTitle"),
  core("Manager", "manager"),
  core("Start", "startDate"),
  core("Status", "employmentStatus"),
  core("End", "terminationDate"),
  core("Country", "country"),
  {
    column: "Team",
    field: "team",
    kind: "segment",
    visibility: "public",
    values: { Ops: "Operations" },
    reviewed: true,
  },
  { column: "Roles", field: "roles", kind: "role", visibility: "public", values: {}, reviewed: true },
];

const person = fc.record({
  n: fc.integer({ min: 1, max: 14 }),
  idForm: fc.constantFrom("id", "none", "other"),
  emailForm: fc.constantFrom("plain", "upper", "bad", "empty", "other"),
  title: fc.constantFrom("Engineer", "Manager", "", "N/A"),
  manager: fc.constantFrom(
    "",
    "E1",
    "E2",
    "e3@acme.test",
    "First4 Last4",
    "Last5, First5",
    "E99",
    "Nobody Here",
  ),
  start: fc.constantFrom("2020-01-01", "2099-12-31", "", "03/04/2020", "13/04/2020", "not a date"),
  status: fc.constantFrom("Active", "Active", "Terminated", "On Leave", ""),
  end: fc.constantFrom("", "", "2020-06-30", "2099-01-01"),
  country: fc.constantFrom("", "Germany", "DE", "Atlantis", "United States"),
  team: fc.constantFrom("", "Ops", "Sales", "sales"),
  roles: fc.constantFrom("", "Mentor", "Mentor; Mentee", ","),
});
type Person = typeof person extends fc.Arbitrary<infer T> ? T : never;

function cells(p: Person): string[] {
  const employeeId = p.idForm === "id" ? `E${p.n}` : p.idForm === "other" ? `X${p.n}` : "";
  const emails: Record<Person["emailForm"], string> = {
    plain: `p${p.n}@acme.test`,
    upper: `P${p.n}@Acme.test`,
    bad: `p${p.n}-at-acme`,
    empty: "",
    other: `q${p.n}@acme.test`,
  };
  return [
    employeeId,
    `First${p.n}`,
    `Last${p.n}`,
    emails[p.emailForm],
    p.title,
    p.manager,
    p.start,
    p.status,
    p.end,
    p.country,
    p.team,
    p.roles,
  ];
}

function csv(people: Person[], columns: number[]): string {
  const quote = (c: string) => (/[",;\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c);
  const line = (row: string[]) => columns.map((i) => quote(row[i] ?? "")).join(",");
  return [line(COLUMNS), ...people.map((p) => line(cells(p)))].join("\n");
}

/** The object pipeline, as sync.ts ran it before. */
function objectPlan(
  text: string,
  mapping: MappingColumn[],
  members: MemberSnapshot[],
  partial: boolean,
  ids = "new",
) {
  const { table, issues } = parseCsv(text);
  const mapped = applyMapping(table, mapping, null, issues);
  let n = 0;
  const matches = deriveFields(matchRecords(mapped.records, indexMembers(members)), members, {
    newId: () => `${ids}-${++n}`,
    regions: { DE: "DACH" },
    today: TODAY,
  });
  const hubMembers = members.filter((m) => m.inHub);
  const actions = planActions(matches, mapped.rejected, hubMembers, { hubId: "hub", today: TODAY, partial });
  const active = hubMembers.filter((m) => m.status === "active" || m.status === "invited").length;
  return { actions, active, issues: [...issues, ...mapped.issues] };
}

/** The compact pipeline, as sync.ts runs it now. */
function rosterPlan(text: string, mapping: MappingColumn[], members: MemberSnapshot[], partial: boolean) {
  const source = openCsv(text);
  const roster = buildRoster(source, mapping, null);
  const builder = memberIndexBuilder(roster.layout);
  const shape = memberPageShape(roster.layout);
  builder.add(members.map((m) => memberPageRow(m, shape)));
  let n = 0;
  const index = builder.finish();
  const memberNames = index.ids.map((id) => {
    const core = members.find((m) => m.id === id)?.core ?? {};
    return [core.firstName, core.lastName].filter(Boolean).join(" ");
  });
  const plan = planRoster(roster, index, {
    newId: () => `new-${++n}`,
    regions: { DE: "DACH" },
    today: TODAY,
    hubId: "hub",
    partial,
    memberNames,
  });
  const byId = new Map(members.map((m) => [m.id, m]));
  const snapshots = new Map(
    plan.needed.map((i) => [members[i]?.id as string, byId.get(members[i]?.id as string) as MemberSnapshot]),
  );
  return {
    actions: [...plan.actions(snapshots)],
    active: plan.activeCount,
    issues: [...source.issues, ...roster.issues],
    settled: 0,
  };
}

/** Members after applying every action of a plan, as execution would. */
function apply(members: MemberSnapshot[], actions: PlannedAction[]): MemberSnapshot[] {
  const byId = new Map(members.map((m) => [m.id, structuredClone(m)]));
  actions.forEach((action, i) => {
    const member = action.memberId ? (byId.get(action.memberId) ?? null) : null;
    const execution = executionOf({ ...action, id: `a${i}` }, member, `${TODAY}T00:00:00Z`);
    if (!execution.ok) return;
    for (const effect of execution.effects) {
      if (effect.type === "insert_member")
        byId.set(effect.memberId, inserted(effect.memberId, effect.fields));
      const target = byId.get((effect as { memberId?: string }).memberId ?? "");
      if (!target) continue;
      if (effect.type === "update_member") update(target, effect.fields);
      if (effect.type === "join_hub") target.inHub = true;
      if (effect.type === "leave_hub") target.inHub = false;
    }
  });
  return [...byId.values()];
}

function inserted(id: string, fields: MemberFields): MemberSnapshot {
  const member: MemberSnapshot = {
    id,
    employeeId: null,
    email: "",
    status: fields.status ?? "invited",
    source: "hris",
    version: 1,
    inHub: false,
    core: Object.fromEntries(CORE_FIELDS.map((f) => [f, null])),
    derived: { approverId: null, contentRegion: null },
    profile: {},
  };
  update(member, fields);
  member.version = 1;
  return member;
}

function update(member: MemberSnapshot, fields: MemberFields): void {
  for (const [field, value] of Object.entries(fields.core)) {
    if (field === "approverId" || field === "contentRegion") member.derived[field] = value ?? null;
    else member.core[field as CoreField] = value ?? null;
  }
  member.employeeId = member.core.employeeId ?? null;
  member.email = member.core.email ?? member.email;
  if (fields.profile) member.profile = structuredClone(fields.profile);
  if (fields.status) member.status = fields.status;
  if (fields.source) member.source = fields.source;
  member.version += 1;
}

const disturbance = fc.record({
  index: fc.nat(),
  change: fc.constantFrom("status", "source", "hub", "title", "archive", "region", "approver", "profile"),
});

function disturb(members: MemberSnapshot[], changes: { index: number; change: string }[]): MemberSnapshot[] {
  const result = structuredClone(members);
  for (const { index, change } of changes) {
    const m = result[index % Math.max(1, result.length)];
    if (!m) continue;
    if (change === "status") m.status = "inactive";
    if (change === "source") m.source = "manual";
    if (change === "hub") m.inHub = !m.inHub;
    if (change === "title") m.core.jobTitle = "Changed by hand";
    if (change === "archive") m.status = "archived";
    if (change === "region") m.derived.contentRegion = "Elsewhere";
    if (change === "approver") m.derived.approverId = "someone";
    if (change === "profile") m.profile = { team: "Other" };
    m.version += 1;
  }
  return result;
}

const columnSets = fc.constantFrom(
  COLUMNS.map((_, i) => i),
  [0, 3, 4, 5, 7],
  [3, 1, 2, 9, 10],
  [0, 1, 2, 3, 6, 8, 11],
);

describe("planRoster", () => {
  it("plans what the object pipeline plans, for exports planned against members an export made", () => {
    fc.assert(
      fc.property(
        fc.array(person, { maxLength: 14 }),
        fc.array(person, { maxLength: 14 }),
        fc.array(disturbance, { maxLength: 4 }),
        columnSets,
        fc.boolean(),
        (first, second, changes, columns, partial) => {
          const mapping = FULL;
          const start = objectPlan(
            csv(
              first,
              COLUMNS.map((_, i) => i),
            ),
            mapping,
            [],
            false,
            "old",
          );
          const members = disturb(apply([], start.actions), changes);
          const text = csv(second.length ? second : first, columns);
          const expected = objectPlan(text, mapping, members, partial);
          const actual = rosterPlan(text, mapping, members, partial);
          expect(actual.actions).toEqual(expected.actions);
          expect(actual.active).toBe(expected.active);
          expect(actual.issues).toEqual(expected.issues);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("settles the unchanged people without their snapshots", () => {
    const people: Person[] = Array.from({ length: 12 }, (_, i) => ({
      n: i + 1,
      idForm: "id",
      emailForm: "plain",
      title: "Engineer",
      manager: i === 0 ? ("" as const) : ("E1" as const),
      start: "2020-01-01",
      status: "Active",
      end: "",
      country: "Germany",
      team: "Ops",
      roles: "Mentor; Mentee",
    }));
    const text = csv(
      people,
      COLUMNS.map((_, i) => i),
    );
    const members = apply([], objectPlan(text, FULL, [], false, "old").actions);
    const source = openCsv(text);
    const roster = buildRoster(source, FULL, null);
    const builder = memberIndexBuilder(roster.layout);
    builder.add(members.map((m) => memberPageRow(m, memberPageShape(roster.layout))));
    const plan = planRoster(roster, builder.finish(), {
      newId: () => "new",
      regions: { DE: "DACH" },
      today: TODAY,
      hubId: "hub",
      partial: false,
      memberNames: members.map((m) => [m.core.firstName, m.core.lastName].filter(Boolean).join(" ")),
    });
    expect(plan.needed).toEqual([]);
    expect([...plan.actions(new Map())]).toEqual([]);
    expect(plan.activeCount).toBe(12);
  });
});
