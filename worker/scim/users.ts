// User resources ↔ members. A member renders as a SCIM User (core, Enterprise User, the tenant's
// segments extension); a User someone sends reads back as the fields a member has. Both directions
// go through the same `UserFields`, so a change is the difference between the fields of the
// resource as it is and as it is asked to be. Pure.
import { normaliseEmail } from "../engine/mapping.ts";
import type { UserRecord } from "./directory.ts";
import { badRequest } from "./errors.ts";
import { weakEtag } from "./etags.ts";
import { attributeOf, isObject, type Resource, toBoolean } from "./evaluate.ts";
import {
  CORE_USER,
  ENTERPRISE_SEGMENTS,
  ENTERPRISE_USER,
  SEGMENTS_USER,
  type TenantField,
} from "./schemas.ts";

export interface UserContext {
  /** The SCIM base URL: `https://…/scim/v2`. */
  base: string;
  fields: TenantField[];
}

/** What a User says about a member, in our fields. */
export interface UserFields {
  userName: string;
  email: string;
  employeeId: string | null;
  firstName: string | null;
  lastName: string | null;
  jobTitle: string | null;
  department: string | null;
  location: string | null;
  country: string | null;
  /** The manager's member id (their SCIM id). */
  managerId: string | null;
  active: boolean;
  /** Segment and role values by key; null when unset. Keys: the tenant's fields and the enterprise segments. */
  profile: Record<string, string | string[] | null>;
}

export const ACTIVE_STATUSES: ReadonlySet<string> = new Set(["active", "invited"]);

const ENTERPRISE_KEYS: ReadonlySet<string> = new Set(Object.values(ENTERPRISE_SEGMENTS));

/**
 * The tenant fields the segments extension shows: all but those the Enterprise User extension
 * already carries (costCenter, organization, division), so each value has one attribute.
 */
export function scimFields(fields: TenantField[]): TenantField[] {
  return fields.filter((f) => !ENTERPRISE_KEYS.has(f.key));
}

export function renderUser(record: UserRecord, ctx: UserContext): Resource {
  const m = record.member;
  const formatted = [m.firstName, m.lastName].filter(Boolean).join(" ");
  const location = `${ctx.base}/Users/${m.id}`;
  const enterprise = compact({
    employeeNumber: m.employeeId,
    department: m.department,
    ...Object.fromEntries(Object.entries(ENTERPRISE_SEGMENTS).map(([a, key]) => [a, single(m.profile[key])])),
    manager: record.manager
      ? {
          value: record.manager.id,
          $ref: `${ctx.base}/Users/${record.manager.id}`,
          displayName: record.manager.name,
        }
      : null,
  });
  const segments = compact(Object.fromEntries(ctx.fields.map((f) => [f.key, m.profile[f.key] ?? null])));
  const address = compact({ type: "work", locality: m.location, country: m.country });
  return compact({
    schemas: [CORE_USER, ENTERPRISE_USER, ...(ctx.fields.length ? [SEGMENTS_USER] : [])],
    id: m.id,
    externalId: m.employeeId,
    userName: record.userName ?? m.email,
    name: compact({ formatted: formatted || null, givenName: m.firstName, familyName: m.lastName }),
    displayName: formatted || m.email,
    title: m.jobTitle,
    active: ACTIVE_STATUSES.has(m.status),
    emails: [{ value: m.email, type: "work", primary: true }],
    addresses: m.location || m.country ? [address] : null,
    groups: record.hubs.map((h) => ({ value: h.id, $ref: `${ctx.base}/Groups/${h.id}`, display: h.name })),
    [ENTERPRISE_USER]: Object.keys(enterprise).length ? enterprise : null,
    [SEGMENTS_USER]: Object.keys(segments).length ? segments : null,
    meta: {
      resourceType: "User",
      created: m.createdAt,
      lastModified: m.updatedAt,
      location,
      version: weakEtag(m.version),
    },
  });
}

function single(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

/** The object without its null, undefined and empty-list members: SCIM omits unassigned attributes. */
function compact(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(object).filter(
      ([, v]) => v !== null && v !== undefined && v !== "" && !(Array.isArray(v) && v.length === 0),
    ),
  );
}

/**
 * The fields a User (as sent, or patched) asks for; throws invalidValue naming what is wrong.
 * `previous` is the employee id the resource had before the change, when it is a change.
 */
