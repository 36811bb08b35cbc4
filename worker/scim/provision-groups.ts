// What each SCIM request on /Groups does. A Group is a hub: creating one creates a hub; members
// added join the hub and members removed leave it, each change planned through the engine (joins
// as rows of the hub's import, leaves as `delete_from_hub` instructions) and applied as apply.ts
// says, the deprovisioning guard included. Renaming renames the hub. Deleting a hub is an admin's
// decision (it holds plans, mappings and history), so DELETE /Groups is refused.
import type { MappingColumn } from "../../db/schema.ts";
import { addHub } from "../store/hubs.ts";
import { importAndPlan } from "../sync.ts";
import { applyPlan, StaleChange } from "./apply.ts";
import { listUserRecords, type UserRecord } from "./directory.ts";
import { badRequest, ScimError } from "./errors.ts";
import { checkIfMatch } from "./etags.ts";
import { type GroupFields, groupEtag, groupFieldsOf, renderGroup } from "./groups.ts";
import {
  type GroupMember,
  getGroupHub,
  type HubRow,
  listTenantHubs,
  membersOf,
  renameHub,
} from "./hub-directory.ts";
import { instruction, planInstructions } from "./instructions.ts";
import { applyPatch, readPatchRequest } from "./patch.ts";
import type { ScimContext } from "./provision-users.ts";
import { resourceBody } from "./provision-users.ts";
import { replaceAttributes } from "./replace.ts";
import { CORE_GROUP, GROUP_SCHEMAS } from "./schemas.ts";

/** Member changes one request may make; more is refused (tooMany): send them in several. */
export const MAX_MEMBER_CHANGES = 1000;
const LEAVE_REASON = "The identity provider removed this member from the group (hub).";

export interface GroupView {
  hub: HubRow;
  members: GroupMember[];
}

export async function readGroup(ctx: ScimContext, id: string): Promise<GroupView> {
  const hub = await getGroupHub(ctx.db, ctx.caller.tenantId, id);
  const byHub = await membersOf(ctx.db, ctx.caller.tenantId, [hub.id]);
  return { hub, members: byHub.get(hub.id) ?? [] };
}

export async function listGroups(ctx: ScimContext): Promise<GroupView[]> {
  const hubs = await listTenantHubs(ctx.db, ctx.caller.tenantId);
  const byHub = await membersOf(
    ctx.db,
    ctx.caller.tenantId,
    hubs.map((h) => h.id),
  );
  return hubs.map((hub) => ({ hub, members: byHub.get(hub.id) ?? [] }));
}

export async function createGroup(ctx: ScimContext, body: unknown): Promise<GroupView> {
  const fields = groupFieldsOf(resourceBody(body, CORE_GROUP));
  await refuseNameTaken(ctx, fields.displayName, null);
  const joining = await joinable(ctx, fields.memberIds);
  const hub = await addHub(ctx.db, ctx.caller.tenantId, fields.displayName).catch((error: unknown) => {
    if (error instanceof Error && /already has a hub/.test(error.message)) {
      throw new ScimError(409, "uniqueness", `Another group is already named "${fields.displayName}".`);
    }
    throw error;
  });
  await joinHub(ctx, hub.id, joining);
  return readGroup(ctx, hub.id);
}

export function replaceGroup(ctx: ScimContext, id: string, body: unknown, ifMatch: string | undefined) {
  const resource = resourceBody(body, CORE_GROUP);
  return updateGroup(ctx, id, ifMatch, (current) => replaceAttributes(current, resource, GROUP_SCHEMAS));
}

export function patchGroup(ctx: ScimContext, id: string, body: unknown, ifMatch: string | undefined) {
  const operations = readPatchRequest(body);
  return updateGroup(ctx, id, ifMatch, (current) => applyPatch(current, operations, GROUP_SCHEMAS));
}

export function deleteGroup(): never {
  throw new ScimError(
    403,
    null,
    "Groups are hubs, and a hub is deleted by an admin on the platform, not through SCIM. Remove its members instead.",
  );
}

