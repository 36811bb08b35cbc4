// The deprovisioning guard over the real stack: a truncated export must never wipe a company.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import type { Problem } from "../../worker/contract/common.ts";
import type { ImportResult } from "../../worker/contract/imports.ts";
import type { Plan } from "../../worker/contract/plans.ts";
import { type Stack, startStack } from "../helpers/stack.ts";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

function csv(people: number): string {
  const rows = Array.from(
    { length: people },
    (_, i) => `E${i + 1},Person,${i + 1},person${i + 1}@acme.test,Active`,
  );
  return ["Employee ID,First Name,Last Name,Email,Status", ...rows].join("\n");
}

async function post<T>(path: string, body?: unknown, contentType = "application/json") {
  const response = await stack.api(path, {
    method: "POST",
    headers: body === undefined ? {} : { "content-type": contentType },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

const importCsv = (body: string, partial = false) =>
  post<z.infer<typeof ImportResult>>(`/v1/hubs/${stack.hubId}/imports?partial=${partial}`, body, "text/csv");

describe("deprovisioning guard", () => {
  let blocked: z.infer<typeof ImportResult>["plan"];

  beforeAll(async () => {
    const { body } = await importCsv(csv(30));
    await post(`/v1/plans/${body.plan.id}/approvals`, { all: true });
    const executed = await post<z.infer<typeof Plan>>(`/v1/plans/${body.plan.id}/execute`);
    expect(executed.body.progress.done).toBe(30);
  });

  it("lets a partial export leave the absent alone", async () => {
    const { body } = await importCsv(csv(5), true);
    expect(body.plan.summary.deactivate).toBeUndefined();
    expect(body.plan.status).toBe("ready");
  });

  it("blocks a truncated full export that would deactivate 25 of 30", async () => {
    const { body } = await importCsv(csv(5));
    blocked = body.plan;
    expect(blocked.summary.deactivate).toBe(25);
    expect(blocked.status).toBe("blocked");
    expect(blocked.guard).toEqual({ deprovisions: 25, active: 30, limit: 10, blocked: true });
  });

  it("refuses to execute the blocked plan, saying why and what to do", async () => {
    await post(`/v1/plans/${blocked.id}/approvals`, { kinds: ["deactivate"] });
    const refused = await post<z.infer<typeof Problem>>(`/v1/plans/${blocked.id}/execute`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe("deprovisioning_guard");
    expect(refused.body.detail).toMatch(/25 members.*override/);
  });

  it("executes after an explicit override, recorded on that plan only", async () => {
    const overridden = await post<z.infer<typeof Plan>>(`/v1/plans/${blocked.id}/override`);
    expect(overridden.body.status).toBe("ready");
    expect(overridden.body.overriddenBy).toMatch(/^api_key:/);
    const executed = await post<z.infer<typeof Plan>>(`/v1/plans/${blocked.id}/execute`);
    expect(executed.body.progress).toMatchObject({ done: 25, complete: true });

    const next = await importCsv(csv(5).replace("Person,1,", "Person,One,"));
    expect(next.body.plan.overriddenBy).toBeNull();
  });
});
