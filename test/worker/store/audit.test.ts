// Reading the audit log: newest first, by member and time, a page at a time; tenants apart.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditStatement, listAudit } from "../../../worker/store/audit.ts";
import { createTenant } from "../../../worker/store/tenants.ts";
import { type TestDb, testDb } from "../../helpers/db.ts";

let t: TestDb;
let tenantId: string;
beforeEach(async () => {
  t = await testDb();
  tenantId = (await createTenant(t.db, "T")).id;
  const other = (await createTenant(t.db, "Other")).id;
  const entries = Array.from({ length: 7 }, (_, i) => ({
    tenantId: i === 6 ? other : tenantId,
    actor: { type: "cron" as const, id: "c" },
    actionId: null,
    memberId: i % 2 ? "odd" : "even",
    change: "update",
    before: { n: i },
    after: null,
    at: `2026-05-0${i + 1}T00:00:00.000Z`,
  }));
  await t.db.$client.batch(
    entries.map((e) => auditStatement(e, "1 = 1", [])),
    "write",
  );
});
afterEach(() => t.close());

describe("listAudit", () => {
  it("pages newest first without skipping or repeating, within the tenant", async () => {
    const first = await listAudit(t.db, tenantId, { limit: 4 });
    expect(first.entries.map((e) => e.before?.n)).toEqual([5, 4, 3, 2]);
    const second = await listAudit(t.db, tenantId, { limit: 4, before: first.next ?? 0 });
    expect(second.entries.map((e) => e.before?.n)).toEqual([1, 0]);
    expect(second.next).toBeNull();
  });

  it("filters by member and by a half-open time range", async () => {
    const page = await listAudit(t.db, tenantId, {
      memberId: "even",
      from: "2026-05-02T00:00:00.000Z",
      to: "2026-05-05T00:00:00.000Z",
      limit: 10,
    });
    expect(page.entries.map((e) => e.at)).toEqual(["2026-05-03T00:00:00.000Z"]);
  });
});
