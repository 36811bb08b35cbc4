// A SCIM client for the end-to-end suites: a tenant's SCIM token made through the API, requests to
// /scim/v2 with it, and the recorded vendor payloads with their {{placeholders}} filled in.
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import type { Stack } from "../helpers/stack.ts";

export const SCIM_TYPE = "application/scim+json";

export interface ScimAnswer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export interface ScimError {
  schemas: string[];
  status: string;
  scimType?: string;
  detail: string;
}

export interface ListAnswer {
  schemas: string[];
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: Record<string, unknown>[];
}

/** Makes a SCIM token for `hubId` (the stack's hub by default) with the stack's admin key. */
export async function scimToken(stack: Stack, hubId = stack.hubId, name = "e2e IdP"): Promise<string> {
  const response = await stack.api("/v1/scim/tokens", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, hubId }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { token: string }).token;
}

export function scimClient(stack: Stack, token: string) {
  return async function scim<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ScimAnswer<T>> {
    const response = await fetch(`${stack.url}/scim/v2${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: SCIM_TYPE,
        ...(body === undefined ? {} : { "content-type": SCIM_TYPE }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: (text ? JSON.parse(text) : null) as T,
    };
  };
}

export type Scim = ReturnType<typeof scimClient>;

interface RecordedRequest {
  method: string;
  path: string;
  body?: unknown;
}

/** One request of a recorded fixture (test/scim/fixtures), with `{{name}}` replaced by `values[name]`. */
export function recorded(file: string, step: string, values: Record<string, string> = {}): RecordedRequest {
  const text = readFileSync(new URL(`./fixtures/${file}`, import.meta.url), "utf8");
  const request = (JSON.parse(text) as { requests: Record<string, RecordedRequest> }).requests[step];
  if (!request) throw new Error(`${file}: no request "${step}"`);
  return fill(request, (name) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${file} ${step}: no value for {{${name}}}`);
    return value;
  }) as RecordedRequest;
}

function fill(value: unknown, attributeOf: (name: string) => string): unknown {
  if (typeof value === "string")
    return value.replace(/\{\{(\w+)\}\}/g, (_, name: string) => attributeOf(name));
  if (Array.isArray(value)) return value.map((v) => fill(v, attributeOf));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, attributeOf)]));
  }
  return value;
}

export function expectScimError(answer: ScimAnswer<unknown>, status: number, scimType?: string): ScimError {
  expect(answer.status).toBe(status);
  expect(answer.headers.get("content-type")).toContain(SCIM_TYPE);
  const error = answer.body as ScimError;
  expect(error.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:Error"]);
  expect(error.status).toBe(String(status));
  if (scimType) expect(error.scimType).toBe(scimType);
  expect(error.detail.length).toBeGreaterThan(10);
  return error;
}
