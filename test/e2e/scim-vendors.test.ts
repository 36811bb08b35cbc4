// The request shapes Microsoft Entra ID and Okta send, replayed from recorded payloads
// (test/scim/fixtures/*.json) against the real stack, in the order each client sends them, with
// what each must leave behind in the member directory.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../helpers/stack.ts";
import {
  expectScimError,
  type ListAnswer,
  recorded,
  type Scim,
  scimClient,
  scimToken,
} from "../scim/client.ts";

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

type Resource = Record<string, unknown> & { id: string };

let stack: Stack;
let scim: Scim;

beforeAll(async () => {
  stack = await startStack();
  scim = scimClient(stack, await scimToken(stack));
});

afterAll(async () => {
  await stack?.stop();
});

/** Sends one recorded request of `file`, placeholders filled from `values`. */
async function replay<T = Resource>(file: string, step: string, values: Record<string, string> = {}) {
  const request = recorded(file, step, values);
  return scim<T>(request.method, request.path, request.body);
}

async function member(id: string) {
  return (await (await stack.api(`/v1/members/${id}`)).json()) as Record<string, unknown>;
}

describe("Microsoft Entra ID", () => {
  const file = "entra.json";
  let userId: string;
  let managerId: string;
  let groupId: string;

  it("test connection: a userName nobody has is an empty list", async () => {
    const answer = await replay<ListAnswer>(file, "testConnection", { randomUserName: crypto.randomUUID() });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ totalResults: 0, Resources: [] });
  });

  it("looks the user up, finds nobody, creates them (a UPN-like userName, the email under emails)", async () => {
    expect((await replay<ListAnswer>(file, "findUser")).body.totalResults).toBe(0);
    const created = await replay(file, "createUser");
    expect(created.status).toBe(201);
    userId = created.body.id;
    expect(created.body).toMatchObject({
      userName: "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
      externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
      emails: [
        { value: "test_user_fd0ea19b-0777-472c-9f96-4f70d2226f2b@testuser.com", type: "work", primary: true },
      ],
      active: true,
      [ENTERPRISE]: { department: "Tours" },
    });
    expect(await member(userId)).toMatchObject({
      email: "test_user_fd0ea19b-0777-472c-9f96-4f70d2226f2b@testuser.com",
      employeeId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
      firstName: "givenName",
      lastName: "familyName",
      department: "Tours",
      status: "invited",
    });
    for (const step of ["findUser", "findUserByWorkEmail", "findUserByExternalId"]) {
      const found = await replay<ListAnswer>(file, step);
      expect(
        found.body.Resources.map((r) => r.id),
        step,
      ).toEqual([userId]);
    }
  });

  it("a retried create is a 409 uniqueness, and nothing is created twice", async () => {
    expectScimError(await replay(file, "createUser"), 409, "uniqueness");
  });

  it("updates multi-valued and single-valued attributes with capitalised ops", async () => {
    const multi = await replay(file, "updateUserMultiValued", { userId });
    expect(multi.status).toBe(200);
    expect(multi.body).toMatchObject({
      id: userId,
      emails: [{ value: "updatedemail@microsoft.com" }],
      name: { familyName: "updatedFamilyName" },
    });
    const single = await replay(file, "updateUserSingleValued", { userId });
    expect(single.body.userName).toBe("5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com");
    expect(await member(userId)).toMatchObject({
      email: "updatedemail@microsoft.com",
      lastName: "updatedFamilyName",
    });
    const found = await scim<ListAnswer>(
      "GET",
      `/Users?filter=${encodeURIComponent('userName eq "5B50642D-79FC-4410-9E90-4C077CDD1A59@testuser.com"')}`,
    );
    expect(found.body.Resources.map((r) => r.id)).toEqual([userId]);
  });

  it("reads a path-less value with dotted and URN-qualified names, ignoring what it does not keep", async () => {
    const patched = await replay(file, "updateUserWithoutPath", { userId });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      name: { givenName: "Ramon" },
      title: "Controller",
      [ENTERPRISE]: { department: "Finance" },
    });
    expect(patched.body).not.toHaveProperty("phoneNumbers");
  });

  it("sets the manager with a bare id on the enterprise path, and removes it", async () => {
    const manager = await replay(file, "createManager");
    managerId = manager.body.id;
    const set = await replay(file, "setManager", { userId, managerId });
    expect(set.body[ENTERPRISE]).toMatchObject({ manager: { value: managerId, displayName: "Maria Boss" } });
    expect((await member(userId)).approverId).toBe(managerId);
    const removed = await replay(file, "removeManager", { userId });
    expect(removed.body[ENTERPRISE]).not.toHaveProperty("manager");
    expect((await member(userId)).approverId).toBeNull();
  });

  it('disables with a boolean and with the string "False"; the user stays readable; "True" enables', async () => {
    const off = await replay(file, "disableUser", { userId });
    expect(off.body.active).toBe(false);
    expect((await member(userId)).status).toBe("inactive");
    const again = await replay(file, "disableUserStringBoolean", { userId });
    expect(again.status).toBe(200);
    expect(again.body.active).toBe(false);
    const read = await scim(`GET`, `/Users/${userId}`);
    expect(read.body.active).toBe(false);
    const on = await replay(file, "enableUserStringBoolean", { userId });
    expect(on.body.active).toBe(true);
    expect((await member(userId)).status).toBe("active");
  });

  it("provisions a group: create, find by displayName without members, add, check and remove members", async () => {
    const created = await replay(file, "createGroup");
    expect(created.status).toBe(201);
    groupId = created.body.id;
    const found = await replay<ListAnswer>(file, "findGroup");
    expect(found.body.Resources).toEqual([
      expect.objectContaining({ id: groupId, displayName: "displayName" }),
    ]);
    expect(found.body.Resources[0]).not.toHaveProperty("members");

    expect((await replay(file, "addMember", { groupId, userId })).status).toBe(204);
    expect((await member(userId)).hubIds).toContain(groupId);
    expect((await replay<ListAnswer>(file, "checkMembership", { groupId, userId })).body.totalResults).toBe(
      1,
    );

    expect((await replay(file, "removeMemberValueList", { groupId, userId })).status).toBe(204);
    expect((await member(userId)).hubIds).not.toContain(groupId);
    expect((await replay<ListAnswer>(file, "checkMembership", { groupId, userId })).body.totalResults).toBe(
      0,
    );

    await replay(file, "addMember", { groupId, userId });
    expect((await replay(file, "removeMemberFilter", { groupId, userId })).status).toBe(204);
    expect((await member(userId)).hubIds).not.toContain(groupId);
  });

  it("renames the group", async () => {
    expect((await replay(file, "renameGroup", { groupId })).status).toBe(204);
    expect((await scim("GET", `/Groups/${groupId}`)).body.displayName).toBe(
      "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName",
    );
  });

  it("deletes the user: a soft delete", async () => {
    expect((await replay(file, "deleteUser", { userId })).status).toBe(204);
    expectScimError(await scim("GET", `/Users/${userId}`), 404);
    expect((await member(userId)).status).toBe("deleted");
  });
});

