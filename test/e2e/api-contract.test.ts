// Contract tests generated from the OpenAPI document: every operation it lists is called over the
// real stack and must (a) refuse a request without an API key, (b) refuse another tenant's key
// used with this tenant's ids, without leaking anything, (c) reject a bad JSON body naming the
// field at fault, (d) refuse a read-only key on writes. Routes are discovered from the document,
// so a route added later is covered without editing this file; path parameters are filled with
// real ids of the tenant that owns them (an unknown parameter name fails loudly here).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { createApp } from "../../worker/app.ts";
import type { Problem } from "../../worker/contract/common.ts";
import type { ImportResult } from "../../worker/contract/imports.ts";
import type { ActionPage } from "../../worker/contract/plans.ts";
import { createApiKey, createHub, createTenant } from "../../worker/store/tenants.ts";
import { type Stack, startStack } from "../helpers/stack.ts";

type Schema = Record<string, unknown> & {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  enum?: unknown[];
};
interface Operation {
  method: string;
  path: string;
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const METHODS = ["get", "post", "put", "patch", "delete"];
const UNKNOWN_FIELD = "zzUnknownField";

// The document the tests are generated from is built in-process at collection time (tests must
// exist before the stack starts); the first test checks the served one is the same.
const document = (await (await createApp().request("/openapi.json")).json()) as Document;
const operations = Object.entries(document.paths).flatMap(([path, item]) =>
  METHODS.filter((m) => item[m]).map((method) => ({ ...(item[method] as Operation), method, path })),
);
const isPublic = (op: Operation) => !op.path.startsWith("/v1/");
const jsonSchemaOf = (op: Operation) => op.requestBody?.content["application/json"]?.schema;
const pathParams = (op: Operation) => [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);

let stack: Stack;
let readKey: string;
let otherKey: string;
const ids: Record<string, string> = {};
/** Everything of tenant A that must never appear in an answer to tenant B. */
const secretsOfA: string[] = [];

beforeAll(async () => {
  stack = await startStack();
  const read = await createApiKey(stack.db, stack.tenantId, "contract-read", "read");
  readKey = read.key;
  const other = await createTenant(stack.db, "Other tenant");
  await createHub(stack.db, other.id, "Other hub");
  otherKey = (await createApiKey(stack.db, other.id, "other-admin", "admin")).key;

  const csv =
    "Employee ID,First Name,Email,Status\nC1,Cora,cora@contract.test,Active\nC2,Cid,cid@contract.test,Active";
  const imported = await stack.api(`/v1/hubs/${stack.hubId}/imports`, {
    method: "POST",
    headers: { "content-type": "text/csv" },
    body: csv,
  });
  const { plan } = (await imported.json()) as z.infer<typeof ImportResult>;
  await postJson(`/v1/plans/${plan.id}/approvals`, { all: true });
  await stack.api(`/v1/plans/${plan.id}/execute`, { method: "POST" });
  const actions = (await (await stack.api(`/v1/plans/${plan.id}/actions`)).json()) as z.infer<
    typeof ActionPage
  >;
  const webhook = await postJson("/v1/webhooks", {
    url: "https://hooks.example.com/contract",
    events: ["*"],
  });
  const field = await postJson("/v1/fields", { key: "contract-segment", label: "Contract", kind: "segment" });
  expect(webhook.status).toBe(201);
  expect(field.status).toBe(201);

  Object.assign(ids, {
    hubId: stack.hubId,
    planId: plan.id,
    actionId: actions.actions[0]?.id,
    memberId: actions.actions[0]?.memberId ?? (await firstMemberId()),
    keyId: read.id,
    webhookId: ((await webhook.json()) as { id: string }).id,
    fieldKey: "contract-segment",
  });
  secretsOfA.push(...Object.values(ids), "cora@contract.test", "cid@contract.test");
});

afterAll(async () => {
  await stack?.stop();
});

async function postJson(path: string, body: unknown) {
  return stack.api(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function firstMemberId(): Promise<string> {
  const page = (await (await stack.api("/v1/members?limit=1")).json()) as { members: { id: string }[] };
  return page.members[0]?.id as string;
}

/** The path with each parameter replaced by tenant A's id of that kind. */
function pathFor(op: Operation): string {
  return op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = ids[name];
    if (!value)
      throw new Error(`No id for {${name}} in ${op.path}: teach the contract test which id it takes.`);
    return encodeURIComponent(value);
  });
}

/** Query parameters that name tenant A's things, filled with A's ids (the wrong-tenant probe). */
function idQuery(op: Operation): string {
  const params = (op.parameters ?? []).filter((p) => p.in === "query" && ids[p.name]);
  return params.length
    ? `?${params.map((p) => `${p.name}=${encodeURIComponent(ids[p.name] as string)}`).join("&")}`
    : "";
}

function resolve(schema: Schema): Schema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.replace("#/components/schemas/", "");
  return resolve(document.components.schemas[name] as Schema);
}

