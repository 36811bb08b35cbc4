import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDateColumn } from "../../../worker/engine/dates.ts";
import type { DateOrder } from "../../../worker/engine/types.ts";

const one = (value: string, order: DateOrder | null = null) => parseDateColumn([value], order);

function isRealDate(iso: string): boolean {
  const [y, m, d] = iso.split("-").map(Number) as [number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d);
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

describe("parseDateColumn: formats that need no setting", () => {
  const cases: [string, string][] = [
    ["2024-01-05", "2024-01-05"],
    ["2024-1-5", "2024-01-05"],
    ["2024-01-05T10:30:00Z", "2024-01-05"],
    ["2024-01-05 10:30", "2024-01-05"],
    ["  2024-01-05  ", "2024-01-05"],
    ["2024/01/05", "2024-01-05"],
    ["2024.01.05", "2024-01-05"],
    ["20240105", "2024-01-05"],
    ["05.01.2024", "2024-01-05"],
    ["5.1.2024", "2024-01-05"],
    ["5 Jan 2024", "2024-01-05"],
    ["05-Jan-2024", "2024-01-05"],
    ["5 January 2024", "2024-01-05"],
    ["Jan 5, 2024", "2024-01-05"],
    ["January 5th, 2024", "2024-01-05"],
    ["jan. 5 2024", "2024-01-05"],
    ["Fri, 5 January 2024", "2024-01-05"],
    ["Friday, January 5, 2024", "2024-01-05"],
    ["3 Sept 2024", "2024-09-03"],
    ["Sep 3, 2024", "2024-09-03"],
    ["05/05/2024", "2024-05-05"],
    ["45296", "2024-01-05"],
    ["45296.75", "2024-01-05"],
    ["10000", "1927-05-18"],
    ["80000", "2119-01-11"],
    ["2024-02-29", "2024-02-29"],
    ["2000-02-29", "2000-02-29"],
    ["9999-12-31", "9999-12-31"],
  ];
  it.each(cases)("%s → %s", (value, iso) => {
    expect(one(value)).toEqual({ dates: [iso], order: null, issues: [], ambiguous: false });
  });

  it("empty and blank values are null without an issue", () => {
    expect(parseDateColumn(["", "   "], null)).toEqual({
      dates: [null, null],
      order: null,
      issues: [],
      ambiguous: false,
    });
  });
});

describe("parseDateColumn: values that are not dates", () => {
  const cases: [string, string][] = [
    ["2025-13-01", "invalid_date"],
    ["2025-02-29", "invalid_date"],
    ["1900-02-29", "invalid_date"],
    ["31.04.2024", "invalid_date"],
    ["31 Feb 2024", "invalid_date"],
    ["02/30/2025", "invalid_date"],
    ["31/31/2025", "invalid_date"],
    ["20241350", "invalid_date"],
    ["0000-01-01", "invalid_date"],
    ["01/02/24", "unrecognized_date"],
    ["5.1.24", "unrecognized_date"],
    ["0", "unrecognized_date"],
    ["9999", "unrecognized_date"],
    ["80001", "unrecognized_date"],
    ["-5", "unrecognized_date"],
    ["next monday", "unrecognized_date"],
    ["5 Foo 2024", "unrecognized_date"],
    ["Ma 5, 2024", "unrecognized_date"],
    ["2024", "unrecognized_date"],
  ];
  it.each(cases)("%s → %s", (value, code) => {
    const result = one(value);
    expect(result.dates).toEqual([null]);
    expect(result.issues).toEqual([expect.objectContaining({ index: 0, level: "error", code })]);
  });

  it("says why a 2-digit year is refused", () => {
    expect(one("01/02/24").issues[0]?.message).toContain("4 digits");
  });
});

describe("parseDateColumn: month-first or day-first", () => {
  it("uses the order it is given", () => {
    expect(parseDateColumn(["03/04/2025", "03-04-2025"], "MDY").dates).toEqual(["2025-03-04", "2025-03-04"]);
    expect(parseDateColumn(["03/04/2025", "03-04-2025"], "DMY").dates).toEqual(["2025-04-03", "2025-04-03"]);
    expect(parseDateColumn(["03/04/2025"], "DMY").order).toBe("DMY");
  });

  it("a value impossible in the given order is an error on that value", () => {
    const result = parseDateColumn(["03/04/2025", "13/04/2025"], "MDY");
    expect(result.dates).toEqual(["2025-03-04", null]);
    expect(result.issues).toEqual([
      expect.objectContaining({ index: 1, level: "error", code: "invalid_date" }),
    ]);
    expect(result.issues[0]?.message).toContain("MM/DD/YYYY");
  });

  const inferred: [string, string[], DateOrder, (string | null)[]][] = [
    [
      "a first part over 12 means day first",
      ["03/04/2025", "25/12/2024"],
      "DMY",
      ["2025-04-03", "2024-12-25"],
    ],
    [
      "a second part over 12 means month first",
      ["03/04/2025", "12/25/2024"],
      "MDY",
      ["2025-03-04", "2024-12-25"],
    ],
    [
      "31/04 is impossible either way and decides nothing",
      ["31/04/2025", "01/13/2025"],
      "MDY",
      [null, "2025-01-13"],
    ],
    [
      "29/02 on a leap year decides day first",
      ["29/02/2024", "01/02/2024"],
      "DMY",
      ["2024-02-29", "2024-02-01"],
    ],
  ];
  it.each(inferred)("infers: %s", (_, values, order, dates) => {
    const result = parseDateColumn(values, null);
    expect(result.order).toBe(order);
    expect(result.dates).toEqual(dates);
    expect(result.ambiguous).toBe(false);
  });

  it("an undecidable column is one warning and no guesses", () => {
    const result = parseDateColumn(["2024-06-01", "03/04/2025", "05/05/2025", "01/02/2025", "oops"], null);
    expect(result.dates).toEqual(["2024-06-01", null, "2025-05-05", null, null]);
    expect(result.ambiguous).toBe(true);
    expect(result.order).toBeNull();
    expect(result.issues.map((i) => [i.index, i.level, i.code])).toEqual([
      [1, "warning", "ambiguous_date_order"],
      [4, "error", "unrecognized_date"],
    ]);
    expect(result.issues[0]?.message).toMatch(/03\/04\/2025.*date format/);
  });

  it("a column that mixes both orders is an error on each ambiguous or conflicting value", () => {
    const result = parseDateColumn(
      ["13/04/2025", "04/13/2025", "03/04/2025", "05/05/2025", "2025-01-01"],
      null,
    );
    expect(result.dates).toEqual([null, null, null, "2025-05-05", "2025-01-01"]);
    expect(result.order).toBeNull();
    expect(result.ambiguous).toBe(false);
    expect(result.issues.map((i) => [i.index, i.code])).toEqual([
      [0, "date_order_conflict"],
      [1, "date_order_conflict"],
      [2, "date_order_conflict"],
    ]);
  });

  it("a setting wins over what the column suggests", () => {
    expect(parseDateColumn(["13/04/2025", "04/13/2025"], "DMY").dates).toEqual(["2025-04-13", null]);
  });

  it("reports no order when there are no slash dates", () => {
    expect(parseDateColumn(["2024-01-05", "45296"], null).order).toBeNull();
  });
});

describe("parseDateColumn: properties", () => {
  const ISO = /^\d{4}-\d{2}-\d{2}$/;
  const order = fc.constantFrom<DateOrder | null>("MDY", "DMY", null);

  it("never throws and only returns real calendar dates", () => {
    const dateish = fc.string({
      unit: fc.constantFrom("0", "1", "2", "3", "9", "/", "-", ".", " ", "T", "J", "a", "n", ","),
    });
    const values = fc.array(fc.oneof(fc.string(), fc.string({ unit: "binary" }), dateish), { maxLength: 20 });
    fc.assert(
      fc.property(values, order, (vs, o) => {
        const result = parseDateColumn(vs, o);
        expect(result.dates).toHaveLength(vs.length);
        for (const date of result.dates) {
          if (date === null) continue;
          expect(date).toMatch(ISO);
          expect(isRealDate(date)).toBe(true);
        }
        for (const issue of result.issues) expect(issue.index).toBeLessThan(vs.length);
      }),
      { numRuns: 1000 },
    );
  });

  it("any real date written in any supported format reads back", () => {
    const day = fc.date({ min: new Date("1901-01-01"), max: new Date("2099-12-31"), noInvalidDate: true });
    fc.assert(
      fc.property(day, fc.constantFrom<DateOrder>("MDY", "DMY"), (date, o) => {
        const iso = date.toISOString().slice(0, 10);
        const [y, m, d] = iso.split("-");
        const slash = o === "MDY" ? `${m}/${d}/${y}` : `${d}/${m}/${y}`;
        const month = date.toLocaleString("en-US", { month: "short", timeZone: "UTC" });
        const written = [
          iso,
          `${y}/${m}/${d}`,
          `${d}.${m}.${y}`,
          `${y}${m}${d}`,
          slash,
          `${Number(d)} ${month} ${y}`,
        ];
        expect(parseDateColumn(written, o).dates).toEqual(written.map(() => iso));
      }),
      { numRuns: 300 },
    );
  });
});
