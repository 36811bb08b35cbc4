// SCIM PATCH (RFC 7644 §3.5.2) over a resource as plain JSON: add, replace and remove, with or
// without a path, value filters (`emails[type eq "work"].value`, `members[value eq "…"]`) and
// URN-qualified extension paths. Pure: it returns the patched copy, and the caller turns that into
// a plan. Tolerant where identity providers are known to differ from the RFC: op names in any case
// (Entra's "Replace"), dotted and URN keys in a path-less value (`"name.givenName"`), a complex
// attribute given as its id (Entra's manager), a member removal given as a value list.
import { badRequest } from "./errors.ts";
import {
  attributeOf,
  elementSchemas,
  holderOf,
  isObject,
  keyOf,
  type Location,
  locate,
  matches,
  type Resource,
} from "./evaluate.ts";
import { type AttrPath, describe, type Filter, FilterSyntaxError, parsePath } from "./filter.ts";
import { type AttributeDef, findAttribute, findSchema, PATCH_OP, type ResourceSchemas } from "./schemas.ts";

export type PatchOp = "add" | "replace" | "remove";

export interface PatchOperation {
  op: PatchOp;
  path: string | null;
  value: unknown;
}

/** More operations than this in one request is refused (tooMany), like an over-large filter. */
export const MAX_OPERATIONS = 1000;

/** The operations of a PatchOp body, checked; throws invalidSyntax / invalidValue / noTarget / tooMany. */
export function readPatchRequest(body: unknown): PatchOperation[] {
  if (!isObject(body))
    throw badRequest("invalidSyntax", "A PATCH body is a JSON object (a PatchOp message).");
  const schemas = attributeOf(body, "schemas");
  if (schemas !== undefined && !(Array.isArray(schemas) && schemas.some((s) => sameText(s, PATCH_OP)))) {
    throw badRequest("invalidSyntax", `A PATCH body's "schemas" must list ${PATCH_OP}.`);
  }
  const operations = attributeOf(body, "Operations");
  if (!Array.isArray(operations) || operations.length === 0) {
    throw badRequest("invalidSyntax", 'A PATCH body needs "Operations": a list of add, replace or remove.');
  }
  if (operations.length > MAX_OPERATIONS) {
    throw badRequest("tooMany", `A PATCH may carry at most ${MAX_OPERATIONS} operations.`);
  }
  return operations.map((operation, i) => readOperation(operation, i));
}

function sameText(a: unknown, b: string): boolean {
  return typeof a === "string" && a.toLowerCase() === b.toLowerCase();
}

function readOperation(operation: unknown, i: number): PatchOperation {
  const at = `Operation ${i + 1}`;
  if (!isObject(operation)) throw badRequest("invalidSyntax", `${at} is not an object.`);
  const op = attributeOf(operation, "op");
  const lower = typeof op === "string" ? op.toLowerCase() : "";
  if (lower !== "add" && lower !== "replace" && lower !== "remove") {
    throw badRequest(
      "invalidSyntax",
      `${at}: "op" is add, replace or remove, not ${JSON.stringify(op ?? null)}.`,
    );
  }
  const path = attributeOf(operation, "path");
  if (path !== undefined && path !== null && typeof path !== "string") {
    throw badRequest("invalidPath", `${at}: "path" is a string.`);
  }
  const hasPath = typeof path === "string" && path.trim() !== "";
  const value = attributeOf(operation, "value");
  if (lower === "remove" && !hasPath) {
    throw badRequest("noTarget", `${at}: a remove needs a "path" saying what to remove.`);
  }
  if (lower !== "remove" && value === undefined) {
    throw badRequest("invalidValue", `${at}: an ${lower} needs a "value".`);
  }
  return { op: lower, path: hasPath ? (path as string).trim() : null, value };
}

/** Applies the operations in order to a copy of `resource`; any failing operation fails them all. */
export function applyPatch(
  resource: Resource,
  operations: PatchOperation[],
  schemas: ResourceSchemas,
): Resource {
  const doc = structuredClone(resource);
  for (const operation of operations) applyOperation(doc, operation, schemas);
  return doc;
}

function applyOperation(doc: Resource, operation: PatchOperation, schemas: ResourceSchemas): void {
  if (operation.path !== null) {
    applyAt(doc, pathOf(operation.path), operation.op, operation.value, schemas);
    return;
  }
  if (!isObject(operation.value)) {
    throw badRequest(
      "invalidValue",
      `An ${operation.op} without a path takes an object of attributes as its value.`,
    );
  }
  for (const [key, value] of Object.entries(operation.value)) {
    if (sameText(key, "schemas") || sameText(key, "meta")) continue;
    const extension = /^urn:/i.test(key) ? findSchema(schemas, key) : undefined;
    if (extension && isObject(value)) {
      for (const [inner, innerValue] of Object.entries(value)) {
        const path = pathOf(inner);
        applyAt(doc, { ...path, urn: extension.id }, operation.op, innerValue, schemas);
      }
      continue;
    }
    applyAt(doc, pathOf(key), operation.op, value, schemas);
  }
}

