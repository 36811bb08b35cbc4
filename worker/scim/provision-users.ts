// What each SCIM request on /Users does: create, replace, patch, delete. Every change becomes a
// one-person plan through the engine (worker/one-person.ts), applied as apply.ts says. The rules a
// User must keep, beyond the RFC:
// - identity is externalId (the HRIS employee id), then userName/email; an email change keeps the
//   member; the employee id, once set, is not changed through SCIM (it is what the HRIS matches);
// - active=false deactivates and never deletes (the user stays readable); DELETE is a soft delete
//   (restorable for 30 days) after which the user answers 404;
// - an archived member (an admin excluded them) is never changed by SCIM.
import type { Db } from "../../db/client.ts";
import { employmentOf } from "../engine/employment.ts";
import type { PersonRecord } from "../engine/types.ts";
import { type PersonFields, planPerson } from "../one-person.ts";
import { listCustomFields } from "../store/custom-fields.ts";
import { type ApplyContext, applyPlan, StaleChange } from "./apply.ts";
import { getUserRecord, holdersOf, type MemberRow, type UserRecord } from "./directory.ts";
import { badRequest, notFound, ScimError } from "./errors.ts";
import { checkIfMatch, weakEtag } from "./etags.ts";
import { attributeOf, isObject, type Resource } from "./evaluate.ts";
import { addEmailChange, checkedEmail, instruction, planInstructions } from "./instructions.ts";
import { applyPatch, readPatchRequest } from "./patch.ts";
import { replaceAttributes } from "./replace.ts";
import { CORE_USER, ENTERPRISE_SEGMENTS, SEGMENTS_USER, userSchemas } from "./schemas.ts";
import { saveUserName } from "./user-names.ts";
import {
  changedFields,
  fieldsOf,
  renderUser,
  scimFields,
  type UserContext,
  type UserFields,
} from "./users.ts";

export interface ScimContext extends ApplyContext {
  /** The SCIM base URL, `https://…/scim/v2`: resources' locations and references start with it. */
  base: string;
}

const CORE_CHANGES = ["firstName", "lastName", "jobTitle", "department", "location", "country"] as const;
const DELETE_REASON =
  "The identity provider deleted this user: delete from the tenant (restorable for 30 days).";

export async function userContext(db: Db, tenantId: string, base: string): Promise<UserContext> {
  return { base, fields: scimFields(await listCustomFields(db, tenantId)) };
}

/** A resource body: a JSON object whose `schemas`, when given, list the resource's core schema. */
export function resourceBody(body: unknown, schema: string): Resource {
  if (!isObject(body)) throw badRequest("invalidSyntax", "The body is a JSON object: the resource.");
  const schemas = attributeOf(body, "schemas");
  if (schemas === undefined) return body;
  if (
    !Array.isArray(schemas) ||
    !schemas.some((s) => typeof s === "string" && s.toLowerCase() === schema.toLowerCase())
  ) {
    throw badRequest("invalidSyntax", `The resource's "schemas" must list ${schema}.`);
  }
  return body;
}

export async function readUser(ctx: ScimContext, id: string): Promise<UserRecord> {
  const record = await getUserRecord(ctx.db, ctx.caller.tenantId, id);
  if (!record) throw notFound(`No user ${id}.`);
  return record;
}

export async function createUser(ctx: ScimContext, body: unknown): Promise<UserRecord> {
  const { db, caller } = ctx;
  const uctx = await userContext(db, caller.tenantId, ctx.base);
  const fields = fieldsOf(resourceBody(body, CORE_USER), uctx);
  if (!fields.active) {
    throw badRequest("invalidValue", "A user is created active: create them, then set active to false.");
  }
  const email = checkedEmail(fields.email);
  await refuseTaken(ctx, { email, employeeId: fields.employeeId, userName: fields.userName }, null);
  const manager = await managerRef(ctx, fields.managerId, null);
  const person: PersonFields = { email, profile: profileOf(fields, Object.keys(fields.profile), false) };
  if (fields.employeeId) person.employeeId = fields.employeeId;
  for (const field of CORE_CHANGES) if (fields[field] !== null) person[field] = fields[field];
  if (manager) person.manager = manager;
  const { plan } = await planPerson(db, caller.tenantId, caller.hubId, person, personOptions(ctx));
  const actions = await applyPlan(ctx, plan.id);
  const invite = actions.find((a) => a.kind === "invite");
  const memberId = (invite?.payload as { memberId?: string } | null)?.memberId;
  if (!memberId) {
    throw new ScimError(409, "uniqueness", actions[0]?.reason ?? "This user could not be created.");
  }
  await saveUserName(
    db,
    { tenantId: caller.tenantId, memberId, userName: fields.userName, email, before: null },
    actorOf(ctx),
    ctx.now,
  );
  return readUser(ctx, memberId);
}

