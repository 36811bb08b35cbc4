// Every planning rule of DESIGN.md "A sync" step 2, one case each, against the pure engine.
import { describe, expect, it } from "vitest";
import { deriveFields } from "../../../worker/engine/derive.ts";
import { evaluateGuard } from "../../../worker/engine/guard.ts";
import { indexMembers, matchRecords } from "../../../worker/engine/match.ts";
import { type PlanOptions, planActions } from "../../../worker/engine/plan.ts";
import type { CoreField, MemberSnapshot, PersonRecord } from "../../../worker/engine/types.ts";

const TODAY = "2026-11-21";
const MAPPED = new Set([
  "employeeId",
  "email",
  "firstName",
  "lastName",
  "jobTitle",
  "employmentStatus",
  "terminationDate",
  "startDate",
]);

function person(row: number, core: Partial<Record<CoreField, string | null>>): PersonRecord {
  const full: Partial<Record<CoreField, string | null>> = {};
  for (const f of MAPPED) full[f as CoreField] = null;
  return { row, core: { ...full, ...core }, derived: {}, warnings: [], profile: {}, mapped: MAPPED };
}

function member(
  id: string,
  overrides: Partial<MemberSnapshot> & { core?: MemberSnapshot["core"] },
): MemberSnapshot {
  const email = overrides.email ?? `${id}@acme.test`;
  const core: MemberSnapshot["core"] = {};
  for (const f of MAPPED) core[f as CoreField] = null;
  return {
    id,
    employeeId: overrides.employeeId ?? null,
    email,
    status: "active",
    source: "hris",
    version: 3,
    inHub: true,
    profile: {},
    derived: { approverId: null, contentRegion: null },
    ...overrides,
    core: { ...core, email, employeeId: overrides.employeeId ?? null, ...overrides.core },
  };
}

function plan(records: PersonRecord[], members: MemberSnapshot[], options: Partial<PlanOptions> = {}) {
  let n = 0;
  const matches = deriveFields(matchRecords(records, indexMembers(members)), members, {
    newId: () => `new-${++n}`,
    regions: {},
    today: "2026-11-21",
  });
  return planActions(
    matches,
    [],
    members.filter((m) => m.inHub),
    { hubId: "hub1", today: TODAY, partial: false, ...options },
  );
}

const ada = { employeeId: "E1", email: "ada@acme.test", firstName: "Ada", lastName: "Lovelace" };

