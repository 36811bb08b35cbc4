// `attributes` and `excludedAttributes` (RFC 7644 §3.9): which attributes a response carries. `id`
// and `schemas` are always returned. Paths are attribute paths (`name.givenName`, `members`,
// `urn:…:enterprise:2.0:User:department`), matched case-insensitively. Pure.
import { badRequest } from "./errors.ts";
import { isObject, keyOf, locate, type Resource } from "./evaluate.ts";
import { type AttrPath, FilterSyntaxError, parsePath } from "./filter.ts";
import type { ResourceSchemas } from "./schemas.ts";

const ALWAYS = new Set(["id", "schemas"]);

export interface Projection {
  attributes?: string;
  excludedAttributes?: string;
}

function paths(list: string | undefined): AttrPath[] {
  if (!list?.trim()) return [];
  return list
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      try {
        return parsePath(p);
      } catch (error) {
        if (error instanceof FilterSyntaxError)
          throw badRequest("invalidValue", `The attribute "${p}" ${error.message}.`);
        throw error;
      }
    });
}

/** The attribute's place in a resource: [extension key or null, attribute key, sub-attribute]. */
function placeOf(path: AttrPath, schemas: ResourceSchemas): [string | null, string, string | undefined] {
  const location = locate(path, schemas);
  return [location.extension, location.name, path.sub];
}

export function project(resource: Resource, projection: Projection, schemas: ResourceSchemas): Resource {
  const included = paths(projection.attributes);
  const excluded = paths(projection.excludedAttributes);
  if (included.length) return includeOnly(resource, included, schemas);
  if (excluded.length) return exclude(resource, excluded, schemas);
  return resource;
}

function includeOnly(resource: Resource, included: AttrPath[], schemas: ResourceSchemas): Resource {
  const out: Resource = {};
  for (const key of Object.keys(resource)) if (ALWAYS.has(key)) out[key] = resource[key];
  for (const path of included) {
    const [extension, name, sub] = placeOf(path, schemas);
    const source = extension ? resource[extension] : resource;
    if (!isObject(source)) continue;
    const key = keyOf(source, name);
    if (key === undefined) continue;
    if (extension && !isObject(out[extension])) out[extension] = {};
    const target = (extension ? out[extension] : out) as Resource;
    target[key] = sub === undefined ? source[key] : pick(source[key], sub, target[key]);
  }
  return out;
}

/** Only `sub` of a complex value (or of each value of a multi-valued one), merged with what was picked. */
function pick(value: unknown, sub: string, already: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map((v, i) => pick(v, sub, Array.isArray(already) ? already[i] : undefined));
  }
  if (!isObject(value)) return already;
  const key = keyOf(value, sub);
  const base = isObject(already) ? already : {};
  return key === undefined ? base : { ...base, [key]: value[key] };
}

function exclude(resource: Resource, excluded: AttrPath[], schemas: ResourceSchemas): Resource {
  const out = structuredClone(resource);
  for (const path of excluded) {
    const [extension, name, sub] = placeOf(path, schemas);
    if (!extension && ALWAYS.has(name)) continue;
    const holder = extension ? out[extension] : out;
    if (!isObject(holder)) continue;
    const key = keyOf(holder, name);
    if (key === undefined) continue;
    if (sub === undefined) {
      delete holder[key];
      continue;
    }
    for (const item of Array.isArray(holder[key]) ? holder[key] : [holder[key]]) {
      if (!isObject(item)) continue;
      const subKey = keyOf(item, sub);
      if (subKey !== undefined) delete item[subKey];
    }
  }
  return out;
}
