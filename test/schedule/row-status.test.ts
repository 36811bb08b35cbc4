// The words written into the status column for each row.
import { describe, expect, it } from "vitest";
import { columnOfStatuses, rowStatus } from "../../worker/schedule/row-status.ts";

const base = { row: 2, approved: false, status: "pending" as const, reason: "Why.", message: null };

describe("row statuses", () => {
  it("says what happened or what waits", () => {
    expect(rowStatus(undefined, false)).toBe("Up to date");
    expect(rowStatus({ ...base, kind: "update", status: "done", approved: true }, false)).toBe("Updated");
    expect(rowStatus({ ...base, kind: "invite" }, false)).toBe("Waiting for approval (invite): Why.");
    expect(rowStatus({ ...base, kind: "deactivate" }, true)).toMatch(/^Blocked: .*guard/);
    expect(rowStatus({ ...base, kind: "error", reason: "No email." }, false)).toBe("Error: No email.");
    expect(rowStatus({ ...base, kind: "scheduled", reason: "Starts on 2030-03-11." }, false)).toBe(
      "Scheduled: Starts on 2030-03-11.",
    );
    expect(
      rowStatus({ ...base, kind: "update", status: "stale", approved: true, message: "Changed." }, false),
    ).toBe("Stale: Changed.");
  });

  it("puts each action on its row and leaves blank rows blank", () => {
    const statuses = columnOfStatuses(
      [2, 3, 4],
      new Set([3]),
      [{ ...base, row: 4, kind: "update", status: "done", approved: true }],
      false,
    );
    expect(statuses).toEqual(["Up to date", "", "Updated"]);
  });
});
