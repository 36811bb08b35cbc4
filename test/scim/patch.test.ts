// SCIM PATCH over resources as JSON: the RFC 7644 §3.5.2 examples, the shapes identity providers
// actually send (Entra's capitalised ops, dotted and URN keys, manager as a bare id, member
// removal as a value list), and each error with its scimType.
import { describe, expect, it } from "vitest";
import { ScimError } from "../../worker/scim/errors.ts";
import {
  applyPatch,
  MAX_OPERATIONS,
  type PatchOperation,
  readPatchRequest,
} from "../../worker/scim/patch.ts";
import {
  ENTERPRISE_USER,
  GROUP_SCHEMAS,
  PATCH_OP,
  SEGMENTS_USER,
  userSchemas,
} from "../../worker/scim/schemas.ts";

const users = userSchemas([
  { key: "seniority", label: "Seniority", kind: "segment", visibility: "public", options: [] },
  { key: "roles", label: "Roles", kind: "role", visibility: "public", options: [] },
]);

const user = () => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  id: "u1",
  userName: "bjensen@example.com",
  name: { givenName: "Barbara", familyName: "Jensen" },
  title: "Tour Guide",
  active: true,
  emails: [{ value: "bjensen@example.com", type: "work", primary: true }],
  addresses: [{ type: "work", locality: "Hollywood", country: "US" }],
  [ENTERPRISE_USER]: { department: "Tours", manager: { value: "m1", displayName: "Mo" } },
});

const group = () => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
  id: "g1",
  displayName: "Tour Guides",
  members: [
    { value: "2819c223-7f76-453a-919d-413861904646", display: "Babs Jensen" },
    { value: "902c246b-6245-4190-8e05-00816be7344a", display: "Mandy Pepperidge" },
  ],
});

function patch(resource: Record<string, unknown>, ...operations: unknown[]) {
  const ops = readPatchRequest({ schemas: [PATCH_OP], Operations: operations });
  return applyPatch(resource, ops, "members" in resource ? GROUP_SCHEMAS : users);
}

