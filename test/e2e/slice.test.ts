// The first vertical slice over the real stack: sqld + the worker under workerd, driven over HTTP.
// CSV in → stored plan of invites → approve → execute → statuses readable, exactly once.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import type { Problem } from "../../worker/contract/common.ts";
import type { ImportResult } from "../../worker/contract/imports.ts";
import type { ActionPage, ApprovalResult, Plan } from "../../worker/contract/plans.ts";
import { type Stack, startStack } from "../helpers/stack.ts";

/** Response bodies typed by the API contract itself. */
async function read<S extends z.ZodType>(response: Response, _schema?: S): Promise<z.infer<S>> {
  return (await response.json()) as z.infer<S>;
}
type ProblemBody = z.infer<typeof Problem>;

const CSV = [
  "Employee #,First Name,Last Name,Work Email,Hire Date,Employment Status",
  "E1,Ada,Lovelace, Ada.Lovelace@Acme.test ,2020-01-15,Active",
  "E2,Grace,Hopper,grace@acme.test,2021-03-01,Active",
  "E3,Future,Starter,future@acme.test,2099-01-01,Active",
  "E4,No,Email,,2020-01-01,Active",
].join("\r\n");

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

async function importCsv(body: string) {
  const response = await stack.api(`/v1/hubs/${stack.hubId}/imports?filename=hris.csv`, {
    method: "POST",
    headers: { "content-type": "text/csv" },
    body,
  });
  return { response, json: await read<typeof ImportResult>(response) };
}

async function count(table: string): Promise<number> {
  const rows = await stack.db.all<{ n: number }>(sql.raw(`select count(*) as n from ${table}`));
  return Number(rows[0]?.n);
}

describe("health and documents", () => {
  it("reports the database as reachable", async () => {
    const response = await fetch(`${stack.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", database: "ok" });
  });

  it("serves an OpenAPI 3.1 document describing the slice, and a docs page", async () => {
    const doc = (await (await fetch(`${stack.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: object;
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/v1/hubs/{hubId}/imports",
        "/v1/plans/{planId}",
        "/v1/plans/{planId}/actions",
        "/v1/plans/{planId}/approvals",
        "/v1/plans/{planId}/execute",
      ]),
    );
    const docs = await fetch(`${stack.url}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain("/openapi.json");
  });
});

describe("auth and errors", () => {
  it("refuses a request without a key with a problem+json 401", async () => {
    const response = await fetch(`${stack.url}/v1/hubs`);
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    expect(await read<typeof Problem>(response)).toMatchObject({ status: 401, code: "unauthorized" });
  });

  it("refuses an unknown key", async () => {
    const response = await fetch(`${stack.url}/v1/hubs`, { headers: { authorization: "Bearer ps_nope" } });
    expect(response.status).toBe(401);
  });

  it("answers an unknown hub with 404 and an unreadable file with 422", async () => {
    const missing = await stack.api("/v1/hubs/nope/imports", {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: CSV,
    });
    expect(missing.status).toBe(404);
    const empty = await importCsv("");
    expect(empty.response.status).toBe(422);
    expect((empty.json as unknown as ProblemBody).code).toBe("unreadable_file");
  });

  it("rejects a JSON body with unknown fields, naming the field", async () => {
    const response = await stack.api(`/v1/hubs/${stack.hubId}/imports`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ columns: ["Email"], rows: [], surprise: 1 }),
    });
    expect(response.status).toBe(400);
    const problem = await read<typeof Problem>(response);
    expect(problem.code).toBe("invalid_request");
    expect(JSON.stringify(problem.errors)).toContain("surprise");
  });
});

describe("import → plan → approve → execute", () => {
  let planId: string;

  it("plans invites for present starters, a scheduled future starter and a row error", async () => {
    const { response, json } = await importCsv(CSV);
    expect(response.status).toBe(201);
    planId = json.plan.id;
    expect(json.import.rowCount).toBe(4);
    expect(json.plan.summary).toEqual({ invite: 2, scheduled: 1, error: 1 });
    expect(json.plan.status).toBe("ready");

    const page = await read<typeof ActionPage>(await stack.api(`/v1/plans/${planId}/actions`));
    const byKind = Object.groupBy(page.actions, (a) => a.kind);
    expect(byKind.invite?.map((a) => a.email)).toEqual(["ada.lovelace@acme.test", "grace@acme.test"]);
    expect(byKind.error?.[0]).toMatchObject({ row: 5 });
    expect(byKind.error?.[0]?.reason).toMatch(/email/i);
  });

  it("pages actions with a stable cursor", async () => {
    const first = await read<typeof ActionPage>(await stack.api(`/v1/plans/${planId}/actions?limit=3`));
    expect(first.actions).toHaveLength(3);
    expect(first.nextCursor).toBeTypeOf("string");
    const second = await read<typeof ActionPage>(
      await stack.api(`/v1/plans/${planId}/actions?limit=3&cursor=${first.nextCursor}`),
    );
    expect(second.actions).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
  });

  it("approves by kind, executes, and reports each action's status", async () => {
    const approval = await stack.api(`/v1/plans/${planId}/approvals`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ kinds: ["invite"] }),
    });
    expect(await read<typeof ApprovalResult>(approval)).toEqual({ changed: 2 });

    const executed = await read<typeof Plan>(
      await stack.api(`/v1/plans/${planId}/execute`, { method: "POST" }),
    );
    expect(executed.progress).toMatchObject({ approved: 2, done: 2, pending: 0, complete: true });

    const done = await read<typeof ActionPage>(await stack.api(`/v1/plans/${planId}/actions?status=done`));
    expect(done.actions.map((a) => a.email).sort()).toEqual(["ada.lovelace@acme.test", "grace@acme.test"]);
  });

  it("executes each action exactly once, however often execute is called", async () => {
    await Promise.all([1, 2, 3].map(() => stack.api(`/v1/plans/${planId}/execute`, { method: "POST" })));
    expect(await count("members")).toBe(2);
    expect(await count("invitations")).toBe(2);
    expect(await count("outbox")).toBe(2);
    expect(await count("audit_log")).toBe(2);
    expect(await count("hub_memberships")).toBe(2);
  });

  it("plans nothing new when the same export comes again", async () => {
    const { json } = await importCsv(CSV);
    expect(json.plan.summary).toEqual({ scheduled: 1, error: 1 });
  });
});
