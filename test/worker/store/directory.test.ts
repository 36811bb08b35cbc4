// The member directory against an in-process libSQL database: keyset pages that stay stable while
// members are added, filters, and an admin's status changes (versioned, audited, announced).
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hubMemberships, members } from "../../../db/schema.ts";
import { changeMemberStatus, listMembers, type MemberFilter } from "../../../worker/store/directory.ts";
import { createHub, createTenant } from "../../../worker/store/tenants.ts";
import { createWebhook } from "../../../worker/store/webhooks.ts";
import { type TestDb, testDb } from "../../helpers/db.ts";

let t: TestDb;
let tenantId: string;
let otherTenant: string;
let hubId: string;
let n = 0;

beforeEach(async () => {
  t = await testDb();
  tenantId = (await createTenant(t.db, "T")).id;
  otherTenant = (await createTenant(t.db, "Other")).id;
  hubId = (await createHub(t.db, tenantId, "Hub")).id;
});
afterEach(() => t.close());

async function addMember(fields: Partial<typeof members.$inferInsert> = {}, tenant = tenantId) {
  const id = fields.id ?? crypto.randomUUID();
  n += 1;
  await t.db.insert(members).values({
    id,
    tenantId: tenant,
    email: `person${n}@acme.test`,
    status: "active",
    source: "hris",
    ...fields,
  });
  return id;
}

async function pageThrough(
  filter: Omit<MemberFilter, "after" | "limit">,
  limit: number,
  between?: () => Promise<void>,
) {
  const seen: string[] = [];
  let after: [string, string] | undefined;
  for (;;) {
    const page = await listMembers(t.db, tenantId, { ...filter, after, limit });
    seen.push(...page.members.map((m) => m.id));
    if (!page.next) return seen;
    after = page.next;
    await between?.();
  }
}

describe("listMembers pages", () => {
  it("see every member exactly once while others are added between pages", async () => {
    // Many share a creation time: the id breaks ties, so the order is total.
    const original: string[] = [];
    for (let i = 0; i < 23; i++) {
      original.push(await addMember({ createdAt: `2026-01-0${1 + (i % 3)}T00:00:00.000Z` }));
    }
    const added: string[] = [];
    const seen = await pageThrough({}, 5, async () => {
      added.push(await addMember());
      added.push(await addMember());
    });
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => original.includes(id)).sort()).toEqual([...original].sort());
    // Added members sort after every original one (they are newer), so they come at the end.
    const firstAdded = seen.findIndex((id) => added.includes(id));
    expect(seen.slice(firstAdded).every((id) => added.includes(id))).toBe(true);
    expect(seen.filter((id) => added.includes(id)).sort()).toEqual([...added].sort());
  });

  it("filter by status, source, hub and a prefix of email or name, never across tenants", async () => {
    const ada = await addMember({ email: "ada@acme.test", firstName: "Ada", lastName: "Lovelace" });
    const grace = await addMember({
      email: "grace@acme.test",
      firstName: "Grace",
      lastName: "Hopper",
      status: "inactive",
    });
    await addMember({ email: "pct%@acme.test", firstName: "Per_Cent", source: "manual" });
    await addMember({ email: "ada@other.test", firstName: "Ada" }, otherTenant);
    await t.db.insert(hubMemberships).values({ tenantId, hubId, memberId: grace });

    const ids = async (filter: Omit<MemberFilter, "after" | "limit">) =>
      (await listMembers(t.db, tenantId, { ...filter, limit: 100 })).members.map((m) => m.email);
    expect(await ids({ q: "ADA" })).toEqual(["ada@acme.test"]);
    expect(await ids({ q: "ada lov" })).toEqual(["ada@acme.test"]);
    expect(await ids({ q: "hop" })).toEqual(["grace@acme.test"]);
    expect(await ids({ q: "%" })).toEqual([]);
    expect(await ids({ q: "per_" })).toEqual(["pct%@acme.test"]);
    expect(await ids({ q: "per%" })).toEqual([]);
    expect(await ids({ status: "inactive" })).toEqual(["grace@acme.test"]);
    expect(await ids({ source: "manual" })).toEqual(["pct%@acme.test"]);
    expect(await ids({ hubId })).toEqual(["grace@acme.test"]);
    const page = await listMembers(t.db, tenantId, { hubId, limit: 10 });
    expect(page.members[0]?.hubIds).toEqual([hubId]);
    expect(page.members[0]).not.toHaveProperty("tenantId");
    expect(ada).toBeTruthy();
  });
});

