import { describe, expect, it } from "vitest";
import { cronProblem } from "../../worker/cron-syntax.ts";

describe("cronProblem", () => {
  it.each([
    "0 8 * * 1-5",
    "*/15 * * * *",
    "0 0 1 1 *",
    "30 6,18 * * MON-FRI",
    "0 12 * JAN,jul sun",
    "59 23 31 12 7",
    "0-30/10 8-17 1-15 */2 0",
  ])("accepts %s", (expression) => {
    expect(cronProblem(expression)).toBeNull();
  });

  it.each([
    ["0 8 * *", /5 fields.*not 4/],
    ["0 8 * * 1-5 2026", /not 6/],
    ["60 8 * * *", /minute field "60"/],
    ["0 24 * * *", /hour field/],
    ["0 8 0 * *", /day of month field/],
    ["0 8 * 13 *", /month field/],
    ["0 8 * * 8", /day of week field/],
    ["0 8 * * MON-", /day of week field/],
    ["*/0 * * * *", /step "0"/],
    ["0 8 * * 5-1", /runs backwards/],
    ["0 8 ? * *", /day of month field/],
    ["1/2/3 * * * *", /more than one step/],
    ["", /5 fields/],
  ])("refuses %s", (expression, message) => {
    expect(cronProblem(expression)).toMatch(message);
  });
});
