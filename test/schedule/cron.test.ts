// A tenant's cron read in its time zone: when it last fired, across weekends, steps, lists,
// day-of-month/day-of-week, daylight saving, and a brute-force cross-check in zones without DST.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { occurrenceBetween, parseCron } from "../../worker/schedule/cron.ts";

const at = (iso: string) => new Date(iso);
const last = (cron: string, zone: string, after: string, now: string) =>
  occurrenceBetween(parseCron(cron), zone, at(after), at(now))?.toISOString() ?? null;

describe("occurrenceBetween", () => {
  it("finds weekdays 08:00 UTC and nothing on a weekend", () => {
    // 2030-03-08 is a Friday.
    expect(last("0 8 * * 1-5", "UTC", "2030-03-08T07:45:00Z", "2030-03-08T08:00:00Z")).toBe(
      "2030-03-08T08:00:00.000Z",
    );
    expect(last("0 8 * * 1-5", "UTC", "2030-03-08T08:00:00Z", "2030-03-08T08:15:00Z")).toBeNull();
    expect(last("0 8 * * 1-5", "UTC", "2030-03-08T08:00:00Z", "2030-03-10T23:59:00Z")).toBeNull();
    expect(last("0 8 * * 1-5", "UTC", "2030-03-08T08:00:00Z", "2030-03-11T08:00:00Z")).toBe(
      "2030-03-11T08:00:00.000Z",
    );
  });

  it("catches up missed days with the latest occurrence only", () => {
    expect(last("0 8 * * 1-5", "UTC", "2030-03-04T08:00:00Z", "2030-03-07T09:00:00Z")).toBe(
      "2030-03-07T08:00:00.000Z",
    );
  });

  it("reads the schedule in the tenant's zone, summer and winter", () => {
    expect(last("0 8 * * *", "Europe/Paris", "2030-01-15T00:00:00Z", "2030-01-15T12:00:00Z")).toBe(
      "2030-01-15T07:00:00.000Z",
    );
    expect(last("0 8 * * *", "Europe/Paris", "2030-07-15T00:00:00Z", "2030-07-15T12:00:00Z")).toBe(
      "2030-07-15T06:00:00.000Z",
    );
    // 23:30 UTC on 20 March is 10:30 on 21 March in Sydney (UTC+11).
    expect(last("30 10 21 3 *", "Australia/Sydney", "2030-03-20T23:00:00Z", "2030-03-20T23:30:00Z")).toBe(
      "2030-03-20T23:30:00.000Z",
    );
    expect(
      last("30 10 20 3 *", "Australia/Sydney", "2030-03-20T23:00:00Z", "2030-03-20T23:30:00Z"),
    ).toBeNull();
  });

  it("fires a time skipped by spring-forward an hour later, once", () => {
    // Paris skips 02:00–03:00 on 2030-03-31: "02:30" happens at 03:30 CEST (01:30 UTC).
    expect(last("30 2 * * *", "Europe/Paris", "2030-03-31T00:00:00Z", "2030-03-31T06:00:00Z")).toBe(
      "2030-03-31T01:30:00.000Z",
    );
  });

  it("reads steps, ranges with steps, lists, names and Sunday as 7", () => {
    expect(last("5/20 * * * *", "UTC", "2030-03-08T10:00:00Z", "2030-03-08T10:59:00Z")).toBe(
      "2030-03-08T10:45:00.000Z",
    );
    expect(last("*/15 9-17/4 * * MON-FRI", "UTC", "2030-03-08T00:00:00Z", "2030-03-08T23:59:00Z")).toBe(
      "2030-03-08T17:45:00.000Z",
    );
    expect(last("0 6,18 * JAN,mar *", "UTC", "2030-03-08T00:00:00Z", "2030-03-08T17:59:00Z")).toBe(
      "2030-03-08T06:00:00.000Z",
    );
    // 2030-03-10 is a Sunday.
    expect(last("0 12 * * 7", "UTC", "2030-03-09T00:00:00Z", "2030-03-11T00:00:00Z")).toBe(
      "2030-03-10T12:00:00.000Z",
    );
  });

  it("matches day-of-month or day-of-week when both are restricted", () => {
    // The 13th (a Wednesday in March 2030) or any Friday.
    expect(last("0 0 13 * FRI", "UTC", "2030-03-12T00:00:00Z", "2030-03-14T00:00:00Z")).toBe(
      "2030-03-13T00:00:00.000Z",
    );
    expect(last("0 0 13 * FRI", "UTC", "2030-03-14T00:00:00Z", "2030-03-16T00:00:00Z")).toBe(
      "2030-03-15T00:00:00.000Z",
    );
    expect(last("0 0 */2 * FRI", "UTC", "2030-03-14T00:00:00Z", "2030-03-16T00:00:00Z")).toBe(
      "2030-03-15T00:00:00.000Z",
    );
  });

  it("finds a leap day four years back and never a 31 February", () => {
    expect(last("0 0 29 2 *", "UTC", "2028-03-01T00:00:00Z", "2032-03-01T00:00:00Z")).toBe(
      "2032-02-29T00:00:00.000Z",
    );
    expect(last("0 0 31 2 *", "UTC", "2020-01-01T00:00:00Z", "2032-03-01T00:00:00Z")).toBeNull();
  });

  it("agrees with a minute-by-minute search in zones without daylight saving", () => {
    const zones = ["UTC", "Asia/Kolkata", "Asia/Tokyo", "Australia/Brisbane", "America/Bogota"];
    const field = (max: number, min = 0) =>
      fc.oneof(
        fc.constant("*"),
        fc.integer({ min, max }).map(String),
        fc
          .tuple(fc.integer({ min, max }), fc.integer({ min: 1, max: 3 }))
          .map(([a, s]) => `${a}-${max}/${s}`),
        fc.uniqueArray(fc.integer({ min, max }), { minLength: 1, maxLength: 3 }).map((v) => v.join(",")),
      );
    const cron = fc
      .tuple(field(59), field(23), field(31, 1), fc.constant("*"), field(6))
      .map((parts) => parts.join(" "));
    fc.assert(
      fc.property(
        cron,
        fc.constantFrom(...zones),
        fc.integer({ min: 0, max: 365 * 24 * 60 }),
        fc.integer({ min: 1, max: 2 * 24 * 60 }),
        (expression, zone, startMinute, windowMinutes) => {
          const after = new Date(Date.UTC(2030, 0, 1) + startMinute * 60_000);
          const now = new Date(after.getTime() + windowMinutes * 60_000);
          const found = occurrenceBetween(parseCron(expression), zone, after, now);
          expect(found?.toISOString() ?? null).toBe(bruteForce(expression, zone, after, now));
        },
      ),
      { numRuns: 60 },
    );
  });
});

/** The latest minute in (after, now] whose wall-clock time in `zone` matches, checked one by one. */
function bruteForce(expression: string, zone: string, after: Date, now: Date): string | null {
  const spec = parseCron(expression);
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    weekday: "short",
    day: "numeric",
    month: "numeric",
    hour: "numeric",
    minute: "numeric",
  });
  const weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const start = Math.floor(now.getTime() / 60_000) * 60_000;
  for (let t = start; t > after.getTime(); t -= 60_000) {
    const parts = Object.fromEntries(format.formatToParts(new Date(t)).map((p) => [p.type, p.value]));
    const dom = spec.daysOfMonth.has(Number(parts.day));
    const dow = spec.daysOfWeek.has(weekdays.indexOf(parts.weekday ?? ""));
    const day = spec.domRestricted && spec.dowRestricted ? dom || dow : dom && dow;
    if (
      spec.minutes.includes(Number(parts.minute)) &&
      spec.hours.includes(Number(parts.hour)) &&
      spec.months.has(Number(parts.month)) &&
      day
    ) {
      return new Date(t).toISOString();
    }
  }
  return null;
}
