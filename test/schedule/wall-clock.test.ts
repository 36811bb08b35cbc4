// The date in a tenant's time zone: what "today" means for start and leave dates.
import { describe, expect, it } from "vitest";
import { isoDateInZone } from "../../worker/schedule/wall-clock.ts";

describe("isoDateInZone", () => {
  const now = new Date("2025-01-01T03:30:00Z");
  const cases: [string, string][] = [
    ["UTC", "2025-01-01"],
    ["America/New_York", "2024-12-31"],
    ["Asia/Tokyo", "2025-01-01"],
    ["Pacific/Kiritimati", "2025-01-01"],
    ["Pacific/Pago_Pago", "2024-12-31"],
  ];
  it.each(cases)("%s", (zone, iso) => {
    expect(isoDateInZone(now, zone)).toBe(iso);
  });

  it("rejects an unknown zone", () => {
    expect(() => isoDateInZone(now, "Mars/Olympus")).toThrow(RangeError);
  });
});
