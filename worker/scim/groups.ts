// Group resources ↔ hubs. A Group is a hub: its displayName is the hub's name, its members the
// hub's members. Pure: rendering, and reading what a Group someone sends asks for.
import { badRequest } from "./errors.ts";
import { digest, weakEtag } from "./etags.ts";
import { attributeOf, isObject, type Resource } from "./evaluate.ts";
import type { GroupMember, HubRow } from "./hub-directory.ts";
import { CORE_GROUP } from "./schemas.ts";

export interface GroupFields {
  displayName: string;
  memberIds: string[];
}

export function groupEtag(hub: HubRow, members: GroupMember[]): string {
  const ids = members.map((m) => m.id).sort();
  return weakEtag(digest(JSON.stringify([hub.name, ids])));
}

export function renderGroup(hub: HubRow, members: GroupMember[], base: string): Resource {
  const lastJoined = members.reduce((last, m) => (m.joinedAt > last ? m.joinedAt : last), hub.createdAt);
  return {
    schemas: [CORE_GROUP],
    id: hub.id,
    displayName: hub.name,
    members: members.map((m) => ({
      value: m.id,
      $ref: `${base}/Users/${m.id}`,
      display: m.name,
      type: "User",
    })),
    meta: {
      resourceType: "Group",
      created: hub.createdAt,
      lastModified: lastJoined,
      location: `${base}/Groups/${hub.id}`,
      version: groupEtag(hub, members),
    },
  };
}

export function groupFieldsOf(resource: Resource): GroupFields {
  const name = attributeOf(resource, "displayName");
  if (typeof name !== "string" || !name.trim()) throw badRequest("invalidValue", "displayName is required.");
  if (name.trim().length > 200) throw badRequest("invalidValue", "displayName is at most 200 characters.");
  const members = attributeOf(resource, "members") ?? [];
  if (!Array.isArray(members))
    throw badRequest("invalidValue", '"members" is a list of { "value": "<user id>" }.');
  const memberIds = members.map((m) => {
    const id = isObject(m) ? attributeOf(m, "value") : undefined;
    if (typeof id !== "string" || !id)
      throw badRequest("invalidValue", 'Each member is { "value": "<user id>" }.');
    return id;
  });
  return { displayName: name.trim(), memberIds: [...new Set(memberIds)] };
}
