// Fuzzing the whole import (parse → map → match → derive → plan → store) in-process, against a real
// libSQL database: arbitrary bytes and arbitrary tables (headers drawn from the core fields'
// synonyms and noise, cells with unicode, formula leaders, dates right and wrong, look-alike and
// invisible characters) never throw anything but an AppError that leaves as a 4xx, and the same
// export against the same members always plans the same actions.
import { and, asc, eq } from "drizzle-orm";
import fc from "fast-check";
import Papa from "papaparse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planActions } from "../../db/schema.ts";
import { CORE_SYNONYMS } from "../../worker/engine/automap.ts";
import type { CoreField } from "../../worker/engine/types.ts";
import { AppError } from "../../worker/errors.ts";
import { setApproval } from "../../worker/store/plans.ts";
import { createHub, createTenant } from "../../worker/store/tenants.ts";
import { executePlan, importAndPlan, type Snapshot } from "../../worker/sync.ts";
import { type TestDb, testDb } from "../helpers/db.ts";

const NOW = new Date("2026-11-21T12:00:00Z");
// About 10 s for all three on an idle machine; room for a CI machine that is busy with other suites.
const TIMEOUT = 180_000;
const OPTIONS = { source: "upload" as const, filename: null, partial: false, createdBy: "fuzz", now: NOW };

const nameOf = (s: (typeof CORE_SYNONYMS)[CoreField][number]) => (typeof s === "string" ? s : s[0]);
const FIELDS = [
  "email",
  "employeeId",
  "firstName",
  "lastName",
  "manager",
  "startDate",
  "terminationDate",
  "employmentStatus",
] as const;
type Kind = (typeof FIELDS)[number] | "noise";

/**
 * What a column of this kind holds for person n of a pool of 12 when the cell is not hostile; in a
 * later export (`edition` 1) some people have changed job and name.
 */
const TYPICAL: Record<Kind, (n: number, edition: number) => string> = {
  email: (n) => `person${n}@acme.test`,
  employeeId: (n) => `E${n}`,
  firstName: (n) => `First${n}`,
  lastName: (n, edition) => (edition > 0 && n % 3 === 0 ? `Married${n}` : `Last${n}`),
  manager: (n, edition) => `E${((n + edition) % 12) + 1}`,
  startDate: (n) => (n % 5 === 0 ? "2099-01-01" : "2020-01-15"),
  terminationDate: (n) => (n % 7 === 0 ? "2021-06-30" : ""),
  employmentStatus: (n) => (n % 6 === 0 ? "Terminated" : "Active"),
  noise: () => "",
};

const header = (kind: Kind) =>
  fc
    .oneof(
      {
        weight: 6,
        arbitrary:
          kind === "noise"
            ? fc.string({ maxLength: 12 })
            : fc.constantFrom(...CORE_SYNONYMS[kind].map(nameOf)),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom("", "Notes", "=SUM(A1)", "<b>Team</b>", "Département", "sep=;"),
      },
    )
    .map((h) => (h.length % 3 === 0 ? `  ${h.toUpperCase()} ` : h));

/** What an export may hold instead of the typical value: every kind of trouble the corpus has. */
const hostileCell = fc.oneof(
  fc.constantFrom(
    "ADA@ACME.TEST ",
    "person1\u200b@acme.test",
    "\u0440erson2@acme.test",
    "user@bücher.example",
  ),
  fc.constantFrom("not-an-email", "a@b", "<script>@x.io", "two@a.test;three@a.test", "", " "),
  fc.constantFrom("E1", "E2", "E1 ", "N/A", "#N/A", "-", "null", "E404"),
  fc.constantFrom(
    "02/30/2025",
    "13/04/2025",
    "04/13/2025",
    "03/04/2025",
    "01/05/24",
    "45296",
    "5 Jan 2024",
    "2025-13-01",
  ),
  fc.constantFrom("Active", "Terminated", "Inactive", "On Leave", "false"),
  fc.constantFrom("=cmd|' /C calc'!A0", "+1", "-1", "@SUM(A1)", "<script>x</script>", '"quoted"', "a,b;c\td"),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 20 }),
);

interface Table {
  columns: string[];
  rows: string[][];
}

/** 0–12 people for these columns, a third of the cells hostile, some rows short or long. */
const rowsFor = (kinds: Kind[], edition: number) =>
  fc
    .array(
      fc.record({
        n: fc.integer({ min: 1, max: 12 }),
        hostile: fc.array(fc.option(hostileCell, { freq: 2 }), {
          minLength: kinds.length,
          maxLength: kinds.length,
        }),
        ragged: fc.integer({ min: -1, max: 1 }),
      }),
      { maxLength: 12 },
    )
    .map((rows) =>
      rows.map(({ n, hostile, ragged }) =>
        kinds
          .map((kind, i) => hostile[i] ?? TYPICAL[kind](n, edition))
          .slice(0, kinds.length + Math.min(ragged, 0))
          .concat(ragged > 0 ? ["extra"] : []),
      ),
    );

/** 1–9 columns of known kinds (and noise) with `count` bodies of rows under the same header. */
const tables = (count: number) =>
  fc.uniqueArray(fc.constantFrom<Kind>(...FIELDS, "noise"), { minLength: 1, maxLength: 9 }).chain((kinds) =>
    fc.record({
      columns: fc.tuple(...kinds.map(header)),
      bodies: fc.tuple(...Array.from({ length: count }, (_, edition) => rowsFor(kinds, edition))),
    }),
  );

/** How a table travels: a CSV (any delimiter, quoting, line ending, BOM) or the add-on's JSON. */
const encoding = fc.record({
  json: fc.boolean(),
  delimiter: fc.constantFrom(",", ";", "\t", "|"),
  newline: fc.constantFrom("\n", "\r\n"),
  quotes: fc.boolean(),
  bom: fc.boolean(),
});