/** A valid value for `schema`: its example when it documents one, else the smallest valid value. */
function sample(raw: Schema): unknown {
  const schema = resolve(raw);
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices) return sample(choices.find((s) => resolve(s).type !== "null") ?? (choices[0] as Schema));
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((s) => sample(s) as object));
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  switch (type) {
    case "object":
      return Object.fromEntries(
        (schema.required ?? []).map((k) => [k, sample(schema.properties?.[k] ?? {})]),
      );
    case "array":
      return Array.from({ length: Number(schema.minItems ?? 0) }, () => sample(schema.items ?? {}));
    case "integer":
    case "number":
      return Number(schema.minimum ?? 1);
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      if (schema.format === "email") return "someone@example.com";
      if (schema.format === "uri") return "https://example.com/x";
      if (schema.format === "date-time") return new Date().toISOString();
      return "x".repeat(Math.max(1, Number(schema.minLength ?? 1)));
  }
}

/** A value no schema of `schema`'s type accepts. */
function wrongValueFor(raw: Schema): unknown {
  const schema = resolve(raw);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  return type === "object" || type === "array" ? "not-a-structure" : { not: "a scalar" };
}

async function call(op: Operation, options: { key?: string; body?: unknown; path?: string } = {}) {
  const headers: Record<string, string> = {};
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  const schema = jsonSchemaOf(op);
  const body = options.body ?? (schema ? sample(schema) : undefined);
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${stack.url}${options.path ?? pathFor(op)}`, {
    method: op.method.toUpperCase(),
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: "manual",
  });
  const text = await response.text();
  return { status: response.status, type: response.headers.get("content-type") ?? "", text };
}

function expectProblem(result: { status: number; type: string; text: string }, status: number | number[]) {
  expect([status].flat()).toContain(result.status);
  expect(result.type).toContain("application/problem+json");
  const problem = JSON.parse(result.text) as z.infer<typeof Problem>;
  expect([status].flat()).toContain(problem.status);
  return problem;
}

/** Nothing of tenant A in the answer, beyond the ids the caller itself sent (a 404 may name them). */
function expectNoLeak(text: string, path: string) {
  for (const secret of secretsOfA) {
    if (path.includes(encodeURIComponent(secret))) continue;
    expect(text).not.toContain(secret);
  }
}

describe("the OpenAPI document", () => {
  it("served by the worker is the one these tests were generated from", async () => {
    const served = await (await fetch(`${stack.url}/openapi.json`)).json();
    expect(served).toEqual(document);
  });

  it("marks every /v1 operation as needing a bearer key; the public ones live outside /v1", () => {
    for (const op of operations) {
      if (isPublic(op)) expect(op.security ?? [], `${op.method} ${op.path}`).toEqual([]);
      else expect(op.security, `${op.method} ${op.path}`).toEqual([{ bearer: [] }]);
    }
    expect(operations.filter(isPublic).map((op) => op.path)).not.toContain("/v1/events");
  });
});

for (const op of operations) {
  const label = `${op.method.toUpperCase()} ${op.path}`;
  const schema = jsonSchemaOf(op);
  describe(label, () => {
    if (isPublic(op)) {
      it("is public by design: answers without a key, never 401", async () => {
        const result = await call(op);
        expect(result.status).not.toBe(401);
        if (result.status >= 400) expect(result.type).toContain("application/problem+json");
      });
    } else {
      it("(a) refuses a request without an API key: 401 problem", async () => {
        const problem = expectProblem(await call(op), 401);
        expect(problem.code).toBe("unauthorized");
      });

      if (pathParams(op).length > 0) {
        it("(b) refuses another tenant's key used with this tenant's ids: 404/403", async () => {
          const path = pathFor(op) + idQuery(op);
          const result = await call(op, { key: otherKey, path });
          expectProblem(result, [403, 404]);
          expectNoLeak(result.text, path);
        });
      } else if (op.method === "get") {
        it("(b) shows another tenant's key nothing of this tenant, even given its ids", async () => {
          const path = op.path + idQuery(op);
          const result = await call(op, { key: otherKey, path });
          expect([200, 403, 404]).toContain(result.status);
          expectNoLeak(result.text, path);
        });
      }

      if (op.method !== "get") {
        it("(d) refuses a read-only key: 403 problem", async () => {
          const problem = expectProblem(await call(op, { key: readKey }), 403);
          expect(problem.code).toBe("forbidden");
        });
      }
    }

    if (schema) {
      const key = isPublic(op) ? undefined : "admin";
      it("(c) rejects an unknown JSON field, naming it: 400 problem", async () => {
        const body = { ...(sample(schema) as object), [UNKNOWN_FIELD]: 1 };
        const problem = expectProblem(await call(op, { key: key && stack.apiKey, body }), 400);
        expect(JSON.stringify(problem.errors)).toContain(UNKNOWN_FIELD);
      });

      const required = resolve(schema).required?.[0];
      if (required) {
        it(`(c) rejects a wrong-typed required field (${required}), naming it: 400 problem`, async () => {
          const valid = sample(schema) as Record<string, unknown>;
          const property = resolve(schema).properties?.[required] ?? {};
          const body = { ...valid, [required]: wrongValueFor(property) };
          const problem = expectProblem(await call(op, { key: key && stack.apiKey, body }), 400);
          expect(problem.errors?.map((e) => e.field)).toContain(`json.${required}`);
        });
      }
    }
  });
}