describe("changeMemberStatus", () => {
  const actor = { type: "api_key" as const, id: "key-1" };
  const now = new Date("2026-03-02T09:30:00Z");

  it("archives: status and version move, one audit entry and one webhook event in the same batch", async () => {
    const id = await addMember({ status: "inactive", version: 4 });
    await createWebhook(t.db, tenantId, {
      url: "https://hooks.example.com/m",
      events: ["member.*"],
      description: null,
    });
    await createWebhook(t.db, tenantId, {
      url: "https://hooks.example.com/p",
      events: ["plan.*"],
      description: null,
    });
    const archived = await changeMemberStatus(t.db, tenantId, id, "archive", actor, now);
    expect(archived).toMatchObject({ status: "archived", version: 5, updatedAt: now.toISOString() });
    const audit = await t.db.all<Record<string, unknown>>(
      sql`select * from audit_log where member_id = ${id}`,
    );
    expect(audit).toEqual([
      expect.objectContaining({
        tenant_id: tenantId,
        actor_type: "api_key",
        actor_id: "key-1",
        action_id: null,
        change: "archive",
        before: JSON.stringify({ status: "inactive", version: 4 }),
        after: JSON.stringify({ status: "archived", version: 5 }),
      }),
    ]);
    const events = await t.db.all<{ subject: string; text: string }>(
      sql`select subject, text from outbox where channel = 'webhook'`,
    );
    expect(events.map((e) => e.subject)).toEqual(["member.archived"]);
    expect(JSON.parse(events[0]?.text ?? "{}").data).toMatchObject({ memberId: id, status: "archived" });
  });

  it("reactivates only the inactive, and refuses what the state does not allow with a 409", async () => {
    const inactive = await addMember({ status: "inactive" });
    expect((await changeMemberStatus(t.db, tenantId, inactive, "reactivate", actor, now)).status).toBe(
      "active",
    );
    await expect(
      changeMemberStatus(t.db, tenantId, inactive, "reactivate", actor, now),
    ).rejects.toMatchObject({
      code: "conflict",
    });
    const deleted = await addMember({ status: "deleted" });
    await expect(changeMemberStatus(t.db, tenantId, deleted, "archive", actor, now)).rejects.toThrow(
      /restore it first/,
    );
    const audit = await t.db.all<{ n: number }>(sql`select count(*) as n from audit_log`);
    expect(Number(audit[0]?.n)).toBe(1);
  });

  it("does not see another tenant's member", async () => {
    const theirs = await addMember({ status: "inactive" }, otherTenant);
    await expect(changeMemberStatus(t.db, tenantId, theirs, "reactivate", actor, now)).rejects.toMatchObject({
      code: "not_found",
    });
  });

  it("changes nothing when two requests race: one wins, the other gets a conflict", async () => {
    const id = await addMember({ status: "active" });
    const results = await Promise.allSettled([
      changeMemberStatus(t.db, tenantId, id, "archive", actor, now),
      changeMemberStatus(t.db, tenantId, id, "archive", actor, now),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rows = await t.db.all<{ version: number }>(sql`select version from members where id = ${id}`);
    expect(rows[0]?.version).toBe(2);
    const audit = await t.db.all<{ n: number }>(
      sql`select count(*) as n from audit_log where member_id = ${id}`,
    );
    expect(Number(audit[0]?.n)).toBe(1);
  });
});