function pathOf(text: string): AttrPath {
  try {
    return parsePath(text);
  } catch (error) {
    if (error instanceof FilterSyntaxError)
      throw badRequest("invalidPath", `The path "${text}" ${error.message}.`);
    throw error;
  }
}

function applyAt(doc: Resource, path: AttrPath, op: PatchOp, value: unknown, schemas: ResourceSchemas): void {
  const location = locate(path, schemas);
  const def = location.def;
  if (!def) {
    if (location.schema?.closed) {
      throw badRequest("invalidPath", `"${describe(path)}" is not an attribute of ${location.schema.id}.`);
    }
    return; // an attribute this service does not keep: accepted and ignored
  }
  if (def.mutability === "readOnly") {
    refuseReadOnly(doc, location, op, value);
    return;
  }
  const holder = holderOf(doc, location) ?? (op === "remove" ? undefined : newExtension(doc, location));
  if (!holder) return;
  const key = canonicalKey(holder, def.name);
  if (path.filter) {
    applyFiltered(holder, key, def, path as AttrPath & { filter: Filter }, op, value);
    return;
  }
  if (path.sub !== undefined) {
    applySub(holder, key, def, path.sub, op, value);
    return;
  }
  applyWhole(holder, key, def, op, value);
}

/** A read-only attribute may be "set" to the value it has (Okta sends a Group's own id back). */
function refuseReadOnly(doc: Resource, location: Location, op: PatchOp, value: unknown): void {
  const current = holderOf(doc, location)?.[location.name];
  if (op !== "remove" && JSON.stringify(current) === JSON.stringify(value)) return;
  throw badRequest("mutability", `"${location.name}" is read-only.`);
}

function newExtension(doc: Resource, location: Location): Record<string, unknown> {
  const holder: Record<string, unknown> = {};
  doc[location.extension as string] = holder;
  return holder;
}

/** The attribute's key in `holder`, renamed to its canonical spelling when written in another case. */
function canonicalKey(holder: Record<string, unknown>, name: string): string {
  const existing = keyOf(holder, name);
  if (existing !== undefined && existing !== name) {
    holder[name] = holder[existing];
    delete holder[existing];
  }
  return name;
}

function applyWhole(
  holder: Record<string, unknown>,
  key: string,
  def: AttributeDef,
  op: PatchOp,
  value: unknown,
): void {
  if (op === "remove") {
    // Entra removes group members with a value list instead of a filter.
    if (def.multiValued && value !== undefined && value !== null) {
      removeListed(holder, key, def, value);
      return;
    }
    delete holder[key];
    return;
  }
  if (value === null || (def.type === "complex" && value === "")) {
    delete holder[key];
    return;
  }
  if (def.multiValued) {
    const given = (Array.isArray(value) ? value : [value]).map((v) => element(def, v));
    const kept = op === "add" ? listOf(holder[key]) : [];
    holder[key] = [...kept, ...given.filter((v) => !kept.some((k) => sameElement(def, k, v)))];
    return;
  }
  if (def.type === "complex") {
    const current = isObject(holder[key]) ? (holder[key] as Record<string, unknown>) : {};
    holder[key] = { ...current, ...subAttributes(def, element(def, value)) };
    return;
  }
  holder[key] = value;
}

function applySub(
  holder: Record<string, unknown>,
  key: string,
  def: AttributeDef,
  sub: string,
  op: PatchOp,
  value: unknown,
): void {
  const subDef = findAttribute(def.subAttributes, sub);
  if (!subDef || subDef.mutability === "readOnly") return; // not kept, or derived: ignored
  if (def.multiValued) {
    const list = listOf(holder[key]).filter(isObject);
    if (list.length === 0 && op !== "remove") {
      holder[key] = [{ [subDef.name]: value }];
      return;
    }
    for (const item of list) setSub(item, subDef.name, op, value);
    return;
  }
  const current = holder[key];
  if (!isObject(current)) {
    if (op === "remove" || value === null) return;
    holder[key] = { [subDef.name]: value };
    return;
  }
  setSub(current, subDef.name, op, value);
}