describe("plan: one rule per case", () => {
  it("invites an active new person whose start date has arrived", () => {
    const [action] = plan([person(2, { ...ada, startDate: TODAY })], []);
    expect(action).toMatchObject({ kind: "invite", row: 2, email: "ada@acme.test", name: "Ada Lovelace" });
    expect(action?.payload).toMatchObject({ memberId: "new-1" });
  });

  it("schedules a future starter instead of inviting", () => {
    const [action] = plan([person(2, { ...ada, startDate: "2026-11-22" })], []);
    expect(action?.kind).toBe("scheduled");
    expect(action?.reason).toContain("2026-11-22");
  });

  it("proposes an update with field-by-field before → after, mapped fields only", () => {
    const m = member("m1", {
      employeeId: "E1",
      email: "ada@acme.test",
      core: { ...ada, jobTitle: "Engineer" },
    });
    m.profile = { seniority: "Senior" }; // not mapped: must not appear
    const [action] = plan([person(2, { ...ada, jobTitle: "Staff Engineer" })], [m]);
    expect(action?.kind).toBe("update");
    expect(action?.changes).toEqual([{ field: "jobTitle", before: "Engineer", after: "Staff Engineer" }]);
    expect(action?.memberVersion).toBe(3);
  });

  it("never proposes a no-op update", () => {
    const m = member("m1", { employeeId: "E1", email: "ada@acme.test", core: ada });
    expect(plan([person(2, ada)], [m])).toEqual([]);
  });

  it("keeps the same member when the email changes but the employee id does not", () => {
    const m = member("m1", {
      employeeId: "E1",
      email: "ada@old.test",
      core: { ...ada, email: "ada@old.test" },
    });
    const [action] = plan([person(2, ada)], [m]);
    expect(action).toMatchObject({ kind: "update", memberId: "m1" });
    expect(action?.changes).toEqual([{ field: "email", before: "ada@old.test", after: "ada@acme.test" }]);
  });

  it("reactivates an inactive member whose row is active again", () => {
    const m = member("m1", { employeeId: "E1", email: "ada@acme.test", status: "inactive", core: ada });
    expect(plan([person(2, ada)], [m])[0]?.kind).toBe("reactivate");
  });

  it("does not reactivate on a partial update that says nothing of employment", () => {
    const m = member("m1", { employeeId: "E1", email: "ada@acme.test", status: "inactive", core: ada });
    const titleOnly: PersonRecord = {
      row: 2,
      core: { employeeId: "E1", email: "ada@acme.test", jobTitle: "CTO" },
      derived: {},
      warnings: [],
      profile: {},
      mapped: new Set(["employeeId", "email", "jobTitle"]),
    };
    const [action] = plan([titleOnly], [m], { partial: true });
    expect(action?.kind).toBe("update");
    expect(action?.changes).toEqual([{ field: "jobTitle", before: null, after: "CTO" }]);
  });

  it("deactivates a member whose HRIS status says they left", () => {
    const m = member("m1", { employeeId: "E1", email: "ada@acme.test", core: ada });
    const [action] = plan([person(2, { ...ada, employmentStatus: "Terminated" })], [m]);
    expect(action?.kind).toBe("deactivate");
    expect(action?.reason).toContain("Terminated");
  });

  it("deactivates once the termination date has passed, not on the day itself", () => {
    const m = member("m1", { employeeId: "E1", email: "ada@acme.test", core: ada });
    expect(plan([person(2, { ...ada, terminationDate: "2026-11-20" })], [m])[0]?.kind).toBe("deactivate");
    const sameDay = plan([person(2, { ...ada, terminationDate: TODAY })], [m]);
    expect(sameDay.map((a) => a.kind)).toEqual(["update"]);
  });

  it("skips a leaver who was never on the platform", () => {
    expect(plan([person(2, { ...ada, employmentStatus: "Terminated" })], [])[0]?.kind).toBe("skip");
  });

  it("deactivates an hris member absent from a full snapshot, offering deletion instead", () => {
    const gone = member("m9", { employeeId: "E9", email: "gone@acme.test" });
    const [action] = plan([person(2, ada)], [gone]).filter((a) => a.memberId === "m9");
    expect(action).toMatchObject({ kind: "deactivate", row: null });
    expect(action?.payload).toEqual({ alternatives: ["delete_from_hub", "delete_from_tenant"] });
  });

  it("never deprovisions the absent on a partial import", () => {
    const gone = member("m9", { employeeId: "E9", email: "gone@acme.test" });
    expect(plan([person(2, ada)], [gone], { partial: true }).some((a) => a.memberId === "m9")).toBe(false);
  });

  it("never touches a manual member absent from the HRIS", () => {
    const manual = member("m8", { email: "manual@acme.test", source: "manual" });
    expect(plan([person(2, ada)], [manual]).some((a) => a.memberId === "m8")).toBe(false);
  });

  it("adopts a manual member whose email appears in the HRIS", () => {
    const manual = member("m8", {
      email: "ada@acme.test",
      source: "manual",
      core: { email: "ada@acme.test" },
    });
    const [action] = plan([person(2, ada)], [manual]);
    expect(action).toMatchObject({ kind: "update", memberId: "m8" });
    expect(action?.payload).toMatchObject({ adopt: true });
  });

  it("never re-adds an archived member", () => {
    const archived = member("m7", { employeeId: "E1", email: "ada@acme.test", status: "archived" });
    const [action] = plan([person(2, ada)], [archived]);
    expect(action?.kind).toBe("skip");
    expect(action?.reason).toMatch(/archived/i);
  });

  it("errors both rows when one person appears twice, by id or by email", () => {
    const byId = plan([person(2, ada), person(3, { ...ada, email: "other@acme.test" })], []);
    expect(byId.map((a) => a.kind)).toEqual(["error", "error"]);
    expect(byId[0]?.reason).toContain("row 3");
    const byEmail = plan([person(2, ada), person(3, { ...ada, employeeId: "E2" })], []);
    expect(byEmail.map((a) => a.kind)).toEqual(["error", "error"]);
  });

  it("errors a row whose email belongs to a different employee", () => {
    const m = member("m1", { employeeId: "E1", email: "ada@acme.test" });
    const [action] = plan([person(2, { ...ada, employeeId: "E2" })], [m]);
    expect(action?.kind).toBe("error");
  });

  it("does not deactivate an absent member whose row had an error", () => {
    const m = member("m1", { employeeId: "E1", email: "ada@acme.test" });
    const actions = plan([person(2, { ...ada, employeeId: "E2" })], [m]);
    expect(actions.map((a) => a.kind)).toEqual(["error"]);
  });

  it("turns a rejected row into an error and never deactivates the member it may be", () => {
    const m = member("m1", { employeeId: "E1", email: "ada@acme.test" });
    const matches = deriveFields([], [m], { newId: () => "x", regions: {}, today: TODAY });
    const actions = planActions(
      matches,
      [{ row: 7, email: "ada@acme.test", message: "Start: no such day" }],
      [m],
      {
        hubId: "hub1",
        today: TODAY,
        partial: false,
      },
    );
    expect(actions).toEqual([
      expect.objectContaining({ kind: "error", row: 7, reason: "Start: no such day" }),
    ]);
  });

  it("adds a tenant member who is not yet in this hub to it", () => {
    const m = member("m1", { employeeId: "E1", email: "ada@acme.test", core: ada, inHub: false });
    const [action] = plan([person(2, ada)], [m]);
    expect(action?.changes).toEqual([{ field: "hub", before: null, after: "hub1" }]);
  });

  it("is deterministic: the same input plans the same actions", () => {
    const members = [
      member("m1", { employeeId: "E1", email: "ada@acme.test" }),
      member("m2", { email: "x@acme.test" }),
    ];
    const records = [
      person(2, { ...ada, jobTitle: "CTO" }),
      person(3, { email: "new@acme.test", employeeId: "E3" }),
    ];
    expect(plan(records, members)).toEqual(plan(records, members));
  });
});

describe("deprovisioning guard", () => {
  const guard = { percent: 10, floor: 10, ceiling: 500 };
  const deactivations = (n: number) => Array.from({ length: n }, () => ({ kind: "deactivate" as const }));

  it.each([
    { n: 10, active: 20, blocked: false, why: "never blocks 10 or fewer" },
    { n: 11, active: 20, blocked: true, why: "11 of 20 is over 10%" },
    { n: 100, active: 1000, blocked: false, why: "exactly 10% passes" },
    { n: 101, active: 1000, blocked: true, why: "over 10% blocks" },
    { n: 500, active: 100_000, blocked: false, why: "the ceiling itself passes" },
    { n: 501, active: 100_000, blocked: true, why: "over 500 always blocks" },
  ])("$why ($n of $active)", ({ n, active, blocked }) => {
    expect(evaluateGuard(deactivations(n), active, guard).blocked).toBe(blocked);
  });

  it("counts deletions together with deactivations", () => {
    const actions = [
      ...deactivations(6),
      ...Array.from({ length: 6 }, () => ({ kind: "delete_from_hub" as const })),
    ];
    expect(evaluateGuard(actions, 20, guard)).toMatchObject({ deprovisions: 12, blocked: true });
  });
});
