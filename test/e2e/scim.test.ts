// The SCIM 2.0 service over the real stack (sqld + workerd), walking RFC 7644's examples for Users
// and Groups: discovery, create, get, filter, paging, replace, patch, delete, ETags and If-Match,
// and the errors with their scimType; and what each request did to the member directory (through
// the engine: plans, audit entries with actor scim, hub memberships, soft deletes).
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../helpers/stack.ts";
import {
  expectScimError,
  type ListAnswer,
  SCIM_TYPE,
  type Scim,
  scimClient,
  scimToken,
} from "../scim/client.ts";

const CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const SEGMENTS = "urn:profile-sync:scim:schemas:extension:segments:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

type User = Record<string, unknown> & { id: string; meta: { version: string; location: string } };

let stack: Stack;
let token: string;
let scim: Scim;

beforeAll(async () => {
  stack = await startStack();
  const field = await stack.api("/v1/fields", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      key: "seniority",
      label: "Seniority",
      kind: "segment",
      options: ["Junior", "Senior"],
    }),
  });
  expect(field.status).toBe(201);
  token = await scimToken(stack);
  scim = scimClient(stack, token);
});

afterAll(async () => {
  await stack?.stop();
});

async function member(id: string) {
  const response = await stack.api(`/v1/members/${id}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function auditOf(id: string) {
  const response = await stack.api(`/v1/audit?memberId=${id}`);
  return ((await response.json()) as { entries: Record<string, unknown>[] }).entries;
}

function newUser(name: string, extra: Record<string, unknown> = {}) {
  return {
    schemas: [CORE_USER],
    userName: `${name}@example.com`,
    name: { givenName: name, familyName: "Tester" },
    emails: [{ value: `${name}@example.com`, type: "work", primary: true }],
    ...extra,
  };
}

async function create(name: string, extra: Record<string, unknown> = {}): Promise<User> {
  const created = await scim<User>("POST", "/Users", newUser(name, extra));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

const patchOf = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

describe("authentication", () => {
  it("answers without a token with 401 in the SCIM error shape, and a Bearer challenge", async () => {
    const response = await fetch(`${stack.url}/scim/v2/Users`);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain("Bearer");
    const body = (await response.json()) as { schemas: string[]; status: string };
    expect(body).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "401" });
  });

  it("refuses an API key on SCIM, and a SCIM token on the API", async () => {
    const withKey = await scimClient(stack, stack.apiKey)("GET", "/Users");
    expectScimError(withKey, 401);
    const onApi = await fetch(`${stack.url}/v1/members`, { headers: { authorization: `Bearer ${token}` } });
    expect(onApi.status).toBe(401);
    expect(onApi.headers.get("content-type")).toContain("application/problem+json");
  });

  it("shows a token once, keeps only its hash, and refuses it once revoked", async () => {
    const created = await stack.api("/v1/scim/tokens", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "short-lived", hubId: stack.hubId }),
    });
    const {
      id,
      token: secret,
      prefix,
    } = (await created.json()) as { id: string; token: string; prefix: string };
    expect(secret).toMatch(/^scim_[0-9A-Za-z]{43}$/);
    expect(secret.startsWith(prefix)).toBe(true);
    const listed = await (await stack.api("/v1/scim/tokens")).text();
    expect(listed).toContain(id);
    expect(listed).not.toContain(secret);
    const stored = await stack.db.all<Record<string, unknown>>(sql`select * from scim_tokens`);
    expect(JSON.stringify(stored)).not.toContain(secret);
    const client = scimClient(stack, secret);
    expect((await client("GET", "/ServiceProviderConfig")).status).toBe(200);
    const revoked = await stack.api(`/v1/scim/tokens/${id}/revoke`, { method: "POST" });
    expect(((await revoked.json()) as { revokedAt: string | null }).revokedAt).not.toBeNull();
    expectScimError(await client("GET", "/ServiceProviderConfig"), 401);
  });

  it("refuses a token for a hub of another tenant", async () => {
    const response = await stack.api("/v1/scim/tokens", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "x", hubId: "not-a-hub" }),
    });
    expect(response.status).toBe(404);
  });
});

describe("discovery (RFC 7644 §4)", () => {
  it("/ServiceProviderConfig says exactly what is supported", async () => {
    const config = await scim("GET", "/ServiceProviderConfig");
    expect(config.status).toBe(200);
    expect(config.headers.get("content-type")).toContain(SCIM_TYPE);
    expect(config.body).toMatchObject({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
      patch: { supported: true },
      bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
      filter: { supported: true, maxResults: 200 },
      changePassword: { supported: false },
      sort: { supported: false },
      etag: { supported: true },
      authenticationSchemes: [{ type: "oauthbearertoken", primary: true }],
    });
  });

  it("/ResourceTypes lists User (with its extensions) and Group", async () => {
    const types = await scim<ListAnswer>("GET", "/ResourceTypes");
    expect(types.body.Resources.map((t) => [t.id, t.endpoint, t.schema])).toEqual([
      ["User", "/Users", CORE_USER],
      ["Group", "/Groups", GROUP],
    ]);
    expect(types.body.Resources[0]?.schemaExtensions).toEqual([
      { schema: ENTERPRISE, required: false },
      { schema: SEGMENTS, required: false },
    ]);
    expect((await scim("GET", "/ResourceTypes/Group")).body).toMatchObject({ endpoint: "/Groups" });
    expectScimError(await scim("GET", "/ResourceTypes/Device"), 404);
  });

  it("/Schemas describes the tenant's segments as an extension", async () => {
    const schemas = await scim<ListAnswer>("GET", "/Schemas");
    expect(schemas.body.Resources.map((s) => s.id)).toEqual([CORE_USER, ENTERPRISE, SEGMENTS, GROUP]);
    const segments = await scim<{ attributes: Record<string, unknown>[] }>("GET", `/Schemas/${SEGMENTS}`);
    expect(segments.body.attributes).toEqual([
      expect.objectContaining({
        name: "seniority",
        type: "string",
        multiValued: false,
        canonicalValues: ["Junior", "Senior"],
      }),
    ]);
    const user = await scim<{ attributes: { name: string; caseExact: boolean; uniqueness: string }[] }>(
      "GET",
      `/Schemas/${CORE_USER}`,
    );
    expect(user.body.attributes.find((a) => a.name === "userName")).toMatchObject({
      caseExact: false,
      uniqueness: "server",
    });
  });

  it("serves its own OpenAPI document, apart from the API's", async () => {
    const doc = (await (await fetch(`${stack.url}/scim/v2/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/Users", "/Users/{id}", "/Groups/{id}", "/Schemas"]),
    );
    const api = (await (await fetch(`${stack.url}/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(api.paths).filter((p) => p.startsWith("/scim"))).toEqual([]);
    expect(Object.keys(api.paths)).toContain("/v1/scim/tokens");
  });
});

describe("Users: create and read (RFC 7644 §3.3, §3.4.1)", () => {
  let bjensen: User;

  it("creates the RFC's user once it has an email, invited to the token's hub through a plan", async () => {
    const rfc = {
      schemas: [CORE_USER],
      userName: "bjensen",
      externalId: "bjensen",
      name: { formatted: "Ms. Barbara J Jensen III", familyName: "Jensen", givenName: "Barbara" },
    };
    expectScimError(await scim("POST", "/Users", rfc), 400, "invalidValue");
    const created = await scim<User>("POST", "/Users", {
      ...rfc,
      emails: [{ value: "bjensen@example.com", type: "work", primary: true }],
    });
    expect(created.status).toBe(201);
    bjensen = created.body;
    expect(bjensen).toMatchObject({
      schemas: [CORE_USER, ENTERPRISE, SEGMENTS],
      userName: "bjensen",
      externalId: "bjensen",
      name: { givenName: "Barbara", familyName: "Jensen", formatted: "Barbara Jensen" },
      active: true,
      emails: [{ value: "bjensen@example.com", type: "work", primary: true }],
      groups: [{ value: stack.hubId, display: "Mentoring" }],
      meta: { resourceType: "User", version: 'W/"1"' },
    });
    expect(created.headers.get("location")).toBe(`${stack.url}/scim/v2/Users/${bjensen.id}`);
    expect(created.headers.get("etag")).toBe('W/"1"');
    const row = await member(bjensen.id);
    expect(row.body).toMatchObject({
      status: "invited",
      employeeId: "bjensen",
      email: "bjensen@example.com",
      hubIds: [stack.hubId],
    });
    const audit = await auditOf(bjensen.id);
    expect(audit.map((e) => [e.change, e.actorType, e.approvedBy])).toEqual(
      expect.arrayContaining([["invite", "scim", expect.stringMatching(/^scim:/)]]),
    );
    const outbox = (await (await stack.api("/v1/outbox?recipient=bjensen@example.com")).json()) as {
      messages: unknown[];
    };
    expect(outbox.messages).toHaveLength(1);
  });

  it("reads the user back, with its ETag, and 304 for a version the client has", async () => {
    const read = await scim<User>("GET", `/Users/${bjensen.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(bjensen);
    expect(read.headers.get("etag")).toBe(bjensen.meta.version);
    const cached = await scim("GET", `/Users/${bjensen.id}`, undefined, {
      "if-none-match": bjensen.meta.version,
    });
    expect(cached.status).toBe(304);
  });

  it("returns only the attributes asked for, or all but those excluded (§3.9)", async () => {
    const only = await scim("GET", `/Users/${bjensen.id}?attributes=userName,name.givenName`);
    expect(only.body).toEqual({
      schemas: bjensen.schemas,
      id: bjensen.id,
      userName: "bjensen",
      name: { givenName: "Barbara" },
    });
    const without = await scim("GET", `/Users/${bjensen.id}?excludedAttributes=emails,groups,meta`);
    expect(Object.keys(without.body)).not.toEqual(expect.arrayContaining(["emails"]));
    expect(without.body).not.toHaveProperty("meta");
    expect(without.body).toHaveProperty("userName");
  });

  it("refuses a second user with a taken userName (any case), email or externalId: 409 uniqueness", async () => {
    for (const clash of [
      newUser("other", { userName: "BJENSEN" }),
      newUser("other", { emails: [{ value: "BJensen@Example.com", type: "work" }] }),
      newUser("other", { externalId: "bjensen" }),
    ]) {
      expectScimError(await scim("POST", "/Users", clash), 409, "uniqueness");
    }
  });

  it("answers 404 for a user that does not exist", async () => {
    expectScimError(await scim("GET", "/Users/2819c223-7f76-453a-919d-413861904646"), 404);
  });

  it("refuses a body that is not a User, or not JSON", async () => {
    expectScimError(
      await scim("POST", "/Users", { schemas: [GROUP], displayName: "x" }),
      400,
      "invalidSyntax",
    );
    const broken = await fetch(`${stack.url}/scim/v2/Users`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": SCIM_TYPE },
      body: "{not json",
    });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { scimType: string }).scimType).toBe("invalidSyntax");
    expectScimError(await scim("POST", "/Users", newUser("bad", { active: "maybe" })), 400, "invalidValue");
  });
});

