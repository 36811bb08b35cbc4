// Reads SCIM resources (plain JSON) through filter trees: which values an attribute path names,
// and whether a resource matches a filter. Attribute names match case-insensitively; string values
// compare case-insensitively unless the schema says caseExact (RFC 7643 §2.2). An attribute the
// schemas do not know simply has no values here. Pure; shared by list filters and PATCH paths.
import { type AttrPath, type CompareOp, type Filter, FilterSyntaxError, type Literal } from "./filter.ts";
import {
  type AttributeDef,
  findAttribute,
  findSchema,
  type ResourceSchemas,
  type SchemaDef,
} from "./schemas.ts";

export type Resource = Record<string, unknown>;

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The key of `object` that `name` names, ignoring case; undefined when there is none. */
export function keyOf(object: Record<string, unknown>, name: string): string | undefined {
  if (name in object) return name;
  const lower = name.toLowerCase();
  return Object.keys(object).find((k) => k.toLowerCase() === lower);
}

export function attributeOf(object: Record<string, unknown>, name: string): unknown {
  const key = keyOf(object, name);
  return key === undefined ? undefined : object[key];
}

/** Where a path's attribute lives: the object holding it (the resource or an extension's) and its definition. */
export interface Location {
  /** The extension's URN when the attribute lives in an extension object; null for the core schema. */
  extension: string | null;
  schema: SchemaDef | undefined;
  def: AttributeDef | undefined;
  /** The attribute's canonical name when known, else as written. */
  name: string;
}

export function locate(path: Pick<AttrPath, "urn" | "attr">, schemas: ResourceSchemas): Location {
  if (path.urn) {
    const schema = findSchema(schemas, path.urn);
    const def = findAttribute(schema?.attributes, path.attr);
    const extension = schema === schemas.core ? null : (schema?.id ?? path.urn);
    return { extension, schema, def, name: def?.name ?? path.attr };
  }
  const core = findAttribute(schemas.core.attributes, path.attr);
  if (core) return { extension: null, schema: schemas.core, def: core, name: core.name };
  for (const schema of schemas.extensions) {
    const def = findAttribute(schema.attributes, path.attr);
    if (def) return { extension: schema.id, schema, def, name: def.name };
  }
  return { extension: null, schema: undefined, def: undefined, name: path.attr };
}

/** The object an attribute at `location` is read from (or written to); undefined when absent. */
export function holderOf(resource: Resource, location: Location): Record<string, unknown> | undefined {
  if (location.extension === null) return resource;
  const holder = attributeOf(resource, location.extension);
  return isObject(holder) ? holder : undefined;
}

/** The schemas of one value of a complex attribute: its sub-attributes as a core schema. */
export function elementSchemas(def: AttributeDef | undefined): ResourceSchemas {
  return {
    core: { id: "", name: def?.name ?? "", description: "", attributes: def?.subAttributes ?? [] },
    extensions: [],
  };
}

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** The values a path names in a resource, flattened; a value filter keeps the matching ones. */
export function valuesAt(resource: Resource, path: AttrPath, schemas: ResourceSchemas): unknown[] {
  const location = locate(path, schemas);
  const holder = holderOf(resource, location);
  let values = asList(holder ? attributeOf(holder, path.attr) : undefined);
  const filter = path.filter;
  if (filter) {
    const inner = elementSchemas(location.def);
    values = values.filter((v) => isObject(v) && matches(filter, v, inner));
  }
  const sub = path.sub;
  if (sub === undefined) return values;
  return values.flatMap((v) => (isObject(v) ? asList(attributeOf(v, sub)) : []));
}

/** The definition that decides how a path's values compare: the sub-attribute's, when there is one. */
function comparedDef(path: AttrPath, schemas: ResourceSchemas): AttributeDef | undefined {
  const def = locate(path, schemas).def;
  if (path.sub) return findAttribute(def?.subAttributes, path.sub);
  if (def?.type === "complex") return findAttribute(def.subAttributes, "value");
  return def;
}

export function matches(filter: Filter, resource: Resource, schemas: ResourceSchemas): boolean {
  switch (filter.kind) {
    case "and":
      return matches(filter.left, resource, schemas) && matches(filter.right, resource, schemas);
    case "or":
      return matches(filter.left, resource, schemas) || matches(filter.right, resource, schemas);
    case "not":
      return !matches(filter.filter, resource, schemas);
    case "present":
      return valuesAt(resource, filter.path, schemas).some(isPresent);
    case "compare": {
      const values = valuesAt(resource, filter.path, schemas).map((v) =>
        isObject(v) ? attributeOf(v, "value") : v,
      );
      const caseExact = comparedDef(filter.path, schemas)?.caseExact ?? false;
      if (filter.value === null) {
        const present = values.some(isPresent);
        if (filter.op === "eq") return !present;
        if (filter.op === "ne") return present;
        throw new FilterSyntaxError(`"${filter.op} null" does not compare anything`);
      }
      if (filter.op === "ne") return !values.some((v) => compare("eq", v, filter.value, caseExact));
      return values.some((v) => compare(filter.op, v, filter.value, caseExact));
    }
  }
}

function isPresent(value: unknown): boolean {
  if (value === undefined || value === null || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.values(value).some(isPresent);
  return true;
}

/** Entra sends booleans as "True"/"False": both spellings are read as booleans. */
export function toBoolean(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value !== "string") return undefined;
  const lower = value.trim().toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  return undefined;
}

function compare(op: CompareOp, actual: unknown, expected: Literal, caseExact: boolean): boolean {
  if (actual === undefined || actual === null || isObject(actual) || Array.isArray(actual)) return false;
  if (typeof actual === "boolean" || typeof expected === "boolean") {
    if (op !== "eq" && op !== "ne") throw new FilterSyntaxError(`"${op}" does not apply to true or false`);
    const a = toBoolean(actual);
    const e = toBoolean(expected);
    return a !== undefined && e !== undefined && (op === "eq") === (a === e);
  }
  const fold = (v: unknown) => (caseExact ? String(v) : String(v).toLowerCase());
  if (op === "co") return fold(actual).includes(fold(expected));
  if (op === "sw") return fold(actual).startsWith(fold(expected));
  if (op === "ew") return fold(actual).endsWith(fold(expected));
  if (typeof actual === "number" && typeof expected === "number") return ordered(op, actual, expected);
  return ordered(op, fold(actual), fold(expected));
}

function ordered<T extends string | number>(op: Exclude<CompareOp, "co" | "sw" | "ew">, a: T, e: T): boolean {
  switch (op) {
    case "eq":
      return a === e;
    case "ne":
      return a !== e;
    case "gt":
      return a > e;
    case "ge":
      return a >= e;
    case "lt":
      return a < e;
    case "le":
      return a <= e;
  }
}
