// HRIS event ids: a redelivery is recognised, and a delivery that died mid-way does not swallow
// every later retry.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  claimEvent,
  finishEvent,
  PROCESSING_ABANDONED_AFTER_MS,
} from "../../../worker/store/processed-events.ts";
import { createTenant } from "../../../worker/store/tenants.ts";
import { type TestDb, testDb } from "../../helpers/db.ts";

let t: TestDb;
let tenantId: string;
const now = new Date("2026-11-21T10:00:00Z");
const later = (ms: number) => new Date(now.getTime() + ms);

beforeEach(async () => {
  t = await testDb();
  tenantId = (await createTenant(t.db, "T")).id;
});
afterEach(() => t.close());

describe("claimEvent", () => {
  it("lets the first delivery run and tells a concurrent one it is still processing", async () => {
    expect(await claimEvent(t.db, tenantId, "ev1", now)).toEqual({ first: true });
    expect(await claimEvent(t.db, tenantId, "ev1", later(1000))).toMatchObject({
      first: false,
      status: "processing",
    });
  });

  it("reports a finished event as a duplicate with its plan", async () => {
    await claimEvent(t.db, tenantId, "ev1", now);
    await finishEvent(t.db, tenantId, "ev1", "plan-1");
    expect(await claimEvent(t.db, tenantId, "ev1", later(1000))).toEqual({
      first: false,
      status: "done",
      planId: "plan-1",
    });
  });

  it("hands a delivery abandoned mid-way to the next retry, once", async () => {
    await claimEvent(t.db, tenantId, "ev1", now);
    const retry = later(PROCESSING_ABANDONED_AFTER_MS + 1000);
    expect(await claimEvent(t.db, tenantId, "ev1", retry)).toEqual({ first: true });
    expect(await claimEvent(t.db, tenantId, "ev1", retry)).toMatchObject({
      first: false,
      status: "processing",
    });
  });
});
