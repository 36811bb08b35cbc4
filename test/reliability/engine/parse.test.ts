// Regression tests for the parse step's bugs found by the hostile corpus. A 60 MB export (880,000
// rows) was read whole and killed the Worker mid-request (a 503 with no problem body): files past
// what one invocation can hold are now refused up front with a clear 4xx problem. A repeated header
// row and a row split by another delimiter were rejected as people with misleading reasons.
import { describe, expect, it } from "vitest";
import { MAX_FILE_BYTES } from "../../../worker/engine/decode.ts";
import {
  MAX_CELLS,
  MAX_ROWS,
  parseCsv,
  parseJsonTable,
  UnreadableFile,
} from "../../../worker/engine/parse.ts";

function codeOf(read: () => unknown): string {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(UnreadableFile);
    return (error as UnreadableFile).code;
  }
  return "no error";
}

describe("size limits", () => {
  it("refuses a file over the byte limit before decoding it", () => {
    const bytes = new Uint8Array(MAX_FILE_BYTES + 1).fill(0x61);
    expect(codeOf(() => parseCsv(bytes))).toBe("file_too_large");
  });

  it("refuses more rows than one import reads, and reads exactly the limit", () => {
    const rows = (n: number) => `Email\n${"a@b.cd\n".repeat(n)}`;
    expect(codeOf(() => parseCsv(rows(MAX_ROWS + 1)))).toBe("too_many_rows");
    expect(parseCsv(rows(MAX_ROWS)).table.rows).toHaveLength(MAX_ROWS);
  });

  it("refuses a table with more values than one import reads, before reading it", () => {
    const width = 1000;
    const header = Array.from({ length: width }, (_, i) => `C${i}`).join(",");
    const line = ",".repeat(width - 1);
    const lines = Math.floor(MAX_CELLS / width) + 1;
    expect(codeOf(() => parseCsv(`${header}\n${`${line}\n`.repeat(lines)}`))).toBe("too_many_cells");
  });

  it("applies the same limits to the add-on's JSON table", () => {
    const rows = Array.from({ length: MAX_ROWS + 1 }, () => ["a@b.cd"]);
    expect(codeOf(() => parseJsonTable({ columns: ["Email"], rows }))).toBe("too_many_rows");
    // Short rows still count as wide as the header: MAX_CELLS / 1,000 + 1 rows of 1,000 columns.
    const columns = Array.from({ length: 1_000 }, (_, i) => `C${i}`);
    const empty = Array.from({ length: Math.floor(MAX_CELLS / 1_000) + 1 }, () => []);
    expect(codeOf(() => parseJsonTable({ columns, rows: empty }))).toBe("too_many_cells");
  });
});

describe("rows that are not people", () => {
  it("skips a repeated header row with a warning instead of rejecting it as a person", () => {
    const { table, issues } = parseCsv("Email,Name\na@b.cd,Ann\n Email , NAME \nb@b.cd,Bob\n");
    expect(table.rows).toEqual([
      ["a@b.cd", "Ann"],
      ["b@b.cd", "Bob"],
    ]);
    expect(table.rowNumbers).toEqual([2, 4]);
    expect(issues).toEqual([expect.objectContaining({ row: 3, level: "warning", code: "repeated_header" })]);
  });

  it("names the separator of a row written with another one than the header's", () => {
    const { issues } = parseCsv("Id,Email,Name\n1,a@b.cd,Ann\n2;b@b.cd;Bob\n3\tc@b.cd\tCy\n");
    expect(issues.map((i) => [i.row, i.level, i.code])).toEqual([
      [3, "error", "wrong_delimiter"],
      [4, "error", "wrong_delimiter"],
    ]);
    expect(issues[0]?.message).toContain("separated by “;” but the header row by “,”");
    expect(issues[1]?.message).toContain("separated by tabs");
  });

  it("does not mistake a short row whose value holds a semicolon for another separator", () => {
    const { issues } = parseCsv("Id,Email,Name,Team\n1,a@b.cd,Ann,Sales; EMEA\n2\n");
    expect(issues).toEqual([]);
  });
});
