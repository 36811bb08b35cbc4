// A1 notation as the Sheets API answers it, and the status column written beside the data.
import { describe, expect, it } from "vitest";
import { columnLetters, columnNumber, columnRange, rangeStart } from "../../worker/schedule/a1.ts";

describe("A1", () => {
  it("reads where a qualified range starts", () => {
    expect(rangeStart("Export!A1:F20")).toEqual({ sheet: "Export", column: 1, row: 1 });
    expect(rangeStart("'HR data!'!C3:D")).toEqual({ sheet: "'HR data!'", column: 3, row: 3 });
    expect(rangeStart("Export!B:D")).toEqual({ sheet: "Export", column: 2, row: 1 });
    expect(rangeStart("AA10:AC12")).toEqual({ sheet: null, column: 27, row: 10 });
  });

  it("converts column numbers and letters both ways", () => {
    for (const [n, l] of [
      [1, "A"],
      [26, "Z"],
      [27, "AA"],
      [52, "AZ"],
      [703, "AAA"],
    ] as const) {
      expect(columnLetters(n)).toBe(l);
      expect(columnNumber(l)).toBe(n);
    }
  });

  it("names one column from a row to a row", () => {
    expect(columnRange("'My tab'", 8, 1, 6)).toBe("'My tab'!H1:H6");
    expect(columnRange(null, 27, 2, 3)).toBe("AA2:AA3");
  });
});