function scimError(run: () => unknown): ScimError {
  try {
    run();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
  throw new Error("no error");
}

describe("readPatchRequest", () => {
  it("reads op names in any case", () => {
    const ops = readPatchRequest({
      schemas: [PATCH_OP],
      Operations: [
        { op: "Add", path: "title", value: "x" },
        { op: "REPLACE", path: "title", value: "y" },
        { op: "remove", path: "title" },
      ],
    });
    expect(ops.map((o: PatchOperation) => o.op)).toEqual(["add", "replace", "remove"]);
  });

  it.each([
    [[], "invalidSyntax", "is a JSON object"],
    [{ schemas: ["urn:x"], Operations: [{ op: "add", value: {} }] }, "invalidSyntax", "must list"],
    [{ schemas: [PATCH_OP] }, "invalidSyntax", "Operations"],
    [{ schemas: [PATCH_OP], Operations: [{ op: "move", path: "title" }] }, "invalidSyntax", 'not "move"'],
    [{ schemas: [PATCH_OP], Operations: [{ op: "remove" }] }, "noTarget", 'needs a "path"'],
    [{ schemas: [PATCH_OP], Operations: [{ op: "add", path: "title" }] }, "invalidValue", 'needs a "value"'],
    [{ schemas: [PATCH_OP], Operations: [{ op: "add", path: 5, value: 1 }] }, "invalidPath", "is a string"],
  ])("refuses %j with %s", (body, scimType, message) => {
    const error = scimError(() => readPatchRequest(body));
    expect(error.status).toBe(400);
    expect(error.scimType).toBe(scimType);
    expect(error.message).toContain(message);
  });

  it("refuses more operations than it takes at once (tooMany)", () => {
    const many = Array.from({ length: MAX_OPERATIONS + 1 }, () => ({ op: "add", path: "title", value: "x" }));
    expect(scimError(() => readPatchRequest({ schemas: [PATCH_OP], Operations: many })).scimType).toBe(
      "tooMany",
    );
  });
});

describe("RFC 7644 §3.5.2 examples", () => {
  it("adds a member to a group (§3.5.2.1)", () => {
    const next = patch(group(), {
      op: "add",
      path: "members",
      value: [{ display: "Babs Jensen", value: "2819c223-7f76-453a-919d-413861904646" }, { value: "new-1" }],
    });
    expect((next.members as { value: string }[]).map((m) => m.value)).toEqual([
      "2819c223-7f76-453a-919d-413861904646",
      "902c246b-6245-4190-8e05-00816be7344a",
      "new-1",
    ]);
  });

  it("adds attributes without a path (§3.5.2.1)", () => {
    const next = patch(user(), {
      op: "add",
      value: { emails: [{ value: "babs@jensen.org", type: "home" }], nickname: "Babs" },
    });
    expect((next.emails as unknown[]).length).toBe(2);
    expect(next).not.toHaveProperty("nickname"); // not kept by this service: ignored
  });

  it("removes one member by value filter (§3.5.2.2)", () => {
    const next = patch(group(), {
      op: "remove",
      path: 'members[value eq "2819c223-7f76-453a-919d-413861904646"]',
    });
    expect(next.members).toEqual([
      { value: "902c246b-6245-4190-8e05-00816be7344a", display: "Mandy Pepperidge" },
    ]);
  });

  it("removes all members (§3.5.2.2)", () => {
    expect(patch(group(), { op: "remove", path: "members" })).not.toHaveProperty("members");
  });

  it("removes all members and adds one in one request (§3.5.2.2)", () => {
    const next = patch(
      group(),
      { op: "remove", path: "members" },
      { op: "add", path: "members", value: [{ value: "x" }] },
    );
    expect(next.members).toEqual([{ value: "x" }]);
  });

  it("replaces all members (§3.5.2.3)", () => {
    const next = patch(group(), { op: "replace", path: "members", value: [{ value: "only" }] });
    expect(next.members).toEqual([{ value: "only" }]);
  });

  it("replaces a filtered value's sub-attribute, and a whole filtered value (§3.5.2.3)", () => {
    const one = patch(user(), {
      op: "replace",
      path: 'addresses[type eq "work"].locality',
      value: "Burbank",
    });
    expect(one.addresses).toEqual([{ type: "work", locality: "Burbank", country: "US" }]);
    const two = patch(user(), {
      op: "replace",
      path: 'addresses[type eq "work"]',
      value: { locality: "Pasadena" },
    });
    expect(two.addresses).toEqual([{ type: "work", locality: "Pasadena", country: "US" }]);
  });

  it("replaces attributes without a path, complex ones sub-attribute by sub-attribute (§3.5.2.3)", () => {
    const next = patch(user(), {
      op: "replace",
      value: { name: { familyName: "Jensen-Smith" }, title: "Lead" },
    });
    expect(next.name).toEqual({ givenName: "Barbara", familyName: "Jensen-Smith" });
    expect(next.title).toBe("Lead");
  });
});

describe("what identity providers send", () => {
  it("Entra: capitalised ops, string booleans and a work-email value path", () => {
    const next = patch(
      user(),
      { op: "Replace", path: 'emails[type eq "work"].value', value: "barbara@example.com" },
      { op: "Replace", path: "active", value: "False" },
    );
    expect(next.emails).toEqual([{ value: "barbara@example.com", type: "work", primary: true }]);
    expect(next.active).toBe("False"); // read as false by the user mapping
  });

  it("Entra: a path-less value with dotted and URN-qualified keys", () => {
    const next = patch(user(), {
      op: "Replace",
      value: {
        "name.givenName": "Babs",
        [`${ENTERPRISE_USER}:department`]: "Sales",
        [ENTERPRISE_USER]: { employeeNumber: "E7" },
      },
    });
    expect(next.name).toEqual({ givenName: "Babs", familyName: "Jensen" });
    expect(next[ENTERPRISE_USER]).toMatchObject({ department: "Sales", employeeNumber: "E7" });
  });

  it("Entra: the manager as a bare id, and its removal", () => {
    const set = patch(user(), { op: "Add", path: `${ENTERPRISE_USER}:manager`, value: "m2" });
    expect(set[ENTERPRISE_USER]).toMatchObject({ manager: { value: "m2" } });
    const gone = patch(user(), { op: "Remove", path: `${ENTERPRISE_USER}:manager` });
    expect(gone[ENTERPRISE_USER]).toEqual({ department: "Tours" });
  });

  it("Entra: removes members given as a value list", () => {
    const next = patch(group(), {
      op: "Remove",
      path: "members",
      value: [{ $ref: null, value: "902c246b-6245-4190-8e05-00816be7344a" }],
    });
    expect(next.members).toEqual([{ value: "2819c223-7f76-453a-919d-413861904646", display: "Babs Jensen" }]);
  });

  it("Okta: renames a group with its own id in the value", () => {
    const next = patch(group(), { op: "replace", value: { id: "g1", displayName: "Guides" } });
    expect(next.displayName).toBe("Guides");
  });

  it("adds a work email where none matched, from the filter's terms", () => {
    const next = patch(
      { ...user(), emails: undefined },
      { op: "add", path: 'emails[type eq "work"].value', value: "n@x.com" },
    );
    expect(next.emails).toEqual([{ type: "work", value: "n@x.com" }]);
  });

  it("treats attribute names case-insensitively and writes them canonically", () => {
    const next = patch(
      user(),
      { op: "replace", path: "NAME.GIVENNAME", value: "B" },
      { op: "replace", path: "Title", value: "T" },
    );
    expect(next.name).toEqual({ givenName: "B", familyName: "Jensen" });
    expect(next.title).toBe("T");
  });

  it("writes segments and roles of the tenant's extension", () => {
    const next = patch(user(), {
      op: "add",
      value: { [SEGMENTS_USER]: { seniority: "Senior", roles: ["Mentor"] } },
    });
    expect(next[SEGMENTS_USER]).toEqual({ seniority: "Senior", roles: ["Mentor"] });
  });

  it("leaves the input untouched", () => {
    const before = user();
    patch(before, { op: "replace", path: "title", value: "changed" });
    expect(before.title).toBe("Tour Guide");
  });
});

describe("errors", () => {
  it.each([
    [{ op: "replace", path: 'emails[type eq "home"].value', value: "x" }, 400, "noTarget"],
    [{ op: "replace", path: 'emails[type eq "work"', value: "x" }, 400, "invalidPath"],
    [{ op: "replace", path: 'title[value eq "x"]', value: "x" }, 400, "invalidPath"],
    [{ op: "add", path: `${SEGMENTS_USER}:unknown`, value: "x" }, 400, "invalidPath"],
    [{ op: "replace", path: "id", value: "other" }, 400, "mutability"],
    [{ op: "remove", path: "groups" }, 400, "mutability"],
    [{ op: "add", value: "not an object" }, 400, "invalidValue"],
    [{ op: "add", path: "name", value: 42 }, 400, "invalidValue"],
  ])("%j → %i %s", (operation, status, scimType) => {
    const error = scimError(() => patch(user(), operation));
    expect(error.status).toBe(status);
    expect(error.scimType).toBe(scimType);
  });

  it("fails the whole request when one operation fails", () => {
    const resource = user();
    expect(() =>
      patch(
        resource,
        { op: "replace", path: "title", value: "new" },
        { op: "replace", path: "id", value: "x" },
      ),
    ).toThrow(ScimError);
    expect(resource.title).toBe("Tour Guide");
  });

  it("ignores attributes this service does not keep", () => {
    const next = patch(user(), { op: "replace", path: 'phoneNumbers[type eq "work"].value', value: "555" });
    expect(next).toEqual(user());
  });
});