describe("Users: filter and paging (RFC 7644 §3.4.2)", () => {
  const created: User[] = [];

  beforeAll(async () => {
    for (const name of ["pager1", "pager2", "pager3", "pager4", "pager5"]) {
      created.push(
        await create(name, { title: name === "pager3" ? "Lead" : undefined, externalId: `P-${name}` }),
      );
    }
  });

  const query = (filter: string, extra = "") =>
    scim<ListAnswer>("GET", `/Users?filter=${encodeURIComponent(filter)}${extra}`);

  it.each([
    ['userName eq "PAGER1@example.com"', ["pager1"]],
    ['externalId eq "P-pager2"', ["pager2"]],
    ['externalId eq "p-pager2"', []],
    ['emails[type eq "work"].value eq "pager3@example.com"', ["pager3"]],
    ['emails.value eq "pager4@example.com"', ["pager4"]],
    ['emails eq "pager5@example.com"', ["pager5"]],
    ['name.givenName sw "pager" and title pr', ["pager3"]],
    ['userName co "pager" and (externalId eq "P-pager1" or externalId eq "P-pager5")', ["pager1", "pager5"]],
    ['displayName eq "pager2 Tester"', ["pager2"]],
    ['not (userName co "pager") and userName sw "pager"', []],
    ['active eq true and userName ew "r4@example.com"', ["pager4"]],
  ])("%s", async (filter, expected) => {
    const found = await query(filter);
    expect(found.status).toBe(200);
    expect(found.body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:ListResponse"]);
    expect(found.body.Resources.map((r) => (r.name as { givenName: string }).givenName)).toEqual(expected);
    expect(found.body.totalResults).toBe(expected.length);
  });

  it("pages with startIndex and count over a stable order, totalResults holding still", async () => {
    const filter = encodeURIComponent('userName sw "pager"');
    const pages = [];
    for (const start of [1, 3, 5]) {
      const page = await scim<ListAnswer>("GET", `/Users?filter=${filter}&startIndex=${start}&count=2`);
      expect(page.body).toMatchObject({ totalResults: 5, startIndex: start });
      pages.push(...page.body.Resources.map((r) => r.id));
    }
    expect(pages).toEqual(created.map((u) => u.id));
    const counted = await scim<ListAnswer>("GET", `/Users?filter=${filter}&count=0`);
    expect(counted.body).toMatchObject({ totalResults: 5, itemsPerPage: 0, Resources: [] });
    const all = await scim<ListAnswer>("GET", "/Users?startIndex=2&count=3");
    const everyone = await scim<ListAnswer>("GET", "/Users");
    expect(all.body.totalResults).toBe(everyone.body.totalResults);
    expect(all.body.Resources.map((r) => r.id)).toEqual(everyone.body.Resources.slice(1, 4).map((r) => r.id));
  });

  it("answers an empty list for a filter nobody matches (what Entra's test connection sends)", async () => {
    const none = await query(`userName eq "${crypto.randomUUID()}"`);
    expect(none.body).toMatchObject({ totalResults: 0, Resources: [] });
  });

  it.each(["userName eq", 'userName xx "a"', '(userName eq "a"', "active gt true"])(
    "refuses %j: 400 invalidFilter",
    async (filter) => {
      expectScimError(await query(filter), 400, "invalidFilter");
    },
  );
});

describe("Users: replace and patch (RFC 7644 §3.5)", () => {
  let user: User;

  beforeAll(async () => {
    user = await create("patchy", { title: "Tour Guide", externalId: "E-patchy" });
  });

  it("PUT replaces what it carries and keeps what it leaves out", async () => {
    const put = await scim<User>("PUT", `/Users/${user.id}`, {
      schemas: [CORE_USER],
      id: user.id,
      userName: "patchy@example.com",
      name: { givenName: "Patricia", familyName: "Tester" },
      title: "Senior Tour Guide",
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      name: { givenName: "Patricia" },
      title: "Senior Tour Guide",
      externalId: "E-patchy",
    });
    expect(put.body.meta.version).not.toBe(user.meta.version);
    expect(put.headers.get("etag")).toBe(put.body.meta.version);
    user = put.body;
  });

  it("refuses a write based on an old version: 412, and nothing changes", async () => {
    const stale = await scim(
      "PATCH",
      `/Users/${user.id}`,
      patchOf({ op: "replace", path: "title", value: "X" }),
      {
        "if-match": 'W/"1"',
      },
    );
    expectScimError(stale, 412);
    expect((await scim<User>("GET", `/Users/${user.id}`)).body.title).toBe("Senior Tour Guide");
    const fresh = await scim<User>(
      "PATCH",
      `/Users/${user.id}`,
      patchOf({ op: "replace", path: "title", value: "Guide" }),
      {
        "if-match": user.meta.version,
      },
    );
    expect(fresh.status).toBe(200);
    user = fresh.body;
  });

  it("adds, replaces and removes attributes", async () => {
    const patched = await scim<User>(
      "PATCH",
      `/Users/${user.id}`,
      patchOf(
        { op: "add", path: `${ENTERPRISE}:department`, value: "Tours" },
        { op: "replace", path: "name.familyName", value: "Jensen" },
        { op: "add", value: { [SEGMENTS]: { seniority: "Senior" } } },
        { op: "remove", path: "title" },
      ),
    );
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      name: { givenName: "Patricia", familyName: "Jensen" },
      [ENTERPRISE]: { department: "Tours", employeeNumber: "E-patchy" },
      [SEGMENTS]: { seniority: "Senior" },
    });
    expect(patched.body).not.toHaveProperty("title");
    const row = await member(user.id);
    expect(row.body).toMatchObject({
      lastName: "Jensen",
      department: "Tours",
      jobTitle: null,
      profile: { seniority: "Senior" },
    });
    user = patched.body;
  });

  it("changes the email and keeps the member", async () => {
    const patched = await scim<User>(
      "PATCH",
      `/Users/${user.id}`,
      patchOf({ op: "replace", path: 'emails[type eq "work"].value', value: "Patricia.Jensen@Example.com" }),
    );
    expect(patched.status).toBe(200);
    expect(patched.body.id).toBe(user.id);
    expect(patched.body.emails).toEqual([
      { value: "patricia.jensen@example.com", type: "work", primary: true },
    ]);
    expect((await member(user.id)).body.email).toBe("patricia.jensen@example.com");
    const count = await stack.db.all<{ n: number }>(
      sql`select count(*) as n from members where email like 'patchy@%'`,
    );
    expect(Number(count[0]?.n)).toBe(0);
  });

  it("changes the email of a member known by email alone, keeping the member", async () => {
    const plain = await create("plain");
    const patched = await scim<User>(
      "PATCH",
      `/Users/${plain.id}`,
      patchOf(
        { op: "replace", path: 'emails[type eq "work"].value', value: "plain.renamed@example.com" },
        { op: "replace", path: "title", value: "Analyst" },
      ),
    );
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: plain.id, title: "Analyst", userName: "plain@example.com" });
    expect((await member(plain.id)).body).toMatchObject({
      email: "plain.renamed@example.com",
      jobTitle: "Analyst",
    });
    const emailOnly = await scim<User>(
      "PATCH",
      `/Users/${plain.id}`,
      patchOf({ op: "replace", path: "emails", value: [{ value: "plain.again@example.com", type: "work" }] }),
    );
    expect(emailOnly.body.id).toBe(plain.id);
    expect((await member(plain.id)).body.email).toBe("plain.again@example.com");
    const people = await stack.db.all<{ n: number }>(
      sql`select count(*) as n from members where email like 'plain%'`,
    );
    expect(Number(people[0]?.n)).toBe(1);
  });

  it("sets the manager by their SCIM id: the member's approver", async () => {
    const boss = await create("boss", { externalId: "E-boss" });
    const patched = await scim<User>(
      "PATCH",
      `/Users/${user.id}`,
      patchOf({ op: "replace", path: `${ENTERPRISE}:manager`, value: { value: boss.id } }),
    );
    expect(patched.body[ENTERPRISE]).toMatchObject({
      manager: { value: boss.id, displayName: "boss Tester" },
    });
    expect((await member(user.id)).body).toMatchObject({ approverId: boss.id, manager: "E-boss" });
    expectScimError(
      await scim(
        "PATCH",
        `/Users/${user.id}`,
        patchOf({ op: "replace", path: `${ENTERPRISE}:manager.value`, value: "nobody" }),
      ),
      400,
      "invalidValue",
    );
  });

  it.each([
    [{ op: "replace", path: 'emails[type eq "home"].value', value: "x@example.com" }, "noTarget"],
    [{ op: "remove" }, "noTarget"],
    [{ op: "replace", path: 'emails[type eq "work"', value: "x" }, "invalidPath"],
    [{ op: "replace", path: `${SEGMENTS}:nonsense`, value: "x" }, "invalidPath"],
    [{ op: "replace", path: "id", value: "mine" }, "mutability"],
    [{ op: "replace", path: "externalId", value: "E-other" }, "mutability"],
    [{ op: "jump", path: "title", value: "x" }, "invalidSyntax"],
    [{ op: "replace", path: "active", value: "perhaps" }, "invalidValue"],
  ])("refuses %j with 400 %s", async (operation, scimType) => {
    expectScimError(await scim("PATCH", `/Users/${user.id}`, patchOf(operation)), 400, scimType);
  });

  it("refuses an email another member has: 409 uniqueness", async () => {
    const answer = await scim(
      "PATCH",
      `/Users/${user.id}`,
      patchOf({ op: "replace", path: 'emails[type eq "work"].value', value: "boss@example.com" }),
    );
    expectScimError(answer, 409, "uniqueness");
  });
});

