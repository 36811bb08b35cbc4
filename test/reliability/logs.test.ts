// Privacy in logs: everything the worker prints (stdout and stderr of wrangler dev, at the level that
// shows the worker's own console.log) during a full sync over HTTP — import, approve, execute, the
// invitation email, an acceptance — and during failing requests (a wrong key, an unreadable file,
// an unknown token, and a database error that quotes the row it refused) must name no person: no
// email address, no employee name, no API key, no invitation token.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../helpers/stack.ts";

const PEOPLE = [
  ["E101", "Ottilie", "Quastenberg", "Ottilie.Quastenberg@Northwind-HR.test", ""],
  ["E102", "Bartholomew", "Xiang-Oyelaran", "bartholomew.xiang@northwind-hr.test", "E101"],
  ["E103", "Zephyrine", "Mbeki-Larsson", "zephyrine.mbeki@northwind-hr.test", "E101"],
  ["E104", "Ignatius", "Vrbanović", "ignatius.vrbanovic@northwind-hr.test", "E102"],
  ["E105", "Philippa", "Okonkwo-Hale", "philippa.okonkwo@northwind-hr.test", "E102"],
] as const;
const EXPLODING = [
  "E106",
  "Leopold",
  "Ashgrove-Tanaka",
  "leopold.ashgrove@northwind-hr.test",
  "E101",
] as const;
const HEADER = "Employee ID,First Name,Last Name,Work Email,Manager ID,Department,Start Date,Status";

const csv = (people: readonly (readonly string[])[]) =>
  [HEADER, ...people.map((p) => [...p, "Research", "2020-01-15", "Active"].join(","))].join("\r\n");

let stack: Stack;
let log = "";
const secrets = new Set<string>();

beforeAll(async () => {
  // The worker's console.log is shown from level "log"; "warn" (the tests' default) hides it.
  process.env.WRANGLER_LOG = "log";
  stack = await startStack();
  const keep = (chunk: Buffer) => {
    log += chunk.toString();
  };
  stack.worker.process.stdout?.on("data", keep);
  stack.worker.process.stderr?.on("data", keep);
  secrets.add(stack.apiKey);
  for (const person of [...PEOPLE, EXPLODING]) {
    const [, first, last, email] = person;
    for (const value of [first, last, email, email.toLowerCase(), email.split("@")[0] ?? email])
      secrets.add(value);
  }
});

afterAll(async () => {
  await stack?.stop();
});

async function post(path: string, body?: unknown, headers: Record<string, string> = {}) {
  return stack.api(path, {
    method: "POST",
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe("the worker's logs during a full sync and failing requests", () => {
  it("name no person, key or token", async () => {
    const imported = await stack.api(`/v1/hubs/${stack.hubId}/imports?filename=northwind.csv`, {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: csv(PEOPLE),
    });
    expect(imported.status).toBe(201);
    const planId = ((await imported.json()) as { plan: { id: string } }).plan.id;
    expect((await stack.api(`/v1/plans/${planId}/actions`)).status).toBe(200);
    expect((await post(`/v1/plans/${planId}/approvals`, { all: true })).status).toBe(200);
    const executed = await post(`/v1/plans/${planId}/execute`);
    expect(((await executed.json()) as { progress: { done: number } }).progress.done).toBe(PEOPLE.length);

    // The invitation emails: their tokens are secrets too. One person accepts.
    const outbox = (await (await stack.api("/v1/outbox?limit=50")).json()) as {
      messages: { text: string }[];
    };
    const tokens = outbox.messages.map((m) => /token=([\w-]+)/.exec(m.text)?.[1]).filter(Boolean) as string[];
    expect(tokens).toHaveLength(PEOPLE.length);
    for (const token of tokens) secrets.add(token);
    const accepted = await fetch(`${stack.url}/invitations/accept`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: tokens[0] }),
    });
    expect(accepted.status).toBe(200);
    expect((await stack.api("/v1/members")).status).toBe(200);

    // Failing requests: a wrong key, an unreadable file, an unknown token…
    const wrongKey = `ps_${crypto.randomUUID().replaceAll("-", "")}`;
    secrets.add(wrongKey);
    const refused = await fetch(`${stack.url}/v1/hubs`, { headers: { authorization: `Bearer ${wrongKey}` } });
    expect(refused.status).toBe(401);
    const unreadable = await stack.api(`/v1/hubs/${stack.hubId}/imports`, {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: `"${HEADER}\r\n${EXPLODING.join(",")}`,
    });
    expect(unreadable.status).toBe(422);
    const unknownToken = `${tokens[0]?.slice(0, -4)}AAAA`;
    secrets.add(unknownToken);
    const notFound = await fetch(`${stack.url}/invitations/accept`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: unknownToken }),
    });
    expect(notFound.status).toBeGreaterThanOrEqual(400);

    // …and a database error whose message quotes the row it refused, as real ones can (RAISE takes
    // a literal only, so the trigger spells the row out).
    await stack.db.run(
      sql.raw(
        `CREATE TRIGGER refuse_row BEFORE INSERT ON plan_actions WHEN NEW.email = '${EXPLODING[3]}'
         BEGIN SELECT RAISE(ABORT, 'refused ${EXPLODING[3]}, ${EXPLODING[1]} ${EXPLODING[2]}'); END`,
      ),
    );
    const failed = await stack.api(`/v1/hubs/${stack.hubId}/imports`, {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: csv([...PEOPLE, EXPLODING]),
    });
    expect(failed.status).toBe(500);
    const problem = JSON.stringify(await failed.json());

    await stack.worker.stop(); // flushes everything it printed
    // The capture works: the failure and the requests are in it.
    expect(log).toContain("unhandled LibsqlBatchError");
    expect(log).toContain(`POST /v1/plans/${planId}/execute 200`);
    for (const secret of secrets) {
      expect(log, `the log shows ${secret}`).not.toContain(secret);
      expect(problem).not.toContain(secret);
    }
    expect(log).not.toMatch(/[\w.+-]+@[\w-]+\.[\w.-]+/);
    // What it says instead: the error's kind and code, and the route.
    expect(log).toContain("unhandled LibsqlBatchError SQLITE_CONSTRAINT in POST /v1/hubs/:hubId/imports");
  }, 120_000);
});
