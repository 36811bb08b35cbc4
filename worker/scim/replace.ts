// PUT (RFC 7644 §3.5.1) as this service reads it: every attribute the body carries replaces the
// resource's; an attribute it leaves out is "not asserted" and kept (the RFC allows this, and it
// spares what an identity provider does not map: an HRIS job title Okta never sends). Send null
// to clear. Read-only attributes in the body (id, meta, groups) are ignored. Pure.
import { badRequest } from "./errors.ts";
import { isObject, keyOf, type Resource } from "./evaluate.ts";
import { findAttribute, findSchema, type ResourceSchemas } from "./schemas.ts";

export function replaceAttributes(current: Resource, body: Resource, schemas: ResourceSchemas): Resource {
  const next = structuredClone(current);
  for (const [key, value] of Object.entries(body)) {
    const extension = /^urn:/i.test(key) ? findSchema(schemas, key) : undefined;
    if (extension && extension !== schemas.core) {
      replaceExtension(next, extension.id, value, schemas);
      continue;
    }
    const def = findAttribute(schemas.core.attributes, key);
    if (!def || def.mutability === "readOnly") continue; // not kept here, or not the client's to set
    set(next, def.name, value);
  }
  return next;
}

function replaceExtension(next: Resource, urn: string, value: unknown, schemas: ResourceSchemas): void {
  if (value === null) {
    delete next[urn];
    return;
  }
  if (!isObject(value)) throw badRequest("invalidValue", `"${urn}" is an object of attributes.`);
  const schema = findSchema(schemas, urn);
  const holder = isObject(next[urn]) ? (next[urn] as Resource) : {};
  for (const [key, inner] of Object.entries(value)) {
    const def = findAttribute(schema?.attributes, key);
    if (!def) {
      if (schema?.closed) throw badRequest("invalidValue", `"${key}" is not an attribute of ${urn}.`);
      continue;
    }
    if (def.mutability !== "readOnly") set(holder, def.name, inner);
  }
  next[urn] = holder;
}

function set(holder: Resource, name: string, value: unknown): void {
  const existing = keyOf(holder, name);
  if (existing !== undefined) delete holder[existing];
  if (value !== null && value !== undefined) holder[name] = value;
}