describe("Users: deactivate, delete, restore", () => {
  let user: User;

  beforeAll(async () => {
    user = await create("leaver", { externalId: "E-leaver" });
  });

  it("active=false deactivates, never deletes: the user stays readable and findable", async () => {
    const off = await scim<User>(
      "PATCH",
      `/Users/${user.id}`,
      patchOf({ op: "replace", path: "active", value: false }),
    );
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect((await member(user.id)).body).toMatchObject({ status: "inactive", deletedAt: null });
    expect((await scim<User>("GET", `/Users/${user.id}`)).body.active).toBe(false);
    const found = await scim<ListAnswer>(
      "GET",
      `/Users?filter=${encodeURIComponent('userName eq "leaver@example.com"')}`,
    );
    expect(found.body.Resources[0]).toMatchObject({ id: user.id, active: false });
  });

  it("a field change while inactive keeps the member inactive", async () => {
    const renamed = await scim<User>(
      "PATCH",
      `/Users/${user.id}`,
      patchOf({ op: "replace", path: "title", value: "Alumnus" }),
    );
    expect(renamed.body).toMatchObject({ active: false, title: "Alumnus" });
    expect((await member(user.id)).body.status).toBe("inactive");
  });

  it("active=true reactivates", async () => {
    const on = await scim<User>(
      "PATCH",
      `/Users/${user.id}`,
      patchOf({ op: "replace", path: "active", value: true }),
    );
    expect(on.body.active).toBe(true);
    expect((await member(user.id)).body.status).toBe("active");
  });

  it("DELETE is a soft delete: 204, then 404, restorable for 30 days", async () => {
    const stale = await scim("DELETE", `/Users/${user.id}`, undefined, { "if-match": 'W/"1"' });
    expectScimError(stale, 412);
    const deleted = await scim("DELETE", `/Users/${user.id}`);
    expect(deleted.status).toBe(204);
    expectScimError(await scim("GET", `/Users/${user.id}`), 404);
    expectScimError(
      await scim("PATCH", `/Users/${user.id}`, patchOf({ op: "replace", path: "title", value: "x" })),
      404,
    );
    const listed = await scim<ListAnswer>(
      "GET",
      `/Users?filter=${encodeURIComponent('externalId eq "E-leaver"')}`,
    );
    expect(listed.body.totalResults).toBe(0);
    const row = await member(user.id);
    expect(row.body.status).toBe("deleted");
    expect(row.body.deletedAt).not.toBeNull();
    const again = await scim("POST", "/Users", newUser("leaver", { externalId: "E-leaver" }));
    expect(expectScimError(again, 409, "uniqueness").detail).toContain("restore");
    const restored = await stack.api(`/v1/members/${user.id}/restore`, { method: "POST" });
    expect(restored.status).toBe(200);
    expect((await scim<User>("GET", `/Users/${user.id}`)).body.active).toBe(true);
  });

  it("changes nothing of a member an admin archived, and shows them inactive", async () => {
    const kept = await create("archived");
    expect((await stack.api(`/v1/members/${kept.id}/archive`, { method: "POST" })).status).toBe(200);
    expect((await scim<User>("GET", `/Users/${kept.id}`)).body.active).toBe(false);
    const answer = await scim(
      "PATCH",
      `/Users/${kept.id}`,
      patchOf({ op: "replace", path: "active", value: true }),
    );
    expectScimError(answer, 400, "mutability");
    expect((await member(kept.id)).body.status).toBe("archived");
  });

  it("records every change with actor scim", async () => {
    const entries = await auditOf(user.id);
    expect(entries.filter((e) => e.actorType === "scim").map((e) => e.change)).toEqual(
      expect.arrayContaining(["invite", "deactivate", "update", "reactivate", "delete_from_tenant"]),
    );
  });
});