export function replaceUser(ctx: ScimContext, id: string, body: unknown, ifMatch: string | undefined) {
  const resource = resourceBody(body, CORE_USER);
  return updateUser(ctx, id, ifMatch, (current, uctx) =>
    replaceAttributes(current, resource, userSchemas(uctx.fields)),
  );
}

export function patchUser(ctx: ScimContext, id: string, body: unknown, ifMatch: string | undefined) {
  const operations = readPatchRequest(body);
  return updateUser(ctx, id, ifMatch, (current, uctx) =>
    applyPatch(current, operations, userSchemas(uctx.fields)),
  );
}

export async function deleteUser(ctx: ScimContext, id: string, ifMatch: string | undefined): Promise<void> {
  await withRetry(ifMatch, async () => {
    const record = await readUser(ctx, id);
    checkIfMatch(ifMatch, weakEtag(record.member.version));
    const plan = await planInstructions(
      ctx.db,
      ctx.caller.tenantId,
      hubFor(record, ctx),
      [instruction("delete_from_tenant", record.member, DELETE_REASON)],
      { createdBy: createdBy(ctx), now: ctx.now },
    );
    await applyPlan(ctx, plan.id);
  });
}

/** Reads the user, checks If-Match, works out the resource it should become, and makes it so. */
function updateUser(
  ctx: ScimContext,
  id: string,
  ifMatch: string | undefined,
  target: (current: Resource, uctx: UserContext) => Resource,
): Promise<UserRecord> {
  return withRetry(ifMatch, async () => {
    const uctx = await userContext(ctx.db, ctx.caller.tenantId, ctx.base);
    const record = await readUser(ctx, id);
    checkIfMatch(ifMatch, weakEtag(record.member.version));
    const current = renderUser(record, uctx);
    const next = target(current, uctx);
    const before = fieldsOf(current, uctx);
    return applyUserChange(ctx, record, before, fieldsOf(next, uctx, before.employeeId));
  });
}

/** The member changed between our read and the execution: retried once, or 412 when If-Match pinned it. */
async function withRetry<T>(ifMatch: string | undefined, attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof StaleChange)) throw error;
      if (ifMatch !== undefined)
        throw new ScimError(412, null, "The user changed after the version in If-Match.");
      if (tries >= 2) throw new ScimError(409, null, "The user kept changing while this request ran; retry.");
    }
  }
}

async function applyUserChange(ctx: ScimContext, record: UserRecord, before: UserFields, after: UserFields) {
  const changed = changedFields(before, after);
  if (changed.size === 0) return record;
  const member = record.member;
  const onlyUserName = changed.size === 1 && changed.has("userName");
  if (member.status === "archived" && !onlyUserName) {
    throw badRequest(
      "mutability",
      "An admin archived this member: no sync or identity provider changes them. Unarchive them on the platform first.",
    );
  }
  if (changed.has("employeeId") && member.employeeId) {
    throw badRequest(
      "mutability",
      `externalId is this member's HRIS employee id (${member.employeeId}), the key the HRIS matches them by: it is not changed or removed through SCIM.`,
    );
  }
  const email = changed.has("email") ? checkedEmail(after.email) : member.email;
  await refuseTaken(
    ctx,
    {
      email: changed.has("email") ? email : null,
      employeeId: changed.has("employeeId") ? after.employeeId : null,
      userName: changed.has("userName") ? after.userName : null,
    },
    member.id,
  );
  if (!onlyUserName) await planChange(ctx, record, after, changed, email);
  // A userName that was the email stays what it was when the email changes: it is the IdP's key.
  if (changed.has("userName") || (changed.has("email") && record.userName === null)) {
    await saveUserName(
      ctx.db,
      {
        tenantId: ctx.caller.tenantId,
        memberId: member.id,
        userName: after.userName,
        email,
        before: record.userName,
      },
      actorOf(ctx),
      ctx.now,
    );
  }
  return readUser(ctx, member.id);
}

