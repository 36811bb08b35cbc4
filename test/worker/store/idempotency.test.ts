// Idempotency-Key bookkeeping: the pending marker that lets one first request run, the stored
// response, conflicts, and expiry.
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ABANDONED_AFTER_MS,
  claimKey,
  completeKey,
  IDEMPOTENCY_TTL_MS,
  purgeIdempotencyKeys,
  releaseKey,
} from "../../../worker/store/idempotency.ts";
import { createTenant } from "../../../worker/store/tenants.ts";
import { type TestDb, testDb } from "../../helpers/db.ts";

let t: TestDb;
let tenantId: string;
const NOW = new Date("2026-03-02T09:30:00Z");
const later = (ms: number) => new Date(NOW.getTime() + ms);

beforeEach(async () => {
  t = await testDb();
  tenantId = (await createTenant(t.db, "T")).id;
});
afterEach(() => t.close());

describe("claimKey", () => {
  it("claims a new key once; meanwhile the same request is in progress, another is a mismatch", async () => {
    const claims = await Promise.all([1, 2, 3].map(() => claimKey(t.db, tenantId, "k", "h1", NOW)));
    expect(claims.filter((c) => c.state === "claimed")).toHaveLength(1);
    expect(claims.filter((c) => c.state === "in_progress")).toHaveLength(2);
    expect(await claimKey(t.db, tenantId, "k", "h2", NOW)).toEqual({ state: "mismatch" });
  });

  it("replays the stored response once complete", async () => {
    await claimKey(t.db, tenantId, "k", "h1", NOW);
    await completeKey(t.db, tenantId, "k", 201, '{"id":"x"}');
    expect(await claimKey(t.db, tenantId, "k", "h1", later(1000))).toEqual({
      state: "replay",
      status: 201,
      body: '{"id":"x"}',
    });
  });

  it("frees the key when released (the first request failed), after 24 h, and after an abandoned marker", async () => {
    await claimKey(t.db, tenantId, "released", "h1", NOW);
    await releaseKey(t.db, tenantId, "released");
    expect((await claimKey(t.db, tenantId, "released", "h2", NOW)).state).toBe("claimed");

    await claimKey(t.db, tenantId, "old", "h1", NOW);
    await completeKey(t.db, tenantId, "old", 200, "{}");
    expect((await claimKey(t.db, tenantId, "old", "h2", later(IDEMPOTENCY_TTL_MS - 1000))).state).toBe(
      "mismatch",
    );
    expect((await claimKey(t.db, tenantId, "old", "h2", later(IDEMPOTENCY_TTL_MS + 1000))).state).toBe(
      "claimed",
    );

    await claimKey(t.db, tenantId, "stuck", "h1", NOW);
    expect((await claimKey(t.db, tenantId, "stuck", "h1", later(ABANDONED_AFTER_MS - 1000))).state).toBe(
      "in_progress",
    );
    expect((await claimKey(t.db, tenantId, "stuck", "h1", later(ABANDONED_AFTER_MS + 1000))).state).toBe(
      "claimed",
    );
  });

  it("keeps tenants apart", async () => {
    const other = (await createTenant(t.db, "Other")).id;
    await claimKey(t.db, tenantId, "k", "h1", NOW);
    expect((await claimKey(t.db, other, "k", "h2", NOW)).state).toBe("claimed");
  });
});

describe("purgeIdempotencyKeys", () => {
  it("removes responses older than 24 h only", async () => {
    await claimKey(t.db, tenantId, "old", "h", NOW);
    await claimKey(t.db, tenantId, "new", "h", later(IDEMPOTENCY_TTL_MS));
    expect(await purgeIdempotencyKeys(t.db, later(IDEMPOTENCY_TTL_MS + 1000))).toBe(1);
    const rows = await t.db.all<{ key: string }>(sql`select key from idempotency_keys`);
    expect(rows.map((r) => r.key)).toEqual(["new"]);
  });
});
