// The deprovisioning guard against a burst of SCIM deactivations and deletions: the tenant's guard
// applied to a sliding one-hour window, all-or-nothing and race-free, refusals audited and left for
// an admin, non-destructive changes never blocked, and each tenant counted on its own.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScimToken } from "../../worker/store/scim-tokens.ts";
import { createHub, createTenant } from "../../worker/store/tenants.ts";
import { type Stack, startStack } from "../helpers/stack.ts";
import { expectScimError, type Scim, scimClient, scimToken } from "../scim/client.ts";

const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const deactivate = { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "active", value: false }] };
const reactivate = { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "active", value: true }] };

let stack: Stack;
let scim: Scim;

beforeAll(async () => {
  stack = await startStack();
  // At most 2 deprovisions per window: 10% of a handful of members is less than the floor.
  const settings = await stack.api("/v1/settings", {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ guard: { percent: 10, floor: 2, ceiling: 500 } }),
  });
  expect(settings.status).toBe(200);
  scim = scimClient(stack, await scimToken(stack));
});

afterAll(async () => {
  await stack?.stop();
});

async function users(client: Scim, prefix: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const created = await client<{ id: string }>("POST", "/Users", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: `${prefix}${i}@example.com`,
      name: { givenName: `${prefix}${i}`, familyName: "Guarded" },
    });
    expect(created.status).toBe(201);
    ids.push(created.body.id);
  }
  return ids;
}

async function statusOf(id: string): Promise<string> {
  return ((await (await stack.api(`/v1/members/${id}`)).json()) as { status: string }).status;
}

describe("a burst of SCIM deprovisions", () => {
  let ids: string[];
  let refusedPlan: string;

  beforeAll(async () => {
    ids = await users(scim, "burst", 6);
  });

  it("lets deactivations and deletions through up to the tenant's guard in the window", async () => {
    expect((await scim("PATCH", `/Users/${ids[0]}`, deactivate)).status).toBe(200);
    expect((await scim("DELETE", `/Users/${ids[1]}`)).status).toBe(204);
    expect(await statusOf(ids[0] as string)).toBe("inactive");
    expect(await statusOf(ids[1] as string)).toBe("deleted");
  });

  it("refuses the next one with 409, changing nothing, and says why", async () => {
    const refused = expectScimError(await scim("PATCH", `/Users/${ids[2]}`, deactivate), 409);
    expect(refused.detail).toMatch(/deprovisioning guard/);
    expect(refused.detail).toMatch(/2 members in the last 60 minutes/);
    expect(await statusOf(ids[2] as string)).toBe("invited");
    expect((await scim<{ active: boolean }>("GET", `/Users/${ids[2]}`)).body.active).toBe(true);
    expectScimError(await scim("DELETE", `/Users/${ids[3]}`), 409);
    expect(await statusOf(ids[3] as string)).toBe("invited");
    refusedPlan = /plan ([0-9a-f-]{36})/.exec(refused.detail)?.[1] as string;
    expect(refusedPlan).toBeDefined();
  });

  it("counts a group member removal as a deprovision too", async () => {
    const remove = {
      schemas: [PATCH_OP],
      Operations: [{ op: "remove", path: `members[value eq "${ids[4]}"]` }],
    };
    expectScimError(await scim("PATCH", `/Groups/${stack.hubId}`, remove), 409);
    const hubs = ((await (await stack.api(`/v1/members/${ids[4]}`)).json()) as { hubIds: string[] }).hubIds;
    expect(hubs).toContain(stack.hubId);
  });

  it("audits each refusal with actor scim", async () => {
    const response = await stack.api(`/v1/audit?memberId=${ids[2]}`);
    const entries = ((await response.json()) as { entries: Record<string, unknown>[] }).entries;
    const refusal = entries.find((e) => e.change === "scim_refused");
    expect(refusal).toMatchObject({
      actorType: "scim",
      after: {
        reason: "deprovisioning_guard",
        kind: "deactivate",
        planId: refusedPlan,
        inWindow: 2,
        limit: 2,
      },
    });
  });

  it("never blocks what deprovisions nobody: creates, updates, reactivations", async () => {
    const on = await scim<{ active: boolean }>("PATCH", `/Users/${ids[0]}`, reactivate);
    expect(on.status).toBe(200);
    expect(on.body.active).toBe(true);
    expect((await users(scim, "after", 1)).length).toBe(1);
  });

  it("leaves the refused change in its plan, for an admin to approve", async () => {
    const actions = (await (await stack.api(`/v1/plans/${refusedPlan}/actions`)).json()) as {
      actions: { kind: string; status: string; approved: boolean; memberId: string }[];
    };
    expect(actions.actions).toEqual([
      expect.objectContaining({ kind: "deactivate", status: "pending", approved: false, memberId: ids[2] }),
    ]);
    const approve = await stack.api(`/v1/plans/${refusedPlan}/approvals`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ all: true }),
    });
    expect(approve.status).toBe(200);
    await stack.api(`/v1/plans/${refusedPlan}/execute`, { method: "POST" });
    expect(await statusOf(ids[2] as string)).toBe("inactive");
  });

  it("slides: deprovisions older than the window no longer count", async () => {
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000).toISOString();
    await stack.db.run(
      sql`update scim_deprovisions set at = ${twoHoursAgo} where tenant_id = ${stack.tenantId}`,
    );
    expect((await scim("DELETE", `/Users/${ids[3]}`)).status).toBe(204);
    expect(await statusOf(ids[3] as string)).toBe("deleted");
  });
});

describe("concurrent deprovisions and other tenants", () => {
  it("lets exactly as many through as the window has room for, however they race", async () => {
    const tenant = await createTenant(stack.db, "Racing Co", {
      guard: { percent: 10, floor: 2, ceiling: 500 },
    });
    const hub = await createHub(stack.db, tenant.id, "Racing");
    const { token } = await createScimToken(stack.db, tenant.id, { name: "race", hubId: hub.id });
    const racer = scimClient(stack, token);
    const ids = await users(racer, "race", 5);
    const answers = await Promise.all(ids.map((id) => racer("PATCH", `/Users/${id}`, deactivate)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 200, 409, 409, 409]);
    const rows = await stack.db.all<{ n: number }>(
      sql`select count(*) as n from members where tenant_id = ${tenant.id} and status = 'inactive'`,
    );
    expect(Number(rows[0]?.n)).toBe(2);
  });

  it("counts each tenant's window on its own", async () => {
    const tenant = await createTenant(stack.db, "Calm Co", {
      guard: { percent: 10, floor: 2, ceiling: 500 },
    });
    const hub = await createHub(stack.db, tenant.id, "Calm");
    const { token } = await createScimToken(stack.db, tenant.id, { name: "calm", hubId: hub.id });
    const calm = scimClient(stack, token);
    const [id] = await users(calm, "calm", 1);
    expect((await calm("PATCH", `/Users/${id}`, deactivate)).status).toBe(200);
  });
});
