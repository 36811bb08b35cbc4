// The compact roster against applyMapping: every row rebuilt by recordAt is the record applyMapping
// gives (or is rejected with the same message), its fingerprint is that of its mapped values' JSON
// (as members' are written), and the fields planning reads for every row are the record's, whether
// a column keeps its values once each or, once they turn out nearly all new, one per row.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { MappingColumn } from "../../../db/schema.ts";
import type { Column } from "../../../worker/engine/columns.ts";
import { fingerprint } from "../../../worker/engine/fingerprint.ts";
import { applyMapping, DATE_FIELDS, isCoreField } from "../../../worker/engine/mapping.ts";
import { openCsv, parseCsv } from "../../../worker/engine/parse.ts";
import { buildRoster, type Roster, recordAt, rowName } from "../../../worker/engine/roster.ts";
import type { DateOrder, PersonRecord } from "../../../worker/engine/types.ts";

const mapped = (column: string, field: string, kind: MappingColumn["kind"] = "core"): MappingColumn => ({
  column,
  field,
  kind,
  visibility: "public",
  values: {},
  reviewed: true,
});

const MAPPING: MappingColumn[] = [
  mapped("Employee ID", "employeeId"),
  mapped("First", "firstName"),
  mapped("Last", "lastName"),
  mapped("Email", "email"),
  mapped("Title", "jobTitle"),
  mapped("Manager", "manager"),
  mapped("Start", "startDate"),
  mapped("End", "terminationDate"),
  mapped("Status", "employmentStatus"),
  mapped("Country", "country"),
  { ...mapped("Team", "team", "segment"), values: { Ops: "Operations" } },
  mapped("Roles", "roles", "role"),
  mapped("Code", "code", "segment"),
];
const COLUMNS = MAPPING.map((m) => m.column);

function csv(rows: string[][]): string {
  const quote = (cell: string) => `"${cell.replaceAll('"', '""')}"`;
  return [COLUMNS, ...rows].map((row) => row.map(quote).join(",")).join("\n");
}

/** A row's mapped values as the roster fingerprints them, from applyMapping's record. */
function valuesOf(record: PersonRecord, mapping: MappingColumn[]): unknown[] {
  return mapping.map((m) => {
    const field = m.field as string;
    if (m.kind !== "core") return record.profile[field] ?? null;
    if (!isCoreField(field) || DATE_FIELDS.has(field)) return null;
    return record.core[field] ?? null;
  });
}

function expectAsApplyMapping(text: string, dateOrder: DateOrder | null = null): Roster {
  const parsed = parseCsv(text);
  const expected = applyMapping(parsed.table, MAPPING, dateOrder, parsed.issues);
  const roster = buildRoster(openCsv(text), MAPPING, dateOrder);
  expect(roster.issues).toStrictEqual(expected.issues);
  expect(roster.size).toBe(expected.records.length + expected.rejected.length);
  const records = expected.records.values();
  const rejected = expected.rejected.values();
  for (let r = 0; r < roster.size; r++) {
    if (roster.rejected.has(r)) {
      const want = rejected.next().value;
      expect({ row: roster.lines[r], message: roster.rejected.get(r) }).toStrictEqual({
        row: want?.row,
        message: want?.message,
      });
      expect(roster.emails.at(r)).toBe(want?.email);
      expect(roster.employeeIds.at(r) || undefined).toBe(want?.employeeId);
      continue;
    }
    const want = records.next().value as PersonRecord;
    expect(recordAt(roster, r)).toStrictEqual(want);
    expect(rowName(roster, r)).toBe([want.core.firstName, want.core.lastName].filter(Boolean).join(" "));
    expect(roster.hashes[r]).toBe(fingerprint(JSON.stringify(valuesOf(want, MAPPING))));
    const planned = {
      employeeId: roster.employeeIds.at(r),
      email: roster.emails.at(r),
      manager: roster.managers.at(r),
      employmentStatus: roster.statuses.at(r),
      country: roster.countries.at(r),
      startDate: roster.startDates.at(r),
      terminationDate: roster.terminationDates.at(r),
    };
    expect(planned).toStrictEqual({
      employeeId: want.core.employeeId ?? null,
      email: want.core.email ?? null,
      manager: want.core.manager ?? null,
      employmentStatus: want.core.employmentStatus ?? null,
      country: want.core.country ?? null,
      startDate: want.core.startDate ?? null,
      terminationDate: want.core.terminationDate ?? null,
    });
  }
  return roster;
}