describe("Groups (hubs)", () => {
  let alice: User;
  let bob: User;
  let groupId: string;
  let version: string;

  beforeAll(async () => {
    alice = await create("alice");
    bob = await create("bob");
  });

  const hubIdsOf = async (id: string) => (await member(id)).body.hubIds as string[];

  it("lists the tenant's hubs as groups, with their members", async () => {
    const groups = await scim<ListAnswer>(
      "GET",
      `/Groups?filter=${encodeURIComponent('displayName eq "mentoring"')}`,
    );
    expect(groups.body.totalResults).toBe(1);
    expect(groups.body.Resources[0]).toMatchObject({ id: stack.hubId, displayName: "Mentoring" });
    const members = groups.body.Resources[0]?.members as { value: string }[];
    expect(members.map((m) => m.value)).toEqual(expect.arrayContaining([alice.id, bob.id]));
    const bare = await scim<ListAnswer>("GET", "/Groups?excludedAttributes=members");
    expect(bare.body.Resources.every((g) => !("members" in g))).toBe(true);
  });

  it("creates a group: a new hub, with its members joining it", async () => {
    const created = await scim<{ id: string; meta: { version: string } }>("POST", "/Groups", {
      schemas: [GROUP],
      displayName: "Tour Guides",
      members: [{ value: alice.id }],
    });
    expect(created.status).toBe(201);
    groupId = created.body.id;
    version = created.body.meta.version;
    expect(created.headers.get("etag")).toBe(version);
    const hubs = (await (await stack.api("/v1/hubs")).json()) as { hubs: { id: string; name: string }[] };
    expect(hubs.hubs.map((h) => h.name)).toContain("Tour Guides");
    expect(await hubIdsOf(alice.id)).toContain(groupId);
    expectScimError(
      await scim("POST", "/Groups", { schemas: [GROUP], displayName: "tour guides" }),
      409,
      "uniqueness",
    );
  });

  it("adds a member (§3.5.2.1): they join the hub", async () => {
    const added = await scim(
      "PATCH",
      `/Groups/${groupId}`,
      patchOf({ op: "add", path: "members", value: [{ value: bob.id, display: "Bob" }] }),
    );
    expect(added.status).toBe(204);
    expect(await hubIdsOf(bob.id)).toContain(groupId);
    const group = await scim<{ members: { value: string; type: string }[]; meta: { version: string } }>(
      "GET",
      `/Groups/${groupId}`,
    );
    expect(group.body.members.map((m) => m.value)).toEqual([alice.id, bob.id]);
    expect(group.body.meta.version).not.toBe(version);
    version = group.body.meta.version;
  });

  it("refuses a change based on an old version of the group: 412", async () => {
    const stale = await scim(
      "PATCH",
      `/Groups/${groupId}`,
      patchOf({ op: "replace", path: "displayName", value: "X" }),
      {
        "if-match": 'W/"00000000"',
      },
    );
    expectScimError(stale, 412);
  });

  it("removes a member by value filter (§3.5.2.2): they leave the hub, and stay a user", async () => {
    const removed = await scim(
      "PATCH",
      `/Groups/${groupId}`,
      patchOf({ op: "remove", path: `members[value eq "${alice.id}"]` }),
      { "if-match": version },
    );
    expect(removed.status).toBe(204);
    expect(await hubIdsOf(alice.id)).not.toContain(groupId);
    expect((await member(alice.id)).body.status).toBe("invited");
    const entries = await auditOf(alice.id);
    expect(entries.some((e) => e.change === "delete_from_hub" && e.actorType === "scim")).toBe(true);
  });

  it("renames the group: the hub is renamed", async () => {
    const renamed = await scim(
      "PATCH",
      `/Groups/${groupId}`,
      patchOf({ op: "replace", path: "displayName", value: "Guides" }),
    );
    expect(renamed.status).toBe(204);
    expect((await scim("GET", `/Groups/${groupId}`)).body).toMatchObject({ displayName: "Guides" });
  });

  it("PUT replaces the members", async () => {
    const put = await scim<{ members: { value: string }[] }>("PUT", `/Groups/${groupId}`, {
      schemas: [GROUP],
      displayName: "Guides",
      members: [{ value: alice.id }],
    });
    expect(put.status).toBe(200);
    expect(put.body.members.map((m) => m.value)).toEqual([alice.id]);
    expect(await hubIdsOf(bob.id)).not.toContain(groupId);
  });

  it("refuses members that are not users, and a group delete", async () => {
    expectScimError(
      await scim(
        "PATCH",
        `/Groups/${groupId}`,
        patchOf({ op: "add", path: "members", value: [{ value: "ghost" }] }),
      ),
      400,
      "invalidValue",
    );
    expectScimError(await scim("DELETE", `/Groups/${groupId}`), 403);
    expectScimError(await scim("GET", "/Groups/nope"), 404);
  });

  it("refuses more member changes than one request may carry: 400 tooMany", async () => {
    const many = Array.from({ length: 1001 }, (_, i) => ({ value: `user-${i}` }));
    expectScimError(
      await scim("PATCH", `/Groups/${groupId}`, patchOf({ op: "add", path: "members", value: many })),
      400,
      "tooMany",
    );
  });
});