async function planChange(
  ctx: ScimContext,
  record: UserRecord,
  after: UserFields,
  changed: ReturnType<typeof changedFields>,
  email: string,
): Promise<void> {
  const member = record.member;
  // Matched by employee id, the member can take a new email in the row; matched by email, the
  // row keeps the old one and the change is added to the plan (addEmailChange).
  const person: PersonFields = { email: member.employeeId ? email : member.email };
  const employeeId = after.employeeId ?? member.employeeId;
  if (employeeId) person.employeeId = employeeId;
  for (const field of CORE_CHANGES) if (changed.has(field)) person[field] = after[field];
  if (changed.has("managerId")) person.manager = (await managerRef(ctx, after.managerId, member.id)) ?? null;
  const status = employmentStatusFor(member, after.active, changed.has("active"));
  if (status !== undefined) person.employmentStatus = status;
  const profileKeys = [...changed]
    .filter((c) => c.startsWith("profile."))
    .map((c) => c.slice("profile.".length));
  if (profileKeys.length) person.profile = profileOf(after, profileKeys, true);
  const { plan } = await planPerson(
    ctx.db,
    ctx.caller.tenantId,
    hubFor(record, ctx),
    person,
    personOptions(ctx),
  );
  if (changed.has("email") && !member.employeeId)
    await addEmailChange(ctx.db, ctx.caller.tenantId, plan, member, email);
  const actions = await applyPlan(ctx, plan.id);
  const skipped = actions.find((a) => a.memberId === member.id && a.kind === "skip");
  if (skipped) throw badRequest("mutability", skipped.reason);
}

/**
 * The employment status the row carries. Changing `active` writes one the engine reads as employed
 * or not; an inactive member whose other fields change keeps a leaver's status, so that the update
 * does not read as "employed again" and reactivate them.
 */
function employmentStatusFor(member: MemberRow, active: boolean, activeChanged: boolean): string | undefined {
  if (activeChanged) return active ? "active" : leaverStatus(member.employmentStatus);
  if (!active && member.status === "inactive") return leaverStatus(member.employmentStatus);
  return undefined;
}

/** The member's own status word when it already says "leaver" (so it is not rewritten), else "inactive". */
function leaverStatus(current: string | null): string {
  if (!current) return "inactive";
  const record = { core: { employmentStatus: current } } as unknown as PersonRecord;
  return employmentOf(record, "0000-00-00").employed ? "inactive" : current;
}

/** Segment values for the row: a cleared one is written as blank, which the engine reads as "unset". */
function profileOf(
  fields: UserFields,
  keys: string[],
  withCleared: boolean,
): Record<string, string | string[]> {
  const profile: Record<string, string | string[]> = {};
  for (const key of keys) {
    const value = fields.profile[key] ?? null;
    if (value !== null) profile[key] = value;
    else if (withCleared) profile[key] = "";
  }
  return profile;
}

/** Updates run in the token's hub when the member is in it, else in one they are in: SCIM never moves people between hubs. */
function hubFor(record: UserRecord, ctx: ScimContext): string {
  if (record.hubs.some((h) => h.id === ctx.caller.hubId)) return ctx.caller.hubId;
  return record.hubs[0]?.id ?? ctx.caller.hubId;
}

/** manager.value is the manager's SCIM id (a member id); the engine resolves their employee id or email to the approver. */
async function managerRef(
  ctx: ScimContext,
  managerId: string | null,
  self: string | null,
): Promise<string | null> {
  if (managerId === null) return null;
  if (managerId === self) throw badRequest("invalidValue", "A user cannot be their own manager.");
  const manager = await getUserRecord(ctx.db, ctx.caller.tenantId, managerId);
  if (!manager) throw badRequest("invalidValue", `No user ${managerId} to be the manager.`);
  return manager.member.employeeId ?? manager.member.email;
}

const KEY_NAMES = { email: "email", employeeId: "externalId (employee id)", userName: "userName" } as const;

/** 409 uniqueness when another member (a deleted one too: its keys stay taken) holds one of the keys. */
async function refuseTaken(
  ctx: ScimContext,
  keys: { email: string | null; employeeId: string | null; userName: string | null },
  self: string | null,
): Promise<void> {
  const holders = (await holdersOf(ctx.db, ctx.caller.tenantId, keys)).filter((h) => h.member.id !== self);
  const holder = holders[0];
  if (!holder) return;
  const deleted =
    holder.member.status === "deleted"
      ? ` It belongs to a user deleted on ${holder.member.deletedAt?.slice(0, 10)}; an admin can restore them (POST /v1/members/${holder.member.id}/restore) within 30 days.`
      : "";
  throw new ScimError(409, "uniqueness", `Another user already has this ${KEY_NAMES[holder.key]}.${deleted}`);
}

function personOptions(ctx: ScimContext) {
  return {
    source: "api" as const,
    createdBy: createdBy(ctx),
    now: ctx.now,
    at: SEGMENTS_USER,
    subject: "request",
    creatable: new Set(Object.values(ENTERPRISE_SEGMENTS)),
  };
}

function createdBy(ctx: ScimContext): string {
  return `scim:${ctx.caller.tokenId}`;
}

function actorOf(ctx: ScimContext) {
  return { type: "scim" as const, id: ctx.caller.tokenId };
}
