// The map step: only mapped columns become fields, values are normalised, and a row that cannot be
// read or trusted becomes a row error instead of a person.
import { describe, expect, it } from "vitest";
import type { MappingColumn } from "../../../db/schema.ts";
import { applyMapping, mappingProblems } from "../../../worker/engine/mapping.ts";
import { parseCsv } from "../../../worker/engine/parse.ts";

const column = (
  column: string,
  field: string | null,
  kind: MappingColumn["kind"] = "core",
): MappingColumn => ({
  column,
  field,
  kind,
  visibility: "private",
  values: {},
  reviewed: true,
});

const MAPPING = [
  column("Email", "email"),
  column("Name", "firstName"),
  column("Start", "startDate"),
  column("Level", "seniority", "segment"),
  column("Notes", null),
];

describe("applyMapping", () => {
  it("writes only mapped columns, normalising email and whitespace", () => {
    const { table } = parseCsv(
      "Email,Name,Start,Level,Notes\n  Ada@Acme.TEST , Ada   Byron ,2024-01-02,Senior,secret\n",
    );
    const { records } = applyMapping(table, MAPPING, null);
    expect(records[0]?.core).toEqual({
      email: "ada@acme.test",
      firstName: "Ada Byron",
      startDate: "2024-01-02",
    });
    expect(records[0]?.profile).toEqual({ seniority: "Senior" });
    expect([...(records[0]?.mapped ?? [])].sort()).toEqual(["email", "firstName", "seniority", "startDate"]);
  });

  it("translates segment values through the value map", () => {
    const { table } = parseCsv("Email,Level\na@acme.test,Sr.\n");
    const mapping = [
      column("Email", "email"),
      { ...column("Level", "seniority", "segment"), values: { "Sr.": "Senior" } },
    ];
    expect(applyMapping(table, mapping, null).records[0]?.profile).toEqual({ seniority: "Senior" });
  });

  it("rejects a row with an impossible date, naming the column, and keeps the others", () => {
    const { table } = parseCsv("Email,Start\na@acme.test,2025-02-30\nb@acme.test,2025-02-28\n");
    const result = applyMapping(table, [column("Email", "email"), column("Start", "startDate")], null);
    expect(result.records.map((r) => r.core.email)).toEqual(["b@acme.test"]);
    expect(result.rejected).toEqual([
      { row: 2, email: "a@acme.test", message: expect.stringContaining("Start:") },
    ]);
  });

  it("reads slash dates by the column's own order before the tenant's", () => {
    const { table } = parseCsv("Email,Start\na@acme.test,03/04/2025\n");
    const mapping = [
      column("Email", "email"),
      { ...column("Start", "startDate"), dateOrder: "DMY" as const },
    ];
    expect(applyMapping(table, mapping, "MDY").records[0]?.core.startDate).toBe("2025-04-03");
  });

  it("rejects a row the parser could not read cleanly", () => {
    const { table, issues } = parseCsv('Email,Name\na@acme.test,"Ada\nb@acme.test,Grace\n');
    const result = applyMapping(table, [column("Email", "email"), column("Name", "firstName")], null, issues);
    expect(result.rejected.map((r) => r.row)).toContain(2);
    expect(result.records.map((r) => r.core.email)).toEqual(["b@acme.test"]);
  });

  it("rejects rows without a valid email", () => {
    const { table } = parseCsv("Email,Name\n,Nobody\nnot-an-email,Someone\n");
    const { rejected } = applyMapping(table, [column("Email", "email"), column("Name", "firstName")], null);
    expect(rejected.map((r) => r.message)).toEqual([
      expect.stringContaining("No email"),
      expect.stringContaining("not a valid email"),
    ]);
  });
});

describe("mappingProblems", () => {
  it("accepts a consistent table", () => {
    expect(mappingProblems(MAPPING)).toEqual([]);
  });

  it.each([
    ["an unknown core field", [column("Email", "email"), column("X", "shoeSize")], "not a core field"],
    ["a field fed twice", [column("Email", "email"), column("Mail", "email")], "both feed email"],
    ["no email", [column("Name", "firstName")], "No column feeds email"],
    ["a bad segment key", [column("Email", "email"), column("L", "Level!", "segment")], "lower-case words"],
  ])("reports %s", (_, columns, message) => {
    expect(
      mappingProblems(columns)
        .map((p) => p.message)
        .join(" "),
    ).toContain(message);
  });
});
