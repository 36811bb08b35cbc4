// User searches against an in-process database: identity-key filters read only their rows and
// still match exactly, paging holds its order, and a filter that would have to read more users
// than the service checks one by one is refused with tooMany.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScimError } from "../../worker/scim/errors.ts";
import type { ScimContext } from "../../worker/scim/provision-users.ts";
import { MAX_SCAN, searchUsers } from "../../worker/scim/searches.ts";
import { createHub, createTenant } from "../../worker/store/tenants.ts";
import { type TestDb, testDb } from "../helpers/db.ts";

let t: TestDb;
let ctx: ScimContext;

beforeAll(async () => {
  t = await testDb();
  const tenant = await createTenant(t.db, "Big Co");
  const hub = await createHub(t.db, tenant.id, "All");
  await t.db.run(sql`
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${MAX_SCAN + 2})
    INSERT INTO members (id, tenant_id, email, employee_id, first_name, status, source, profile, created_at)
    SELECT printf('m%05d', i), ${tenant.id}, 'm' || i || '@big.test', 'E' || i, 'Person ' || i,
           CASE WHEN i % 2 = 0 THEN 'active' ELSE 'invited' END, 'hris', '{}',
           printf('2026-01-01T00:00:%02d.000Z', i % 60)
    FROM n`);
  await t.db.run(sql`UPDATE members SET status = 'deleted' WHERE id = 'm00007'`);
  ctx = {
    db: t.db,
    caller: { tenantId: tenant.id, tokenId: "token", hubId: hub.id },
    now: new Date(),
    base: "https://sync.test/scim/v2",
    acceptUrl: "https://sync.test/invitations/accept?token=",
  };
});

afterAll(() => t?.close());

const page = { startIndex: 1, count: 50 };

describe("searchUsers", () => {
  it("finds by identity key in a tenant too big to scan", async () => {
    const found = await searchUsers(ctx, 'userName eq "M5@BIG.test"', page);
    expect(found.total).toBe(1);
    expect(found.resources[0]).toMatchObject({ id: "m00005", userName: "m5@big.test", externalId: "E5" });
  });

  it("narrows an or of identity keys, and an and by its identity side, then matches exactly", async () => {
    const either = await searchUsers(ctx, 'externalId eq "E10" or emails.value eq "m11@big.test"', page);
    expect(either.resources.map((r) => r.id)).toEqual(["m00010", "m00011"]);
    const both = await searchUsers(ctx, 'userName eq "m12@big.test" and active eq false', page);
    expect(both.total).toBe(0);
    const id = await searchUsers(ctx, 'id eq "m00013" and name.givenName sw "person"', page);
    expect(id.total).toBe(1);
  });

  it("leaves deleted members out", async () => {
    expect((await searchUsers(ctx, 'userName eq "m7@big.test"', page)).total).toBe(0);
  });

  it("pages everyone without a filter, in creation order", async () => {
    const first = await searchUsers(ctx, undefined, { startIndex: 1, count: 3 });
    const next = await searchUsers(ctx, undefined, { startIndex: 3, count: 3 });
    expect(first.total).toBe(MAX_SCAN + 1);
    expect(next.total).toBe(MAX_SCAN + 1);
    expect(first.resources[2]?.id).toBe(next.resources[0]?.id);
  });

  it("refuses a filter it would have to check against every user (tooMany)", async () => {
    const refused = await searchUsers(ctx, 'name.givenName co "Person 99"', page).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ScimError);
    expect(refused).toMatchObject({ status: 400, scimType: "tooMany" });
  });

  it("refuses a filter it cannot read (invalidFilter)", async () => {
    await expect(searchUsers(ctx, 'userName eq "x" and', page)).rejects.toMatchObject({
      scimType: "invalidFilter",
    });
  });
});
