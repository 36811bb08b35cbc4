// Derived fields: manager → approver, country → content region, with warnings never silent.
import { describe, expect, it } from "vitest";
import { deriveFields } from "../../../worker/engine/derive.ts";
import { indexMembers, matchRecords } from "../../../worker/engine/match.ts";
import type { CoreField, MemberSnapshot, PersonRecord } from "../../../worker/engine/types.ts";

function person(
  row: number,
  core: Partial<Record<CoreField, string | null>>,
  mapped: string[],
): PersonRecord {
  return { row, core, derived: {}, warnings: [], profile: {}, mapped: new Set(mapped) };
}

function derive(
  records: PersonRecord[],
  members: MemberSnapshot[] = [],
  regions: Record<string, string> = {},
) {
  let n = 0;
  return deriveFields(matchRecords(records, indexMembers(members)), members, {
    newId: () => `new-${++n}`,
    regions,
    today: "2026-11-21",
  });
}

const existing: MemberSnapshot = {
  id: "boss",
  employeeId: "E100",
  email: "boss@acme.test",
  status: "active",
  source: "hris",
  version: 1,
  inHub: true,
  core: { firstName: "Grace", lastName: "Hopper" },
  derived: { approverId: null, contentRegion: null },
  profile: {},
};

const MANAGER = ["email", "employeeId", "firstName", "lastName", "manager"];

describe("manager → approver", () => {
  it.each([
    ["an employee id", "E100"],
    ["an email in any case", "Boss@Acme.test"],
    ["a full name", "Grace Hopper"],
    ["a 'Last, First' name", "Hopper, Grace"],
  ])("resolves a manager given as %s to the existing member", (_, ref) => {
    const [m] = derive(
      [person(2, { email: "a@acme.test", employeeId: "E1", manager: ref }, MANAGER)],
      [existing],
    );
    expect(m?.record.derived.approverId).toBe("boss");
    expect(m?.record.warnings).toEqual([]);
  });

  it("resolves to a new hire's id when the manager is invited in the same export", () => {
    const [report, manager] = derive([
      person(2, { email: "a@acme.test", employeeId: "E1", manager: "E2" }, MANAGER),
      person(3, { email: "m@acme.test", employeeId: "E2" }, MANAGER),
    ]);
    expect(report?.record.derived.approverId).toBe(manager?.memberId);
    expect(manager?.memberId).toMatch(/^new-/);
  });

  it("warns when the manager cannot be found, and sets no approver", () => {
    const [m] = derive([person(2, { email: "a@acme.test", manager: "E999" }, MANAGER)]);
    expect(m?.record.derived.approverId).toBeNull();
    expect(m?.record.warnings[0]).toContain('Manager "E999"');
  });

  it("warns rather than guesses when a name matches two people", () => {
    const [m] = derive([
      person(2, { email: "a@acme.test", manager: "Sam Lee" }, MANAGER),
      person(3, { email: "s1@acme.test", firstName: "Sam", lastName: "Lee" }, MANAGER),
      person(
        4,
        { email: "s2@acme.test", firstName: "Sam", lastName: "Lee", manager: "a@acme.test" },
        MANAGER,
      ),
    ]);
    expect(m?.record.derived.approverId).toBeNull();
    expect(m?.record.warnings[0]).toContain("more than one person");
  });

  it("reports a manager cycle on every row in it", () => {
    const rows = derive([
      person(2, { email: "a@acme.test", employeeId: "A", manager: "B" }, MANAGER),
      person(3, { email: "b@acme.test", employeeId: "B", manager: "C" }, MANAGER),
      person(4, { email: "c@acme.test", employeeId: "C", manager: "A" }, MANAGER),
      person(5, { email: "d@acme.test", employeeId: "D", manager: "A" }, MANAGER),
    ]);
    expect(rows.map((r) => r.record.warnings.some((w) => w.includes("cycle (3 people")))).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it("derives nothing when the manager column is not mapped", () => {
    const [m] = derive([person(2, { email: "a@acme.test" }, ["email"])]);
    expect(m?.record.derived).toEqual({});
  });
});

describe("country → content region", () => {
  const COUNTRY = ["email", "country"];

  it.each([
    ["GB", "EMEA"],
    ["United States of America", "AMER"],
    ["JPN", "APAC"],
  ])("maps %s to %s by default", (country, region) => {
    const [m] = derive([person(2, { email: "a@acme.test", country }, COUNTRY)]);
    expect(m?.record.derived.contentRegion).toBe(region);
  });

  it("lets the tenant's lookup override the default", () => {
    const [m] = derive([person(2, { email: "a@acme.test", country: "Germany" }, COUNTRY)], [], {
      DE: "DACH",
    });
    expect(m?.record.derived.contentRegion).toBe("DACH");
  });

  it("warns on an unknown country", () => {
    const [m] = derive([person(2, { email: "a@acme.test", country: "Atlantis" }, COUNTRY)]);
    expect(m?.record.derived.contentRegion).toBeNull();
    expect(m?.record.warnings[0]).toContain("Atlantis");
  });
});

describe("manager who has not joined", () => {
  it("sets no approver while the manager is a future starter, and says so", () => {
    const [report] = derive([
      person(2, { email: "a@acme.test", employeeId: "E1", manager: "E2" }, MANAGER),
      person(3, { email: "m@acme.test", employeeId: "E2", startDate: "2099-01-01" }, [
        ...MANAGER,
        "startDate",
      ]),
    ]);
    expect(report?.record.derived.approverId).toBeNull();
    expect(report?.record.warnings[0]).toContain('Manager "E2"');
  });
});

describe("self-manager", () => {
  it("says a person is their own manager rather than reporting a cycle of one", () => {
    const [m] = derive([person(2, { email: "a@acme.test", employeeId: "A", manager: "A" }, MANAGER)]);
    expect(m?.record.warnings).toEqual(["This person is their own manager: check the export's managers."]);
  });
});
