// Per-tenant leases against a real (in-process) libSQL: one holder at a time, expiry, and a
// finished occurrence never run twice.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lastRunOf, releaseLease, takeLease } from "../../worker/store/leases.ts";
import { createTenant } from "../../worker/store/tenants.ts";
import { type TestDb, testDb } from "../helpers/db.ts";

let t: TestDb;
let tenantId: string;
beforeEach(async () => {
  t = await testDb();
  tenantId = (await createTenant(t.db, "T")).id;
});
afterEach(() => t.close());

const occurrence = new Date("2030-03-08T08:00:00Z");
const wall = new Date("2026-11-21T10:00:00Z");
const request = (holder: string, now = wall, at = occurrence) => ({
  holder,
  now,
  ttlMs: 600_000,
  occurrence: at,
});

describe("leases", () => {
  it("gives the lease to one holder; a second concurrent run skips", async () => {
    const results = await Promise.all([
      takeLease(t.db, tenantId, "job", request("a")),
      takeLease(t.db, tenantId, "job", request("b")),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await takeLease(t.db, tenantId, "job", request("c"))).toBe(false);
  });

  it("records the finished occurrence and refuses to run it again, but runs the next", async () => {
    expect(await takeLease(t.db, tenantId, "job", request("a"))).toBe(true);
    expect(await releaseLease(t.db, tenantId, "job", "a", occurrence)).toBe(true);
    expect((await lastRunOf(t.db, tenantId, "job"))?.toISOString()).toBe(occurrence.toISOString());
    expect(await takeLease(t.db, tenantId, "job", request("b"))).toBe(false);
    const next = new Date("2030-03-11T08:00:00Z");
    expect(await takeLease(t.db, tenantId, "job", request("b", wall, next))).toBe(true);
  });

  it("lets another run take an expired lease, and the old holder's release then changes nothing", async () => {
    expect(await takeLease(t.db, tenantId, "job", request("a"))).toBe(true);
    const later = new Date(wall.getTime() + 600_001);
    expect(await takeLease(t.db, tenantId, "job", request("b", later))).toBe(true);
    expect(await releaseLease(t.db, tenantId, "job", "a", occurrence)).toBe(false);
    expect(await lastRunOf(t.db, tenantId, "job")).toBeNull();
    expect(await releaseLease(t.db, tenantId, "job", "b", occurrence)).toBe(true);
  });

  it("keeps tenants apart", async () => {
    const other = (await createTenant(t.db, "U")).id;
    expect(await takeLease(t.db, tenantId, "job", request("a"))).toBe(true);
    expect(await takeLease(t.db, other, "job", request("b"))).toBe(true);
  });
});
