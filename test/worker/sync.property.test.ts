// Properties of a whole sync over a real (in-process) libSQL database: planning is deterministic,
// and applying a plan then re-planning the same snapshot proposes nothing more.
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deriveFields } from "../../worker/engine/derive.ts";
import { indexMembers, matchRecords } from "../../worker/engine/match.ts";
import { planActions } from "../../worker/engine/plan.ts";
import type { CoreField, MemberSnapshot, PersonRecord } from "../../worker/engine/types.ts";
import { setApproval } from "../../worker/store/plans.ts";
import { createHub, createTenant } from "../../worker/store/tenants.ts";
import { executePlan, importAndPlan } from "../../worker/sync.ts";
import { type TestDb, testDb } from "../helpers/db.ts";

const COLUMNS = [
  "Employee ID",
  "First Name",
  "Last Name",
  "Work Email",
  "Job Title",
  "Manager",
  "Start Date",
  "Status",
];
const STATUSES = ["Active", "Active", "Active", "Terminated", "On Leave"];

/**
 * Random exports over a pool of 12 people, so managers, leavers, future starters, absentees and
 * email case changes all occur. At most 10 rows: absentees never exceed the guard's floor of 10.
 */
const exportRows = fc.uniqueArray(
  fc.record({
    n: fc.integer({ min: 1, max: 12 }),
    title: fc.constantFrom("Engineer", "Manager", "Director", ""),
    manager: fc.option(fc.integer({ min: 1, max: 12 }), { nil: null }),
    start: fc.constantFrom("2020-01-01", "2026-01-31", "2099-12-31", ""),
    status: fc.constantFrom(...STATUSES),
    emailCase: fc.boolean(),
  }),
  { selector: (r) => r.n, maxLength: 10 },
);

function toCsv(rows: Parameters<typeof csvLine>[0][]): string {
  return [COLUMNS.join(","), ...rows.map(csvLine)].join("\n");
}

function csvLine(r: {
  n: number;
  title: string;
  manager: number | null;
  start: string;
  status: string;
  emailCase: boolean;
}) {
  const email = r.emailCase ? `Person${r.n}@Acme.test` : `person${r.n}@acme.test`;
  return [
    `E${r.n}`,
    `First${r.n}`,
    `Last${r.n}`,
    email,
    r.title,
    r.manager ? `E${r.manager}` : "",
    r.start,
    r.status,
  ].join(",");
}

let t: TestDb;
beforeEach(async () => {
  t = await testDb();
});
afterEach(() => t.close());

describe("a whole sync", () => {
  it("applied, then re-planned with the same snapshot, proposes no further change", async () => {
    await fc.assert(
      fc.asyncProperty(exportRows, exportRows, async (firstRows, secondRows) => {
        const tenant = await createTenant(t.db, `T${Math.random()}`);
        const hub = await createHub(t.db, tenant.id, "H");
        const now = new Date("2026-11-21T12:00:00Z");
        const options = { source: "upload" as const, filename: null, partial: false, createdBy: "test", now };
        const sync = async (rows: typeof firstRows) => {
          const { plan } = await importAndPlan(
            t.db,
            tenant.id,
            hub.id,
            { format: "csv", body: toCsv(rows) },
            options,
          );
          await setApproval(t.db, tenant.id, plan.id, { approved: true, all: true, by: "test" });
          return executePlan(t.db, tenant.id, plan.id, {
            actor: { type: "admin", id: "test" },
            acceptUrl: "https://x.test/?t=",
            budgetMs: 10_000,
          });
        };
        await sync(firstRows);
        const applied = await sync(secondRows);
        expect(applied.progress).toMatchObject({ complete: true, failed: 0, stale: 0 });
        const { plan } = await importAndPlan(
          t.db,
          tenant.id,
          hub.id,
          { format: "csv", body: toCsv(secondRows) },
          options,
        );
        const { invite, update, reactivate, deactivate, delete_from_hub, delete_from_tenant } = plan.summary;
        expect({ invite, update, reactivate, deactivate, delete_from_hub, delete_from_tenant }).toEqual({
          invite: undefined,
          update: undefined,
          reactivate: undefined,
          deactivate: undefined,
          delete_from_hub: undefined,
          delete_from_tenant: undefined,
        });
      }),
      { numRuns: 25 },
    );
  });

  it("plans the same actions for the same snapshot and members", () => {
    const core = fc.record({
      employeeId: fc.option(fc.constantFrom("E1", "E2", "E3", "E4"), { nil: null }),
      email: fc.constantFrom("a@x.test", "b@x.test", "c@x.test", "d@x.test"),
      jobTitle: fc.option(fc.constantFrom("A", "B"), { nil: null }),
      manager: fc.option(fc.constantFrom("E1", "E2", "b@x.test"), { nil: null }),
      employmentStatus: fc.constantFrom("Active", "Terminated"),
      startDate: fc.constantFrom("2020-01-01", "2099-01-01"),
    });
    const member = fc.record({
      id: fc.constantFrom("m1", "m2", "m3"),
      employeeId: fc.option(fc.constantFrom("E1", "E2", "E9"), { nil: null }),
      email: fc.constantFrom("a@x.test", "b@x.test", "z@x.test"),
      status: fc.constantFrom("invited", "active", "inactive", "archived", "deleted") as fc.Arbitrary<
        MemberSnapshot["status"]
      >,
      source: fc.constantFrom("hris", "manual") as fc.Arbitrary<MemberSnapshot["source"]>,
      inHub: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(core, { maxLength: 6 }),
        fc.uniqueArray(member, { selector: (m) => m.id }),
        (cores, ms) => {
          const mapped = new Set([
            "employeeId",
            "email",
            "jobTitle",
            "manager",
            "employmentStatus",
            "startDate",
          ]);
          const records: PersonRecord[] = cores.map((c, i) => ({
            row: i + 2,
            core: c as Partial<Record<CoreField, string | null>>,
            derived: {},
            warnings: [],
            profile: {},
            mapped,
          }));
          const members: MemberSnapshot[] = ms.map((m) => ({
            ...m,
            version: 1,
            core: { email: m.email, employeeId: m.employeeId },
            derived: { approverId: null, contentRegion: null },
            profile: {},
          }));
          const plan = () => {
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
              {
                hubId: "h",
                today: "2026-11-21",
                partial: false,
              },
            );
          };
          expect(plan()).toEqual(plan());
        },
      ),
      { numRuns: 300 },
    );
  });
});
