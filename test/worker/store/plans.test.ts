// Plans against a real (in-process) libSQL: a new person's changes are stored once (in the
// payload) and read back as planned; an invite keeps what execution reads of its payload.
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { planActions } from "../../../db/schema.ts";
import type { PlannedAction } from "../../../worker/engine/types.ts";
import { listActions, type NewPlan, savePlan, storePlan } from "../../../worker/store/plans.ts";
import { type TestDb, testDb } from "../../helpers/db.ts";
import { handMadeImport, tenantWithHub } from "../../helpers/tenant.ts";

let t: TestDb;
let tenantId: string;
let hubId: string;

beforeEach(async () => {
  t = await testDb();
  ({ tenantId, hubId } = await tenantWithHub(t.db));
});

afterEach(() => t.close());

/** A new person as the engine plans them: every field with a value is a change from nothing. */
function newPerson(kind: "invite" | "scheduled", n: number): PlannedAction {
  const core = { email: `p${n}@acme.test`, employeeId: `E${n}`, firstName: "Zoë", manager: null };
  const derived = { approverId: null, contentRegion: "EMEA" };
  return {
    kind,
    row: n + 1,
    memberId: null,
    memberVersion: null,
    email: core.email,
    employeeId: core.employeeId,
    name: "Zoë",
    changes: Object.entries({ ...core, ...derived })
      .filter(([, v]) => v)
      .map(([field, v]) => ({ field, before: null, after: v })),
    payload: { core, derived, profile: { team: "A" }, mapped: ["email", "firstName"], memberId: `m${n}` },
    reason: "new",
    warnings: [],
  };
}

async function store(actions: PlannedAction[], also?: NewPlan["also"]) {
  const plan = await savePlan(t.db, handMadeImport(tenantId, hubId, { rowCount: actions.length }), {
    mappingVersion: null,
    guard: { deprovisions: 0, active: 0, limit: 10, blocked: false },
    actions,
    ...(also ? { also } : {}),
  });
  return plan.id;
}

async function count(table: "imports" | "plans" | "plan_actions" | "sync_runs"): Promise<number> {
  const result = await t.db.$client.execute(`SELECT count(*) AS n FROM ${table}`);
  return Number(result.rows[0]?.n);
}

describe("a new person's changes", () => {
  it("are listed as planned, stored once in the payload", async () => {
    const actions = [newPerson("invite", 1), newPerson("scheduled", 2)];
    const planId = await store(actions);
    const { actions: listed } = await listActions(t.db, tenantId, planId, { limit: 10 });
    expect(listed.map((a) => a.changes)).toEqual(actions.map((a) => a.changes));
    const raw = await t.db.$client.execute({
      sql: "SELECT changes FROM plan_actions WHERE plan_id = ?",
      args: [planId],
    });
    expect(raw.rows.map((r) => r.changes)).toEqual(["null", "null"]);
  });

  it("are stored as they are when they differ from the payload's fields", async () => {
    const edited = newPerson("invite", 1);
    edited.changes = [{ field: "email", before: "old@acme.test", after: "p1@acme.test" }];
    const bare = { ...newPerson("invite", 2), changes: [] };
    const planId = await store([edited, bare]);
    const { actions: listed } = await listActions(t.db, tenantId, planId, { limit: 10 });
    expect(listed.map((a) => a.changes)).toEqual([edited.changes, []]);
  });
});

describe("an invite's payload", () => {
  it("keeps what execution reads and drops the plan-wide list of mapped fields", async () => {
    const planId = await store([newPerson("invite", 1), newPerson("scheduled", 2)]);
    const rows = await t.db
      .select({ kind: planActions.kind, payload: planActions.payload })
      .from(planActions)
      .where(eq(planActions.planId, planId))
      .orderBy(planActions.seq);
    const { mapped: _mapped, ...invite } = newPerson("invite", 1).payload as Record<string, unknown>;
    expect(rows[0]?.payload).toEqual(invite);
    // A scheduled start is invited later from its stored record: kept whole.
    expect(rows[1]?.payload).toEqual(newPerson("scheduled", 2).payload);
  });
});

describe("statements written with a plan", () => {
  it("see the plan as stored and have their results returned", async () => {
    const { plan, also } = await storePlan(t.db, handMadeImport(tenantId, hubId, { rowCount: 1 }), {
      mappingVersion: null,
      actions: [newPerson("invite", 1)],
      guard: () => ({ deprovisions: 0, active: 0, limit: 10, blocked: false }),
      also: (stored) => [
        { sql: "SELECT count(*) AS n FROM plan_actions WHERE plan_id = ?", args: [stored.id] },
      ],
    });
    expect(also).toHaveLength(1);
    expect(Number(also[0]?.rows[0]?.n)).toBe(1);
    expect(plan.summary).toEqual({ invite: 1 });
  });

  it("are atomic with it: one that fails leaves no import, plan or action behind", async () => {
    const failing = () => [{ sql: "INSERT INTO plans (id) VALUES (NULL)", args: [] }];
    await expect(store([newPerson("invite", 1)], failing)).rejects.toThrow();
    expect([await count("imports"), await count("plans"), await count("plan_actions")]).toEqual([0, 0, 0]);
  });
});
