// Regression test for the planner's bug found by the hostile corpus: a row rejected for its email
// still names its employee id, and the member with that id is not offered for deactivation.
import { describe, expect, it } from "vitest";
import { member, planCsv } from "./pipeline.ts";

describe("absent members and rejected rows", () => {
  it("never deprovisions the member whose employee id is on a rejected row", () => {
    const members = [member("m1", "ada@acme.test", "E1"), member("m2", "bob@acme.test", "E2")];
    const { actions } = planCsv("employeeId,email\nE1,ada@acme\n", members);
    expect(actions.map((a) => [a.kind, a.memberId ?? a.row])).toEqual([
      ["error", 2],
      ["deactivate", "m2"],
    ]);
  });

  it("nor the member whose employee id is on a duplicated row", () => {
    const members = [member("m1", "ada@acme.test", "E1")];
    const { actions } = planCsv("employeeId,email\nE1,ada.new@acme.test\nE1,ada.other@acme.test\n", members);
    expect(actions.map((a) => a.kind)).toEqual(["error", "error"]);
  });
});
