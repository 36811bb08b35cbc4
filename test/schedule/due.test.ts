// Is a tenant due at this tick? Its schedule fired since its last scheduled run; a tenant that
// never ran looks back one tick only.
import { describe, expect, it } from "vitest";
import { dueOccurrence, TICK_MINUTES } from "../../worker/schedule/due.ts";

const weekdays8 = { cron: "0 8 * * 1-5", timeZone: "UTC" };
const at = (iso: string) => new Date(iso);

describe("dueOccurrence", () => {
  it("is due at the first tick at or after the schedule, once", () => {
    expect(dueOccurrence(weekdays8, null, at("2030-03-08T07:45:00Z"))).toBeNull();
    expect(dueOccurrence(weekdays8, null, at("2030-03-08T08:00:00Z"))?.toISOString()).toBe(
      "2030-03-08T08:00:00.000Z",
    );
    expect(dueOccurrence(weekdays8, at("2030-03-08T08:00:00Z"), at("2030-03-08T08:15:00Z"))).toBeNull();
  });

  it("runs a schedule that is not on a tick at the next tick", () => {
    const schedule = { cron: "7 8 * * *", timeZone: "UTC" };
    expect(dueOccurrence(schedule, at("2030-03-07T08:07:00Z"), at("2030-03-08T08:00:00Z"))).toBeNull();
    expect(
      dueOccurrence(schedule, at("2030-03-07T08:07:00Z"), at("2030-03-08T08:15:00Z"))?.toISOString(),
    ).toBe("2030-03-08T08:07:00.000Z");
  });

  it("does not fire a schedule set up between its time and the tick after the next", () => {
    expect(TICK_MINUTES).toBe(15);
    expect(dueOccurrence(weekdays8, null, at("2030-03-08T08:30:00Z"))).toBeNull();
  });

  it("reads the schedule in the tenant's time zone", () => {
    const sydney = { cron: "0 9 * * *", timeZone: "Australia/Sydney" };
    // 09:00 in Sydney on 21 March 2030 is 22:00 UTC on 20 March.
    expect(dueOccurrence(sydney, null, at("2030-03-20T22:00:00Z"))?.toISOString()).toBe(
      "2030-03-20T22:00:00.000Z",
    );
    expect(dueOccurrence(sydney, null, at("2030-03-21T09:00:00Z"))).toBeNull();
  });

  it("refuses a time zone the platform does not know", () => {
    expect(() => dueOccurrence({ cron: "0 8 * * *", timeZone: "Mars/Olympus" }, null, new Date())).toThrow(
      RangeError,
    );
  });
});
