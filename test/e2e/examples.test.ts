// Each example export in examples/ goes through the real stack: uploaded as the file it is,
// auto-mapped with no correction, planned, approved, executed; re-importing it then plans nothing.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { ROOT } from "../../scripts/stack.ts";
import type { ImportResult } from "../../worker/contract/imports.ts";
import type { Mapping } from "../../worker/contract/mapping.ts";
import type { ActionPage, Plan } from "../../worker/contract/plans.ts";
import { createApiKey, createHub, createTenant } from "../../worker/store/tenants.ts";
import { type Stack, startStack } from "../helpers/stack.ts";

const EXAMPLES = ["bamboohr", "workday", "hibob", "google-workspace", "entra"];
const LEAVERS = ["Björn Lindqvist", "Lucas Martin"];
/** Samuel Osei starts on this day in every file that has start dates (Google's has none). */
const FUTURE_START = "2026-12-07";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

async function json<T>(response: Response): Promise<T> {
  expect(response.headers.get("content-type")).toContain("application/json");
  return (await response.json()) as T;
}

type Api = (path: string, init?: RequestInit) => Promise<Response>;

/** Each export is a company of its own: identity is tenant-wide, so they must not share a tenant. */
async function tenantFor(name: string): Promise<{ hubId: string; api: Api }> {
  const tenant = await createTenant(stack.db, `Acme (${name})`);
  const hub = await createHub(stack.db, tenant.id, "Mentoring");
  const { key } = await createApiKey(stack.db, tenant.id, "e2e", "admin");
  const api: Api = (path, init = {}) =>
    fetch(`${stack.url}${path}`, {
      ...init,
      headers: { ...(init.headers as object), authorization: `Bearer ${key}` },
    });
  return { hubId: hub.id, api };
}

async function upload(api: Api, hubId: string, name: string) {
  const body = readFileSync(join(ROOT, "examples", `${name}.csv`));
  const response = await api(`/v1/hubs/${hubId}/imports?filename=${name}.csv`, {
    method: "POST",
    headers: { "content-type": "text/csv" },
    body,
  });
  expect(response.status).toBe(201);
  return json<z.infer<typeof ImportResult>>(response);
}

describe.each(EXAMPLES)("examples/%s.csv", (name) => {
  let hubId: string;
  let api: Api;
  let first: z.infer<typeof ImportResult>;

  beforeAll(async () => {
    ({ hubId, api } = await tenantFor(name));
    first = await upload(api, hubId, name);
  });

  it("is auto-mapped onto the identity and name fields with no correction", async () => {
    const mapping = await json<z.infer<typeof Mapping>>(await api(`/v1/hubs/${hubId}/mapping`));
    const fields = mapping.columns.map((c) => c.field);
    expect(fields).toEqual(expect.arrayContaining(["email", "firstName", "lastName", "employmentStatus"]));
    expect(mapping.version).toBe(1);
  });

  it("plans every one of its 35 people: invites, the future starter, the two leavers skipped", async () => {
    expect(first.import.rowCount).toBe(35);
    expect(first.import.issues.filter((i) => i.level === "error")).toEqual([]);
    const { summary } = first.plan;
    expect(summary.error).toBeUndefined();
    expect(summary.skip).toBe(2);
    expect((summary.invite ?? 0) + (summary.scheduled ?? 0)).toBe(33);

    const page = await json<z.infer<typeof ActionPage>>(
      await api(`/v1/plans/${first.plan.id}/actions?limit=100`),
    );
    const skipped = page.actions.filter((a) => a.kind === "skip").map((a) => a.name);
    expect(skipped.sort()).toEqual(LEAVERS);
    const samuel = page.actions.find((a) => a.name === "Samuel Osei");
    const today = new Date().toISOString().slice(0, 10);
    const expected = name !== "google-workspace" && today < FUTURE_START ? "scheduled" : "invite";
    expect(samuel?.kind).toBe(expected);
  });

  it("executes the approved invites, then a re-import of the same file plans nothing to do", async () => {
    await api(`/v1/plans/${first.plan.id}/approvals`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ all: true }),
    });
    const executed = await json<z.infer<typeof Plan>>(
      await api(`/v1/plans/${first.plan.id}/execute`, { method: "POST" }),
    );
    expect(executed.progress).toMatchObject({ complete: true, failed: 0, stale: 0 });
    expect(executed.progress.done).toBe(first.plan.summary.invite);

    const again = await upload(api, hubId, name);
    const { invite, update, deactivate, reactivate } = again.plan.summary;
    expect({ invite, update, deactivate, reactivate }).toEqual({
      invite: undefined,
      update: undefined,
      deactivate: undefined,
      reactivate: undefined,
    });
  });
});