function setSub(item: Record<string, unknown>, name: string, op: PatchOp, value: unknown): void {
  const key = canonicalKey(item, name);
  if (op === "remove" || value === null) delete item[key];
  else item[key] = value;
}

function applyFiltered(
  holder: Record<string, unknown>,
  key: string,
  def: AttributeDef,
  path: AttrPath & { filter: Filter },
  op: PatchOp,
  value: unknown,
): void {
  if (!def.multiValued) {
    throw badRequest("invalidPath", `"${def.name}" has one value: a value filter cannot select among them.`);
  }
  const list = listOf(holder[key]);
  const inner = elementSchemas(def);
  const selected = list.map((item) => isObject(item) && filterMatches(path.filter, item, inner));
  const subDef = path.sub === undefined ? undefined : findAttribute(def.subAttributes, path.sub);
  if (path.sub !== undefined && (!subDef || subDef.mutability === "readOnly")) return;
  if (op === "remove") {
    if (subDef) {
      for (const [i, item] of list.entries())
        if (selected[i]) setSub(item as Record<string, unknown>, subDef.name, op, null);
    } else {
      holder[key] = list.filter((_, i) => !selected[i]);
    }
    if (listOf(holder[key]).length === 0) delete holder[key];
    return;
  }
  if (!selected.some(Boolean)) {
    // RFC 7644 §3.5.2.3: a replace whose filter matches none of the values that exist fails.
    if (op === "replace" && list.length > 0) {
      throw badRequest("noTarget", `No value of "${def.name}" matches ${describe(path)}.`);
    }
    const created = { ...equalities(path.filter) };
    if (subDef) created[subDef.name] = value;
    else Object.assign(created, subAttributes(def, element(def, value)));
    holder[key] = [...list, created];
    return;
  }
  list.forEach((item, i) => {
    if (!selected[i]) return;
    const target = item as Record<string, unknown>;
    if (subDef) setSub(target, subDef.name, op, value);
    else Object.assign(target, subAttributes(def, element(def, value)));
  });
}

function filterMatches(filter: Filter, item: Record<string, unknown>, schemas: ResourceSchemas): boolean {
  try {
    return matches(filter, item, schemas);
  } catch (error) {
    if (error instanceof FilterSyntaxError)
      throw badRequest("invalidPath", `The value filter ${error.message}.`);
    throw error;
  }
}

/** What a value filter's `a eq "x"` terms say a new value must hold: `{ type: "work" }`. */
function equalities(filter: Filter): Record<string, unknown> {
  if (filter.kind === "and") return { ...equalities(filter.left), ...equalities(filter.right) };
  if (filter.kind === "compare" && filter.op === "eq" && !filter.path.sub && !filter.path.urn) {
    return { [filter.path.attr]: filter.value };
  }
  return {};
}

function removeListed(holder: Record<string, unknown>, key: string, def: AttributeDef, value: unknown): void {
  const gone = (Array.isArray(value) ? value : [value]).map((v) => element(def, v));
  holder[key] = listOf(holder[key]).filter((item) => !gone.some((g) => sameElement(def, item, g)));
  if (listOf(holder[key]).length === 0) delete holder[key];
}

function listOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** One value of `def`: a complex attribute given as a bare id (`"value": "2819…"`) is `{ value }`. */
function element(def: AttributeDef, value: unknown): unknown {
  if (def.type !== "complex") return value;
  if (isObject(value)) return value;
  if (Array.isArray(value) && !def.multiValued) return element(def, value[0]);
  const hasValue = findAttribute(def.subAttributes, "value") !== undefined;
  if (hasValue && (typeof value === "string" || typeof value === "number")) return { value: String(value) };
  throw badRequest("invalidValue", `"${def.name}" takes an object of its sub-attributes.`);
}

/** A complex value with its sub-attribute names spelt canonically (`Value` → `value`). */
function subAttributes(def: AttributeDef, value: unknown): Record<string, unknown> {
  if (!isObject(value)) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[findAttribute(def.subAttributes, k)?.name ?? k] = v;
  return out;
}

/** Two values of a multi-valued attribute are the same when their `value`s are (else when equal). */
function sameElement(def: AttributeDef, a: unknown, b: unknown): boolean {
  if (def.type === "complex" && isObject(a) && isObject(b)) {
    const x = attributeOf(a, "value");
    const y = attributeOf(b, "value");
    if (x !== undefined || y !== undefined) {
      const exact = findAttribute(def.subAttributes, "value")?.caseExact ?? false;
      return exact ? String(x) === String(y) : String(x).toLowerCase() === String(y).toLowerCase();
    }
  }
  return JSON.stringify(a) === JSON.stringify(b);
}
