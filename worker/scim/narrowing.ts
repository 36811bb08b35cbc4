// Which members a User filter can only be about, by identity key, so a list reads those rows and
// not the whole tenant: `userName eq "x"` (what Okta and Entra send before every create) reads one
// row. The rows read are a superset of the matches; evaluate.ts then decides exactly. Pure.
import type { Narrowing } from "./directory.ts";
import { locate } from "./evaluate.ts";
import type { AttrPath, Filter } from "./filter.ts";
import { CORE_USER, ENTERPRISE_USER, type ResourceSchemas } from "./schemas.ts";

/** The narrowing a filter allows; null when it may match members by anything else. */
export function narrowingOf(filter: Filter, schemas: ResourceSchemas): Narrowing | null {
  switch (filter.kind) {
    case "and":
      return narrowingOf(filter.left, schemas) ?? narrowingOf(filter.right, schemas);
    case "or": {
      const left = narrowingOf(filter.left, schemas);
      const right = narrowingOf(filter.right, schemas);
      return left && right ? union(left, right) : null;
    }
    case "compare": {
      if (filter.op !== "eq") return null;
      const value = typeof filter.value === "number" ? String(filter.value) : filter.value;
      if (typeof value !== "string") return null;
      const key = identityKey(filter.path, schemas);
      return key ? { [key]: [value] } : null;
    }
    default:
      return null;
  }
}

function identityKey(path: AttrPath, schemas: ResourceSchemas): keyof Narrowing | null {
  const location = locate(path, schemas);
  const schema = location.schema?.id;
  if (schema === CORE_USER && location.name === "emails") {
    return path.sub === undefined || path.sub.toLowerCase() === "value" ? "emails" : null;
  }
  if (path.filter || path.sub) return null;
  if (schema === CORE_USER && location.name === "userName") return "userNames";
  if (schema === CORE_USER && location.name === "externalId") return "employeeIds";
  if (schema === CORE_USER && location.name === "id") return "ids";
  if (schema === ENTERPRISE_USER && location.name === "employeeNumber") return "employeeIds";
  return null;
}

function union(a: Narrowing, b: Narrowing): Narrowing {
  const keys = ["ids", "employeeIds", "emails", "userNames"] as const;
  return Object.fromEntries(keys.map((k) => [k, [...(a[k] ?? []), ...(b[k] ?? [])]]));
}
