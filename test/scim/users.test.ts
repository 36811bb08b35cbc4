// User resources ↔ member fields: a member renders as core + Enterprise User + segments, reads back
// to the same fields, and a User someone sends is read the tolerant way identity providers need
// (string booleans, the primary or work email, the manager as an id) with clear invalidValue errors.
import { describe, expect, it } from "vitest";
import type { UserRecord } from "../../worker/scim/directory.ts";
import { ScimError } from "../../worker/scim/errors.ts";
import { CORE_USER, ENTERPRISE_USER, SEGMENTS_USER } from "../../worker/scim/schemas.ts";
import {
  changedFields,
  fieldsOf,
  renderUser,
  scimFields,
  type UserContext,
} from "../../worker/scim/users.ts";

const ctx: UserContext = {
  base: "https://sync.test/scim/v2",
  fields: scimFields([
    { key: "seniority", label: "Seniority", kind: "segment", visibility: "public", options: ["Senior"] },
    { key: "mentoring", label: "Mentoring", kind: "role", visibility: "public", options: [] },
    { key: "cost-center", label: "Cost center", kind: "segment", visibility: "private", options: [] },
  ]),
};

function record(overrides: Partial<UserRecord["member"]> = {}, userName: string | null = null): UserRecord {
  return {
    member: {
      id: "u1",
      tenantId: "t1",
      employeeId: "E1",
      email: "ada@acme.test",
      firstName: "Ada",
      lastName: "Lovelace",
      jobTitle: "Engineer",
      manager: "E0",
      approverId: "u0",
      department: "R&D",
      location: "London",
      country: "GB",
      contentRegion: "EMEA",
      startDate: null,
      terminationDate: null,
      employmentStatus: "Full-time",
      profile: { seniority: "Senior", mentoring: ["Mentor", "Mentee"], "cost-center": "CC-7" },
      status: "active",
      source: "hris",
      version: 4,
      deletedAt: null,
      createdAt: "2026-01-01T00:00:00.000Z",
      updatedAt: "2026-02-01T00:00:00.000Z",
      ...overrides,
    },
    userName,
    hubs: [{ id: "h1", name: "Mentoring" }],
    manager: { id: "u0", name: "Charles Babbage" },
  };
}

describe("renderUser", () => {
  it("shows core, enterprise and segment attributes, and meta with the version as ETag", () => {
    expect(renderUser(record(), ctx)).toEqual({
      schemas: [CORE_USER, ENTERPRISE_USER, SEGMENTS_USER],
      id: "u1",
      externalId: "E1",
      userName: "ada@acme.test",
      name: { formatted: "Ada Lovelace", givenName: "Ada", familyName: "Lovelace" },
      displayName: "Ada Lovelace",
      title: "Engineer",
      active: true,
      emails: [{ value: "ada@acme.test", type: "work", primary: true }],
      addresses: [{ type: "work", locality: "London", country: "GB" }],
      groups: [{ value: "h1", $ref: "https://sync.test/scim/v2/Groups/h1", display: "Mentoring" }],
      [ENTERPRISE_USER]: {
        employeeNumber: "E1",
        department: "R&D",
        costCenter: "CC-7",
        manager: { value: "u0", $ref: "https://sync.test/scim/v2/Users/u0", displayName: "Charles Babbage" },
      },
      [SEGMENTS_USER]: { seniority: "Senior", mentoring: ["Mentor", "Mentee"] },
      meta: {
        resourceType: "User",
        created: "2026-01-01T00:00:00.000Z",
        lastModified: "2026-02-01T00:00:00.000Z",
        location: "https://sync.test/scim/v2/Users/u1",
        version: 'W/"4"',
      },
    });
  });

  it("shows inactive and archived members as active: false, invited ones as active", () => {
    expect(renderUser(record({ status: "inactive" }), ctx).active).toBe(false);
    expect(renderUser(record({ status: "archived" }), ctx).active).toBe(false);
    expect(renderUser(record({ status: "invited" }), ctx).active).toBe(true);
  });

  it("shows the identity provider's userName where it set one", () => {
    expect(renderUser(record({}, "ada.l@corp.test"), ctx).userName).toBe("ada.l@corp.test");
  });
});

describe("fieldsOf", () => {
  it("reads a rendered member back to its own fields", () => {
    expect(fieldsOf(renderUser(record(), ctx), ctx)).toEqual({
      userName: "ada@acme.test",
      email: "ada@acme.test",
      employeeId: "E1",
      firstName: "Ada",
      lastName: "Lovelace",
      jobTitle: "Engineer",
      department: "R&D",
      location: "London",
      country: "GB",
      managerId: "u0",
      active: true,
      profile: {
        "cost-center": "CC-7",
        organization: null,
        division: null,
        seniority: "Senior",
        mentoring: ["Mentor", "Mentee"],
      },
    });
  });

  it("reads Entra's string booleans and picks the primary email, else the work one", () => {
    const fields = fieldsOf(
      {
        userName: "UPN@corp.test",
        active: "False",
        emails: [
          { value: "home@x.test", type: "home" },
          { value: "work@x.test", type: "work" },
        ],
      },
      ctx,
    );
    expect(fields).toMatchObject({ active: false, email: "work@x.test" });
    const primary = fieldsOf(
      { userName: "u", emails: [{ value: "a@x.test" }, { value: "b@x.test", primary: "True" }] },
      ctx,
    );
    expect(primary.email).toBe("b@x.test");
  });

  it("takes the email from an email-shaped userName when there is no emails attribute", () => {
    expect(fieldsOf({ userName: "test.user@okta.local" }, ctx).email).toBe("test.user@okta.local");
  });

  it("reads externalId and employeeNumber as one employee id; in a change, the one that moved wins", () => {
    expect(
      fieldsOf({ userName: "a@x.test", [ENTERPRISE_USER]: { employeeNumber: 42 } }, ctx).employeeId,
    ).toBe("42");
    const both = { userName: "a@x.test", externalId: "E2", [ENTERPRISE_USER]: { employeeNumber: "E1" } };
    expect(fieldsOf(both, ctx, "E1").employeeId).toBe("E2");
    expect(() => fieldsOf(both, ctx)).toThrow(/both name/);
  });

  it.each([
    [{}, "userName is required"],
    [{ userName: "not-an-email" }, "needs an email"],
    [{ userName: "a@x.test", active: "maybe" }, "true or false"],
    [{ userName: "a@x.test", title: { nested: true } }, '"title" is a string'],
    [{ userName: "a@x.test", emails: ["a@x.test"] }, "list of objects"],
    [{ userName: "a@x.test", [SEGMENTS_USER]: { seniority: ["a", "b"] } }, "holds one value"],
    [{ userName: "a@x.test", [ENTERPRISE_USER]: "R&D" }, "object of attributes"],
  ])("refuses %j: %s", (resource, message) => {
    let error: unknown;
    try {
      fieldsOf(resource, ctx);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScimError);
    expect(error).toMatchObject({ status: 400, scimType: "invalidValue" });
    expect((error as Error).message).toContain(message);
  });
});

describe("changedFields", () => {
  it("names what moved, comparing emails as identities and segments by value", () => {
    const before = fieldsOf(renderUser(record(), ctx), ctx);
    const after = {
      ...before,
      email: "ADA@acme.test",
      title: "x",
      jobTitle: "Lead",
      profile: { ...before.profile, seniority: "Junior" },
    };
    expect([...changedFields(before, after)].sort()).toEqual(["jobTitle", "profile.seniority"]);
  });
});