export function fieldsOf(resource: Resource, ctx: UserContext, previous?: string | null): UserFields {
  const enterprise = objectAt(resource, ENTERPRISE_USER);
  const segments = objectAt(resource, SEGMENTS_USER);
  const userName = text(attributeOf(resource, "userName"), "userName");
  if (!userName) throw badRequest("invalidValue", "userName is required.");
  const externalId = text(attributeOf(resource, "externalId"), "externalId");
  const employeeNumber = text(attributeOf(enterprise, "employeeNumber"), `${ENTERPRISE_USER}:employeeNumber`);
  const name = objectAt(resource, "name");
  const address = workValue(attributeOf(resource, "addresses"), "addresses");
  const profile: UserFields["profile"] = {};
  for (const [attribute, key] of Object.entries(ENTERPRISE_SEGMENTS)) {
    profile[key] = text(attributeOf(enterprise, attribute), `${ENTERPRISE_USER}:${attribute}`);
  }
  for (const field of ctx.fields) profile[field.key] = segmentValue(attributeOf(segments, field.key), field);
  return {
    userName,
    email: emailOf(resource, userName),
    employeeId: employeeIdOf(externalId, employeeNumber, previous),
    firstName: text(attributeOf(name, "givenName"), "name.givenName"),
    lastName: text(attributeOf(name, "familyName"), "name.familyName"),
    jobTitle: text(attributeOf(resource, "title"), "title"),
    department: text(attributeOf(enterprise, "department"), `${ENTERPRISE_USER}:department`),
    location: text(attributeOf(address, "locality"), "addresses.locality"),
    country: text(attributeOf(address, "country"), "addresses.country"),
    managerId: managerOf(attributeOf(enterprise, "manager")),
    active: activeOf(attributeOf(resource, "active")),
    profile,
  };
}

/**
 * externalId and employeeNumber are two names of the employee id. In a change, the one that moved
 * wins (the other still shows the old value); sent together, or both moved, they must agree.
 */
function employeeIdOf(externalId: string | null, employeeNumber: string | null, previous?: string | null) {
  if (previous !== undefined) {
    if (employeeNumber === previous) return externalId;
    if (externalId === previous) return employeeNumber;
  }
  if (externalId && employeeNumber && externalId !== employeeNumber) {
    throw badRequest(
      "invalidValue",
      `externalId ("${externalId}") and employeeNumber ("${employeeNumber}") both name the member's HRIS employee id, and they differ: send one, or the same value in both.`,
    );
  }
  return externalId ?? employeeNumber;
}

function objectAt(resource: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = attributeOf(resource, key);
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw badRequest("invalidValue", `"${key}" is an object of attributes.`);
  return value;
}

/** A string attribute: numbers are read as their digits; blank is unset. */
function text(value: unknown, attribute: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "number") return String(value);
  if (typeof value !== "string") throw badRequest("invalidValue", `"${attribute}" is a string.`);
  return value.trim() || null;
}

function activeOf(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  const active = toBoolean(value);
  if (active === undefined)
    throw badRequest("invalidValue", `"active" is true or false, not ${JSON.stringify(value)}.`);
  return active;
}

/** The value of a multi-valued complex attribute that counts: the primary, else the work one, else the first. */
function workValue(value: unknown, attribute: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  const list = Array.isArray(value) ? value : [value];
  if (!list.every(isObject)) throw badRequest("invalidValue", `"${attribute}" is a list of objects.`);
  const primary = list.find((v) => toBoolean(attributeOf(v, "primary")) === true);
  const work = list.find((v) => String(attributeOf(v, "type") ?? "").toLowerCase() === "work");
  return primary ?? work ?? list[0] ?? {};
}

function emailOf(resource: Resource, userName: string): string {
  const email = text(
    attributeOf(workValue(attributeOf(resource, "emails"), "emails"), "value"),
    "emails.value",
  );
  if (email) return email;
  if (userName.includes("@")) return userName;
  throw badRequest(
    "invalidValue",
    'A user needs an email: send emails (type "work"), or a userName that is an email address.',
  );
}

function managerOf(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return value.trim() || null;
  if (isObject(value)) return text(attributeOf(value, "value"), `${ENTERPRISE_USER}:manager.value`);
  throw badRequest(
    "invalidValue",
    `"${ENTERPRISE_USER}:manager" is an object with a "value" (the manager's id).`,
  );
}

function segmentValue(value: unknown, field: TenantField): string | string[] | null {
  if (value === undefined || value === null) return null;
  const at = `${SEGMENTS_USER}:${field.key}`;
  if (field.kind === "role") {
    const list = (Array.isArray(value) ? value : [value]).map((v) => text(v, at)).filter((v) => v !== null);
    return list.length ? list : null;
  }
  if (Array.isArray(value)) throw badRequest("invalidValue", `"${at}" is a segment: it holds one value.`);
  return text(value, at);
}

/** Which fields differ between two readings (email and userName compared as identities are). */
export function changedFields(
  before: UserFields,
  after: UserFields,
): Set<keyof UserFields | `profile.${string}`> {
  const changed = new Set<keyof UserFields | `profile.${string}`>();
  const plain = [
    "employeeId",
    "firstName",
    "lastName",
    "jobTitle",
    "department",
    "location",
    "country",
    "managerId",
    "active",
  ] as const;
  for (const key of plain) if (before[key] !== after[key]) changed.add(key);
  if (normaliseEmail(before.email) !== normaliseEmail(after.email)) changed.add("email");
  if (before.userName !== after.userName) changed.add("userName");
  for (const key of new Set([...Object.keys(before.profile), ...Object.keys(after.profile)])) {
    if (JSON.stringify(before.profile[key] ?? null) !== JSON.stringify(after.profile[key] ?? null)) {
      changed.add(`profile.${key}`);
    }
  }
  return changed;
}
