// Regression test for the match step's bug found by the hostile corpus: 10,000 identical rows gave
// 10,000 messages each listing 9,999 row numbers (hundreds of MB in one plan).
import { describe, expect, it } from "vitest";
import { planCsv } from "./pipeline.ts";

describe("duplicate people", () => {
  it("lists at most five other rows in each message", () => {
    const csv = `employeeId,email\n${"E1,ada@acme.test\n".repeat(10_000)}`;
    const { actions } = planCsv(csv);
    expect(actions).toHaveLength(10_000);
    expect(actions.every((a) => a.kind === "error")).toBe(true);
    expect(actions[0]?.reason).toBe(
      "The same employee id E1 appears again on row 3, 4, 5, 6, 7 and 9,994 more; fix the export so each person appears once.",
    );
    expect(Math.max(...actions.map((a) => a.reason.length))).toBeLessThan(200);
  });

  it("lists every other row when there are few", () => {
    const { actions } = planCsv("email\nada@acme.test\nADA@acme.test\n");
    expect(actions[1]?.reason).toContain("appears again on row 2;");
  });
});
