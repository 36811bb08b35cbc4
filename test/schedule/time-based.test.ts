// Time-based work without a new import, against a real (in-process) libSQL: starters replayed
// from the hub's latest full snapshot on their start date (segments included), and the pass over
// stored termination dates. The engine plans; the scheduled policy approves; execution runs as
// the cron.
import { and, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditLog, type MappingColumn, members } from "../../db/schema.ts";
import type { ApplyContext } from "../../worker/schedule/apply.ts";
import { offboardLeavers } from "../../worker/schedule/leavers.ts";
import { inviteStarters } from "../../worker/schedule/starters.ts";
import { saveMapping } from "../../worker/store/mappings.ts";
import { setApproval } from "../../worker/store/plans.ts";
import { DEFAULT_SETTINGS } from "../../worker/store/tenants.ts";
import { executePlan, importAndPlan } from "../../worker/sync.ts";
import { type TestDb, testDb } from "../helpers/db.ts";
import { tenantWithHub } from "../helpers/tenant.ts";

let t: TestDb;
let tenantId: string;
let hubId: string;
beforeEach(async () => {
  t = await testDb();
  ({ tenantId, hubId } = await tenantWithHub(t.db));
  const core = (column: string, field: string): MappingColumn => ({
    column,
    field,
    kind: "core",
    visibility: "private",
    values: {},
    reviewed: true,
  });
  await saveMapping(
    t.db,
    tenantId,
    hubId,
    [
      core("Email", "email"),
      core("Id", "employeeId"),
      core("First", "firstName"),
      core("Start", "startDate"),
      core("End", "terminationDate"),
      {
        column: "Level",
        field: "seniority",
        kind: "segment",
        visibility: "public",
        values: { L3: "Senior" },
        reviewed: true,
      },
    ],
    "test",
  );
});
afterEach(() => t.close());

const HEADER = "Email,Id,First,Start,End,Level";
const context = (now: string): ApplyContext => ({
  db: t.db,
  now: new Date(now),
  acceptUrl: "http://127.0.0.1/accept?token=",
  budgetMs: 10_000,
});

/** An admin's full import at `now`, everything approvable approved and executed. */
async function adminImport(rows: string[], now: string, partial = false) {
  const { plan } = await importAndPlan(
    t.db,
    tenantId,
    hubId,
    { format: "csv", body: [HEADER, ...rows].join("\n") },
    { source: "upload", filename: null, partial, createdBy: "admin", now: new Date(now) },
  );
  await setApproval(t.db, tenantId, plan.id, { approved: true, all: true, by: "admin" });
  await executePlan(t.db, tenantId, plan.id, {
    actor: { type: "admin", id: "admin" },
    acceptUrl: "http://127.0.0.1/accept?token=",
    budgetMs: 10_000,
  });
  return plan.id;
}

async function memberOf(email: string) {
  return t.db.query.members.findFirst({
    where: and(eq(members.tenantId, tenantId), eq(members.email, email)),
  });
}

