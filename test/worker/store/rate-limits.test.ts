import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hit } from "../../../worker/store/rate-limits.ts";
import { createApiKey, createTenant } from "../../../worker/store/tenants.ts";
import { type TestDb, testDb } from "../../helpers/db.ts";

let t: TestDb;
let tenantId: string;
let keyA: string;
let keyB: string;
const at = (seconds: number) => new Date(Date.UTC(2026, 2, 2, 9, 0, 0) + seconds * 1000);

beforeEach(async () => {
  t = await testDb();
  tenantId = (await createTenant(t.db, "T")).id;
  keyA = (await createApiKey(t.db, tenantId, "a", "admin")).id;
  keyB = (await createApiKey(t.db, tenantId, "b", "admin")).id;
});
afterEach(() => t.close());

describe("hit", () => {
  it("counts per key within a window that starts at the key's first request", async () => {
    expect(await hit(t.db, tenantId, keyA, 60, at(10))).toEqual({
      count: 1,
      windowStart: at(10).getTime() / 1000,
    });
    expect((await hit(t.db, tenantId, keyA, 60, at(30))).count).toBe(2);
    expect((await hit(t.db, tenantId, keyB, 60, at(30))).count).toBe(1);
    expect((await hit(t.db, tenantId, keyA, 60, at(69))).count).toBe(3);
    expect(await hit(t.db, tenantId, keyA, 60, at(70))).toEqual({
      count: 1,
      windowStart: at(70).getTime() / 1000,
    });
  });

  it("counts concurrent requests without losing any", async () => {
    await Promise.all(Array.from({ length: 20 }, () => hit(t.db, tenantId, keyA, 60, at(0))));
    expect((await hit(t.db, tenantId, keyA, 60, at(1))).count).toBe(21);
  });
});