async function updateGroup(
  ctx: ScimContext,
  id: string,
  ifMatch: string | undefined,
  target: (current: ReturnType<typeof renderGroup>) => ReturnType<typeof renderGroup>,
): Promise<GroupView> {
  for (let tries = 1; ; tries++) {
    try {
      const view = await readGroup(ctx, id);
      checkIfMatch(ifMatch, groupEtag(view.hub, view.members));
      const current = renderGroup(view.hub, view.members, ctx.base);
      await changeGroup(ctx, view, groupFieldsOf(current), groupFieldsOf(target(current)));
      return readGroup(ctx, id);
    } catch (error) {
      if (!(error instanceof StaleChange)) throw error;
      if (ifMatch !== undefined)
        throw new ScimError(412, null, "The group changed after the version in If-Match.");
      if (tries >= 2)
        throw new ScimError(409, null, "The group kept changing while this request ran; retry.");
    }
  }
}

async function changeGroup(ctx: ScimContext, view: GroupView, before: GroupFields, after: GroupFields) {
  const had = new Set(before.memberIds);
  const wants = new Set(after.memberIds);
  const adding = after.memberIds.filter((m) => !had.has(m));
  const removing = before.memberIds.filter((m) => !wants.has(m));
  if (adding.length + removing.length > MAX_MEMBER_CHANGES) {
    throw badRequest("tooMany", `One request may add or remove at most ${MAX_MEMBER_CHANGES} members.`);
  }
  const renamed = before.displayName !== after.displayName;
  if (renamed) await refuseNameTaken(ctx, after.displayName, view.hub.id);
  const joining = await joinable(ctx, adding);
  if (renamed) await renameHub(ctx.db, ctx.caller.tenantId, view.hub.id, after.displayName);
  await joinHub(ctx, view.hub.id, joining);
  await leaveHub(ctx, view.hub.id, removing);
}

/** displayName is unique per tenant, case-insensitively (RFC 7643: caseExact false). */
async function refuseNameTaken(ctx: ScimContext, name: string, self: string | null): Promise<void> {
  const hubs = await listTenantHubs(ctx.db, ctx.caller.tenantId);
  const clash = hubs.find((h) => h.id !== self && h.name.toLowerCase() === name.toLowerCase());
  if (clash) throw new ScimError(409, "uniqueness", `Another group is already named "${clash.name}".`);
}

/** The users behind the ids, all of whom must exist and be able to join a hub. */
async function joinable(ctx: ScimContext, ids: string[]): Promise<UserRecord[]> {
  if (ids.length === 0) return [];
  const records = await listUserRecords(ctx.db, ctx.caller.tenantId, { ids });
  const found = new Set(records.map((r) => r.member.id));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length)
    throw badRequest(
      "invalidValue",
      `No user ${missing.slice(0, 5).join(", ")}: a member is a User of this service.`,
    );
  const unable = records.filter((r) => r.member.status !== "active" && r.member.status !== "invited");
  if (unable.length) {
    throw badRequest(
      "invalidValue",
      `User ${unable[0]?.member.id} is ${unable[0]?.member.status}: only active users join a group. Reactivate them (active: true) first.`,
    );
  }
  return records;
}

const IDENTITY_COLUMNS: MappingColumn[] = (["email", "employeeId"] as const).map((field) => ({
  column: field,
  field,
  kind: "core",
  visibility: "private",
  values: {},
  reviewed: true,
}));

/** Joins as the engine plans them: one row per member (their identity keys) in the hub's import. */
async function joinHub(ctx: ScimContext, hubId: string, joining: UserRecord[]): Promise<void> {
  if (joining.length === 0) return;
  const { plan } = await importAndPlan(
    ctx.db,
    ctx.caller.tenantId,
    hubId,
    {
      format: "json",
      body: {
        columns: IDENTITY_COLUMNS.map((c) => c.column),
        rows: joining.map((r) => [r.member.email, r.member.employeeId ?? ""]),
      },
    },
    {
      source: "api",
      filename: null,
      partial: true,
      createdBy: `scim:${ctx.caller.tokenId}`,
      now: ctx.now,
      mapping: { version: null, columns: IDENTITY_COLUMNS },
    },
  );
  await applyPlan(ctx, plan.id);
}

async function leaveHub(ctx: ScimContext, hubId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const leaving = await listUserRecords(ctx.db, ctx.caller.tenantId, { ids });
  if (leaving.length === 0) return;
  const plan = await planInstructions(
    ctx.db,
    ctx.caller.tenantId,
    hubId,
    leaving.map((r) => instruction("delete_from_hub", r.member, LEAVE_REASON)),
    { createdBy: `scim:${ctx.caller.tokenId}`, now: ctx.now },
  );
  await applyPlan(ctx, plan.id);
}
