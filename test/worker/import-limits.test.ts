// How many rows one import may have: a CSV up to 100,000 (measured to fit an isolate), a JSON
// table (the add-on's) up to 50,000, both raised together by IMPORT_MAX_ROWS.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../../worker/errors.ts";
import { DEFAULT_IMPORT_LIMITS, importLimits, rowLimit } from "../../worker/import-limits.ts";
import { importAndPlan } from "../../worker/sync.ts";
import { type TestDb, testDb } from "../helpers/db.ts";
import { tenantWithHub } from "../helpers/tenant.ts";

describe("importLimits", () => {
  it("takes 100,000 rows of CSV and 50,000 of JSON in 24 MB by default", () => {
    const limits = importLimits({});
    expect(limits).toEqual(DEFAULT_IMPORT_LIMITS);
    expect(rowLimit(limits, "csv")).toBe(100_000);
    expect(rowLimit(limits, "json")).toBe(50_000);
    expect(limits.bytes).toBe(24 * 1024 * 1024);
  });

  it("lets a deployment set both row ceilings and the size", () => {
    const limits = importLimits({ IMPORT_MAX_ROWS: "250000", IMPORT_MAX_MB: "64" });
    expect([rowLimit(limits, "csv"), rowLimit(limits, "json"), limits.bytes]).toEqual([
      250_000,
      250_000,
      64 * 1024 * 1024,
    ]);
    expect(importLimits({ IMPORT_MAX_ROWS: "nonsense", IMPORT_MAX_MB: "-1" })).toEqual(DEFAULT_IMPORT_LIMITS);
  });
});

describe("an import without a ceiling of its own", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await testDb();
  });
  afterEach(() => t.close());

  it("refuses a JSON table of more than 50,000 rows before planning, saying how to split it", async () => {
    const { tenantId, hubId } = await tenantWithHub(t.db);
    const rows = Array.from({ length: 50_001 }, (_, i) => [`p${i}@acme.test`, `P${i}`]);
    const planning = importAndPlan(
      t.db,
      tenantId,
      hubId,
      { format: "json", body: { columns: ["Email", "First Name"], rows } },
      { source: "upload", filename: null, partial: false, createdBy: "test", now: new Date() },
    );
    await expect(planning).rejects.toThrow(AppError);
    await expect(planning).rejects.toThrow(/more than 50,000 rows.*partial imports/);
  });
});