describe("Okta", () => {
  const file = "okta.json";
  let userId: string;
  let groupId: string;

  it("filters on userName before creating, then creates (ignoring password, locale and groups)", async () => {
    const none = await replay<ListAnswer>(file, "findUser");
    expect(none.body).toMatchObject({ totalResults: 0, startIndex: 1, Resources: [] });
    const created = await replay(file, "createUser");
    expect(created.status).toBe(201);
    userId = created.body.id;
    expect(created.body).toMatchObject({
      userName: "test.user@okta.local",
      externalId: "00ujl29u0le5T6Aj10h7",
      active: true,
    });
    expect(JSON.stringify(created.body)).not.toContain("1mz050nq");
    const found = await replay<ListAnswer>(file, "findUser");
    expect(found.body.Resources.map((r) => r.id)).toEqual([userId]);
    const listed = await replay<ListAnswer>(file, "listUsers");
    expect(listed.body.Resources.map((r) => r.id)).toContain(userId);
  });

  it("updates the profile with PUT", async () => {
    const put = await replay(file, "updateUserPut", { userId });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: { givenName: "Another", familyName: "User" }, active: true });
    expect((await member(userId)).firstName).toBe("Another");
  });

  it("deactivates with a path-less PATCH; the user is still readable and findable", async () => {
    const off = await replay(file, "deactivatePatch", { userId });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    const read = await replay(file, "getUser", { userId });
    expect(read.status).toBe(200);
    expect(read.body.active).toBe(false);
    const found = await replay<ListAnswer>(file, "findUser");
    expect(found.body.Resources).toEqual([expect.objectContaining({ id: userId, active: false })]);
    expect((await member(userId)).status).toBe("inactive");
  });

  it("reactivates with PATCH, and deactivates with PUT", async () => {
    expect((await replay(file, "reactivatePatch", { userId })).body.active).toBe(true);
    expect((await member(userId)).status).toBe("active");
    const off = await replay(file, "deactivatePut", { userId });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect((await replay(file, "getUser", { userId })).body.active).toBe(false);
    expect((await member(userId)).status).toBe("inactive");
    await replay(file, "reactivatePatch", { userId });
  });

  it("pushes a group: create, find, rename with its own id in the value, add and remove a member", async () => {
    const created = await replay(file, "createGroup");
    expect(created.status).toBe(201);
    groupId = created.body.id;
    const found = await replay<ListAnswer>(file, "findGroup");
    expect(found.body.Resources.map((g) => g.id)).toEqual([groupId]);
    expect((await replay(file, "renameGroup", { groupId })).status).toBe(204);
    expect((await scim("GET", `/Groups/${groupId}`)).body.displayName).toBe("Test SCIMv2 Renamed");
    expect((await replay(file, "addMembers", { groupId, userId })).status).toBe(204);
    expect((await member(userId)).hubIds).toContain(groupId);
    const listed = await replay<ListAnswer>(file, "listGroups");
    const group = listed.body.Resources.find((g) => g.id === groupId) as { members: { value: string }[] };
    expect(group.members.map((m) => m.value)).toEqual([userId]);
    expect((await replay(file, "removeMember", { groupId, userId })).status).toBe(204);
    expect((await member(userId)).hubIds).not.toContain(groupId);
  });
});