// Cells a mapping has to keep exactly: empty ones and "no value" words, what JSON escapes (quotes,
// backslashes, control characters, lone surrogates), emoji, invisible characters, line breaks.
const odd = fc.constantFrom(
  "",
  " ",
  "N/A",
  "-",
  'He said "hi"',
  "back\\slash",
  "bell\u0007",
  "😀 emoji",
  "lone \ud800 surrogate",
  "two\nlines",
  "  spaced   out  ",
  "Zoë Ångström",
);
const row = fc.record({
  n: fc.integer({ min: 1, max: 9 }),
  id: fc.constantFrom("E{n}", "", "e\u200b{n}", "N/A"),
  email: fc.constantFrom("p{n}@acme.test", "P{n}@ACME.test", "p{n}-at-acme", "", "p\u200b{n}@acme.test"),
  first: fc.oneof(fc.constantFrom("Ada", "Grace", ""), odd),
  title: fc.oneof(odd, fc.constant("x".repeat(1_001))),
  manager: fc.constantFrom("", "E1", "p2@acme.test", "Ada Lovelace"),
  start: fc.constantFrom("2020-01-01", "03/04/2020", "13/04/2020", "04/13/2020", "not a date", "", "45296"),
  end: fc.constantFrom("", "", "N/A", "2021-06-30", "06/30/2021"),
  status: fc.constantFrom("Active", "Terminated", "", "active"),
  country: fc.constantFrom("Germany", "DE", "", "Atlantis"),
  team: fc.oneof(fc.constantFrom("Ops", "Sales", ""), odd),
  roles: fc.oneof(fc.constantFrom("", "Mentor", "Mentor; Mentee", ",", "A|B|A"), odd),
  code: odd,
});
type Row = typeof row extends fc.Arbitrary<infer T> ? T : never;

function cells(p: Row): string[] {
  const n = (s: string) => s.replaceAll("{n}", String(p.n));
  return [
    n(p.id),
    p.first,
    "Last",
    n(p.email),
    p.title,
    p.manager,
    p.start,
    p.end,
    p.status,
    p.country,
    p.team,
    p.roles,
    p.code,
  ];
}

describe("buildRoster", () => {
  it("rebuilds every row as applyMapping maps it, with its fingerprint", () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 20 }), fc.constantFrom(null, "DMY", "MDY"), (rows, order) => {
        expectAsApplyMapping(csv(rows.map(cells)), order as DateOrder | null);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps a segment cell named like an object's own machinery as the text it is", () => {
    const rows = ["toString", "__proto__", "constructor", "Ops"].map((team, r) => {
      const row = COLUMNS.map(() => "");
      row[0] = `E${r}`;
      row[3] = `p${r}@acme.test`;
      row[10] = team;
      return row;
    });
    const roster = expectAsApplyMapping(csv(rows));
    const teams = [0, 1, 2, 3].map((r) => recordAt(roster, r).profile.team);
    expect(teams).toEqual(["toString", "__proto__", "constructor", "Operations"]);
  });

  it("keeps values exactly when columns turn from repeated to nearly all new partway through", () => {
    const rows = Array.from({ length: 12_000 }, (_, r) => [
      `E${r}`,
      ["Ada", "Grace", "Alan"][r % 3] as string,
      r % 5 === 0 ? "" : "Lovelace",
      `person.number.${r}@acme.test`,
      r < 3_000 ? (["Engineer", "N/A", ""][r % 3] as string) : `Engineer of thing ${r}`,
      `E${r % 40}`,
      r === 7_777
        ? "not a date"
        : r % 2_000 === 999
          ? "03/04/2020"
          : `2020-01-${String((r % 28) + 1).padStart(2, "0")}`,
      r % 4 === 0 ? "2030-12-31" : "",
      r % 10 === 0 ? "Terminated" : "Active",
      ["Germany", "DE", ""][r % 3] as string,
      r % 7 === 0 ? "" : "Ops",
      r < 2_000 ? "Mentor; Mentee" : `Role ${r}; Mentor`,
      r < 1_500 ? `C${r % 9}` : r % 10 ? `A code of its own ${r}` : "",
    ]);
    const roster = expectAsApplyMapping(csv(rows));
    const held = (column: string) => (roster.values[COLUMNS.indexOf(column)] as Column).dictionary.length;
    // One value per row: these columns stopped keeping each value once.
    for (const column of ["Employee ID", "Email", "Title", "Roles", "Code"])
      expect(held(column)).toBe(12_000);
    expect(held("Manager")).toBeLessThan(50);
    expect(roster.issues.map((issue) => [issue.code, issue.row])).toStrictEqual([
      ["ambiguous_date_order", 1_001],
      ["unrecognized_date", 7_779],
    ]);
  });
});