describe("inviteStarters", () => {
  it("invites, on their start date, the starters the latest full snapshot scheduled, with their segments", async () => {
    await adminImport(
      ["ann@x.test,E1,Ann,2020-01-01,,L1", "sam@x.test,E2,Sam,2030-03-19,,L3"],
      "2030-03-10T09:00:00Z",
    );
    expect(await memberOf("sam@x.test")).toBeUndefined();
    expect(await inviteStarters(context("2030-03-18T09:00:00Z"), tenantId, hubId, "2030-03-18")).toBeNull();

    const planId = await inviteStarters(context("2030-03-19T09:00:00Z"), tenantId, hubId, "2030-03-19");
    expect(planId).not.toBeNull();
    const sam = await memberOf("sam@x.test");
    expect(sam).toMatchObject({
      status: "invited",
      employeeId: "E2",
      firstName: "Sam",
      startDate: "2030-03-19",
    });
    expect(sam?.profile).toEqual({ seniority: "Senior" });
    const audit = await t.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.memberId, sam?.id ?? ""));
    expect(audit.map((a) => [a.actorType, a.actorId, a.change])).toEqual([["cron", "start-date", "invite"]]);

    // Done once: the next day finds Sam a member and plans nothing.
    expect(await inviteStarters(context("2030-03-20T09:00:00Z"), tenantId, hubId, "2030-03-20")).toBeNull();
  });

  it("does not invite a starter the latest full snapshot dropped (an offer withdrawn)", async () => {
    await adminImport(["sam@x.test,E2,Sam,2030-03-19,,L3"], "2030-03-10T09:00:00Z");
    await adminImport(["ann@x.test,E1,Ann,2020-01-01,,L1"], "2030-03-12T09:00:00Z");
    expect(await inviteStarters(context("2030-03-19T09:00:00Z"), tenantId, hubId, "2030-03-19")).toBeNull();
    expect(await memberOf("sam@x.test")).toBeUndefined();
  });

  it("reads the latest full snapshot, not a later partial import", async () => {
    await adminImport(["sam@x.test,E2,Sam,2030-03-19,,L3"], "2030-03-10T09:00:00Z");
    await adminImport(["ann@x.test,E1,Ann,2020-01-01,,L1"], "2030-03-12T09:00:00Z", true);
    expect(
      await inviteStarters(context("2030-03-19T09:00:00Z"), tenantId, hubId, "2030-03-19"),
    ).not.toBeNull();
    expect((await memberOf("sam@x.test"))?.status).toBe("invited");
  });
});

describe("offboardLeavers", () => {
  it("deactivates HRIS members whose termination date is before today, one plan each, and no one else", async () => {
    await adminImport(
      [
        "tom@x.test,E1,Tom,2020-01-01,2030-03-18,L1",
        "tia@x.test,E2,Tia,2020-01-01,2030-03-19,L1",
        "ann@x.test,E3,Ann,2020-01-01,,L1",
      ],
      "2030-03-10T09:00:00Z",
    );
    await t.db.insert(members).values({
      id: crypto.randomUUID(),
      tenantId,
      email: "manual@x.test",
      terminationDate: "2030-01-01",
      status: "active",
      source: "manual",
    });
    const plans = await offboardLeavers(context("2030-03-19T09:00:00Z"), tenantId, "2030-03-19");
    expect(plans).toHaveLength(1);
    expect((await memberOf("tom@x.test"))?.status).toBe("inactive");
    expect((await memberOf("tia@x.test"))?.status).toBe("invited");
    expect((await memberOf("ann@x.test"))?.status).toBe("invited");
    expect((await memberOf("manual@x.test"))?.status).toBe("active");
    const tom = await memberOf("tom@x.test");
    expect(tom).toMatchObject({ firstName: "Tom", terminationDate: "2030-03-18", employeeId: "E1" });
    expect(await offboardLeavers(context("2030-03-20T09:00:00Z"), tenantId, "2030-03-20")).toHaveLength(1);
    expect((await memberOf("tia@x.test"))?.status).toBe("inactive");
  });

  it("leaves leavers pending when the guard blocks even one deactivation", async () => {
    await adminImport(["tom@x.test,E1,Tom,2020-01-01,2030-03-18,L1"], "2030-03-10T09:00:00Z");
    await t.db.$client.execute({
      sql: "UPDATE tenants SET settings = json_set(settings, '$.guard', json(?)) WHERE id = ?",
      args: [JSON.stringify({ ...DEFAULT_SETTINGS.guard, floor: 0, percent: 0 }), tenantId],
    });
    expect(await offboardLeavers(context("2030-03-19T09:00:00Z"), tenantId, "2030-03-19")).toHaveLength(1);
    expect((await memberOf("tom@x.test"))?.status).toBe("invited");
  });
});