function encode(table: Table, how: typeof encoding extends fc.Arbitrary<infer E> ? E : never): Snapshot {
  if (how.json) return { format: "json", body: table };
  const text = Papa.unparse([table.columns, ...table.rows], how);
  return { format: "csv", body: new TextEncoder().encode(how.bom ? `\ufeff${text}` : text) };
}

const snapshot: fc.Arbitrary<Snapshot> = fc
  .tuple(tables(1), encoding)
  .map(([{ columns, bodies }, how]) => encode({ columns, rows: bodies[0] ?? [] }, how));

/** Two exports of the same HRIS (same columns): the first makes members, the second is planned. */
const twoExports = fc
  .tuple(tables(2), encoding, encoding)
  .map(([{ columns, bodies }, first, second]) => [
    encode({ columns, rows: bodies[0] ?? [] }, first),
    encode({ columns, rows: bodies[1] ?? [] }, second),
  ]);

/** A real export with bytes overwritten, inserted or cut: what a broken transfer or editor leaves. */
const damagedCsv = fc
  .tuple(
    tables(1),
    fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), insert: fc.boolean() }), {
      minLength: 1,
      maxLength: 8,
    }),
    fc.nat(),
  )
  .map(([{ columns, bodies }, damage, cut]) => {
    const bytes = [...new TextEncoder().encode(Papa.unparse([columns, ...(bodies[0] ?? [])]))];
    for (const { at, byte, insert } of damage) bytes.splice(at % (bytes.length + 1), insert ? 0 : 1, byte);
    return new Uint8Array(bytes.slice(0, bytes.length - (cut % 4 === 0 ? cut % bytes.length : 0)));
  });

let t: TestDb;
beforeAll(async () => {
  t = await testDb();
});
afterAll(() => t.close());

async function freshHub() {
  const tenant = await createTenant(t.db, "Fuzz");
  const hub = await createHub(t.db, tenant.id, "Hub");
  return { tenantId: tenant.id, hubId: hub.id };
}

/** Resolves with the plan, or with the AppError a route would answer; anything else fails the run. */
async function attempt(tenantId: string, hubId: string, snap: Snapshot) {
  try {
    return await importAndPlan(t.db, tenantId, hubId, snap, OPTIONS);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBeLessThan(500);
    // The parser turns its own crashes into a 422 too; that message means a bug, not a bad file.
    expect((error as AppError).message).not.toContain("unexpected problem");
    return null;
  }
}

/** The stored actions, with generated ids replaced by their order of appearance. */
async function storedActions(tenantId: string, planId: string): Promise<unknown> {
  const rows = await t.db
    .select()
    .from(planActions)
    .where(and(eq(planActions.tenantId, tenantId), eq(planActions.planId, planId)))
    .orderBy(asc(planActions.seq));
  const ids = new Map<string, string>();
  const json = JSON.stringify(rows.map(({ id: _id, planId: _plan, ...action }) => action));
  return JSON.parse(
    json.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (uuid) => {
      if (!ids.has(uuid)) ids.set(uuid, `id-${ids.size}`);
      return ids.get(uuid) as string;
    }),
  );
}

describe("fuzzing the import", () => {
  it(
    "arbitrary and damaged bytes: a plan or a 4xx AppError, never anything else",
    async () => {
      const { tenantId, hubId } = await freshHub();
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 600 }), damagedCsv), async (bytes) => {
          await attempt(tenantId, hubId, { format: "csv", body: bytes });
        }),
        { numRuns: 500 },
      );
    },
    TIMEOUT,
  );

  it(
    "arbitrary tables, as CSV or JSON, first import of a hub (auto-map): a plan or a 4xx",
    async () => {
      const kinds = new Set<string>();
      await fc.assert(
        fc.asyncProperty(snapshot, async (snap) => {
          const { tenantId, hubId } = await freshHub();
          const result = await attempt(tenantId, hubId, snap);
          for (const kind of Object.keys(result?.plan.summary ?? {})) kinds.add(kind);
        }),
        { numRuns: 400 },
      );
      // Not vacuous: the generator reaches people who are invited, scheduled, skipped and rejected.
      expect([...kinds].sort()).toEqual(expect.arrayContaining(["error", "invite", "scheduled", "skip"]));
    },
    TIMEOUT,
  );

  it(
    "the same table against the same members plans the same actions",
    async () => {
      const kinds = new Set<string>();
      await fc.assert(
        fc.asyncProperty(twoExports, async ([first, second]) => {
          const { tenantId, hubId } = await freshHub();
          const seeded = await attempt(tenantId, hubId, first);
          if (seeded) {
            await setApproval(t.db, tenantId, seeded.plan.id, { approved: true, all: true, by: "fuzz" });
            await executePlan(t.db, tenantId, seeded.plan.id, {
              actor: { type: "admin", id: "fuzz" },
              acceptUrl: "https://x.test/accept?token=",
              budgetMs: 10_000,
            });
          }
          const a = await attempt(tenantId, hubId, second);
          const b = await attempt(tenantId, hubId, second);
          expect(b === null).toBe(a === null);
          if (!a || !b) return;
          expect(b.plan.summary).toEqual(a.plan.summary);
          expect(b.plan.guard).toEqual(a.plan.guard);
          expect(await storedActions(tenantId, b.plan.id)).toEqual(await storedActions(tenantId, a.plan.id));
          for (const kind of Object.keys(a.plan.summary)) kinds.add(kind);
        }),
        { numRuns: 100 },
      );
      // Not vacuous: against members, the second export updates, deactivates and invites.
      expect([...kinds]).toEqual(expect.arrayContaining(["deactivate", "invite", "update"]));
    },
    TIMEOUT,
  );
});
