// The API's guards over the real stack: Idempotency-Key (replay, conflict, concurrency, expiry),
// the per-key rate limit, and body size limits.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import type { Problem } from "../../worker/contract/common.ts";
import type { ImportResult } from "../../worker/contract/imports.ts";
import { createApiKey, createTenant } from "../../worker/store/tenants.ts";
import { type Stack, startStack } from "../helpers/stack.ts";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

type ProblemBody = z.infer<typeof Problem>;

async function post(path: string, body: unknown, headers: Record<string, string> = {}, method = "POST") {
  const response = await stack.api(path, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: response.status,
    replayed: response.headers.get("idempotent-replayed"),
    retryAfter: response.headers.get("retry-after"),
    type: response.headers.get("content-type"),
    text: await response.text(),
  };
}

async function hubsNamed(name: string): Promise<number> {
  const rows = await stack.db.all<{ n: number }>(sql`select count(*) as n from hubs where name = ${name}`);
  return Number(rows[0]?.n);
}

describe("Idempotency-Key", () => {
  it("replays the first response to a retry, with the same status and body, and runs once", async () => {
    const key = { "idempotency-key": "create-hub-1" };
    const first = await post("/v1/hubs", { name: "Idempotent" }, key);
    const again = await post("/v1/hubs", { name: "Idempotent" }, key);
    expect(first.status).toBe(201);
    expect(first.replayed).toBeNull();
    expect(again).toMatchObject({
      status: 201,
      replayed: "true",
      text: first.text,
      type: "application/json",
    });
    expect(await hubsNamed("Idempotent")).toBe(1);
  });

  it("refuses the same key with another body or path: 409 idempotency_conflict", async () => {
    const key = { "idempotency-key": "create-hub-2" };
    expect((await post("/v1/hubs", { name: "First body" }, key)).status).toBe(201);
    const otherBody = await post("/v1/hubs", { name: "Second body" }, key);
    expect(otherBody.status).toBe(409);
    expect(otherBody.type).toContain("application/problem+json");
    expect((JSON.parse(otherBody.text) as ProblemBody).code).toBe("idempotency_conflict");
    const otherPath = await post("/v1/fields", { label: "First body", kind: "segment" }, key);
    expect((JSON.parse(otherPath.text) as ProblemBody).code).toBe("idempotency_conflict");
    expect(await hubsNamed("Second body")).toBe(0);
  });

  it("replays an error answer too (it was the answer), as problem+json", async () => {
    await post("/v1/hubs", { name: "Taken" });
    const key = { "idempotency-key": "dup-hub" };
    const first = await post("/v1/hubs", { name: "Taken" }, key);
    const again = await post("/v1/hubs", { name: "Taken" }, key);
    expect(first.status).toBe(409);
    expect(again).toMatchObject({ status: 409, replayed: "true", text: first.text });
    expect(again.type).toContain("application/problem+json");
  });

  it("lets only one of several concurrent first requests run; the others wait or replay", async () => {
    const key = { "idempotency-key": "concurrent-hub" };
    const results = await Promise.all(
      Array.from({ length: 6 }, () => post("/v1/hubs", { name: "Concurrent" }, key)),
    );
    expect(await hubsNamed("Concurrent")).toBe(1);
    const ran = results.filter((r) => r.status === 201 && r.replayed === null);
    expect(ran).toHaveLength(1);
    for (const r of results) {
      if (r.status === 201) expect(r.text).toBe(ran[0]?.text);
      else {
        expect(r.status).toBe(409);
        expect((JSON.parse(r.text) as ProblemBody).code).toBe("idempotency_in_progress");
        expect(r.retryAfter).toBe("1");
      }
    }
  });

  it("makes a retried import plan once", async () => {
    const key = { "idempotency-key": "import-1" };
    const csv = "Email,First Name\nidem@acme.test,Idem";
    const send = () =>
      stack.api(`/v1/hubs/${stack.hubId}/imports`, {
        method: "POST",
        headers: { "content-type": "text/csv", ...key },
        body: csv,
      });
    const first = (await (await send()).json()) as z.infer<typeof ImportResult>;
    const again = await send();
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(((await again.json()) as z.infer<typeof ImportResult>).plan.id).toBe(first.plan.id);
    const plans = await stack.db.all<{ n: number }>(sql`select count(*) as n from plans`);
    expect(Number(plans[0]?.n)).toBe(1);
  });

  it("replays a 204 without a body", async () => {
    const created = await post("/v1/webhooks", { url: "https://hooks.example.com/a", events: ["*"] });
    const { id } = JSON.parse(created.text) as { id: string };
    const key = { "idempotency-key": "delete-hook" };
    const first = await post(`/v1/webhooks/${id}`, undefined, key, "DELETE");
    const again = await post(`/v1/webhooks/${id}`, undefined, key, "DELETE");
    expect(first.status).toBe(204);
    expect(again).toMatchObject({ status: 204, replayed: "true", text: "" });
  });

  it("is scoped to the tenant: another tenant's same key runs its own request", async () => {
    const other = await createTenant(stack.db, "Other Co");
    const { key } = await createApiKey(stack.db, other.id, "other", "admin");
    const headers = { "idempotency-key": "create-hub-1", authorization: `Bearer ${key}` };
    const theirs = await post("/v1/hubs", { name: "Idempotent" }, headers);
    expect(theirs).toMatchObject({ status: 201, replayed: null });
    expect(await hubsNamed("Idempotent")).toBe(2);
  });

  it("forgets a response after 24 hours, and a marker abandoned by a dead request after 5 minutes", async () => {
    const key = { "idempotency-key": "old-key" };
    await post("/v1/hubs", { name: "Old" }, key);
    const dayAgo = new Date(Date.now() - 25 * 3_600_000).toISOString();
    await stack.db.run(sql`update idempotency_keys set created_at = ${dayAgo} where key = 'old-key'`);
    expect((await post("/v1/hubs", { name: "New" }, key)).status).toBe(201);

    // A first request still running: its marker (status 0) under the same request hash.
    const waitingBody = { name: "Waiting" };
    expect((await post("/v1/hubs", waitingBody, { "idempotency-key": "running" })).status).toBe(201);
    await stack.db.run(sql`update idempotency_keys set status = 0, body = '' where key = 'running'`);
    const waiting = await post("/v1/hubs", waitingBody, { "idempotency-key": "running" });
    expect(waiting.status).toBe(409);
    expect((JSON.parse(waiting.text) as ProblemBody).code).toBe("idempotency_in_progress");
    expect(waiting.retryAfter).toBe("1");
    // The same marker, left by a request that died 10 minutes ago: the retry runs.
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000).toISOString();
    await stack.db.run(sql`update idempotency_keys set created_at = ${tenMinutesAgo} where key = 'running'`);
    const takenOver = await post("/v1/hubs", waitingBody, { "idempotency-key": "running" });
    expect(takenOver.status).toBe(409);
    expect((JSON.parse(takenOver.text) as ProblemBody).code).toBe("conflict");
    expect(takenOver.replayed).toBeNull();
  });

  it("refuses a key that is not 1–255 visible characters, naming the header", async () => {
    const bad = await post("/v1/hubs", { name: "x" }, { "idempotency-key": "k".repeat(256) });
    expect(bad.status).toBe(400);
    expect((JSON.parse(bad.text) as ProblemBody).errors?.[0]?.field).toBe("header.idempotency-key");
  });

  it("leaves requests without a key alone, and never stores a refused key's request", async () => {
    const { key: readKey } = await createApiKey(stack.db, stack.tenantId, "reader", "read");
    const refused = await post(
      "/v1/hubs",
      { name: "Nope" },
      { "idempotency-key": "read-only", authorization: `Bearer ${readKey}` },
    );
    expect(refused.status).toBe(403);
    const rows = await stack.db.all<{ n: number }>(
      sql`select count(*) as n from idempotency_keys where key = 'read-only'`,
    );
    expect(Number(rows[0]?.n)).toBe(0);
  });
});

describe("body limits", () => {
  it("refuses a JSON body over 1 MB with 413, declared or streamed", async () => {
    const big = JSON.stringify({ name: "x".repeat(1_100_000) });
    const declared = await stack.api("/v1/hubs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: big,
    });
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as ProblemBody).code).toBe("payload_too_large");

    const bytes = new TextEncoder().encode(big);
    const streamed = await stack.api("/v1/hubs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 64 * 1024) controller.enqueue(bytes.slice(i, i + 64 * 1024));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });

  it("lets an import be larger than a JSON body", async () => {
    const place = "A place name long enough to make each row about a hundred bytes wide".padEnd(80, ".");
    const rows = Array.from({ length: 12_000 }, (_, i) => `big${i}@acme.test,Person ${i},${place}`);
    const csv = ["Email,First Name,Location", ...rows].join("\n");
    expect(csv.length).toBeGreaterThan(1024 * 1024);
    const response = await stack.api(`/v1/hubs/${stack.hubId}/imports`, {
      method: "POST",
      headers: { "content-type": "text/csv" },
      body: csv,
    });
    const text = await response.text();
    expect(response.status, text.slice(0, 500)).toBe(201);
  });

  it("refuses an import over the deployment's size or row ceiling with 413 and a way out, storing nothing", async () => {
    const worker = await stack.extraWorker({ IMPORT_MAX_ROWS: "50", IMPORT_MAX_MB: "0.05" });
    const { key } = await createApiKey(stack.db, stack.tenantId, "limits", "admin");
    const upload = (csv: string) =>
      fetch(`${worker.url}/v1/hubs/${stack.hubId}/imports`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "text/csv" },
        body: csv,
      });
    const imports = async () =>
      Number((await stack.db.all<{ n: number }>(sql`select count(*) as n from imports`))[0]?.n);
    const before = await imports();
    const csv = (rows: number, width = 10) =>
      [
        "Email,First Name",
        ...Array.from({ length: rows }, (_, i) => `cap${i}@acme.test,${"N".repeat(width)}`),
      ].join("\n");

    const tooMany = await upload(csv(51));
    expect(tooMany.status).toBe(413);
    const rows = (await tooMany.json()) as ProblemBody;
    expect(rows.code).toBe("payload_too_large");
    expect(rows.detail).toContain("more than 50 rows");
    expect(rows.detail).toContain("partial imports");

    // IMPORT_MAX_ROWS sets the JSON table's ceiling too.
    const table = {
      columns: ["Email", "First Name"],
      rows: Array.from({ length: 51 }, (_, i) => [`json${i}@acme.test`, "J"]),
    };
    const tooManyJson = await fetch(`${worker.url}/v1/hubs/${stack.hubId}/imports`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(table),
    });
    expect(tooManyJson.status).toBe(413);
    expect(((await tooManyJson.json()) as ProblemBody).detail).toContain("more than 50 rows");

    const tooBig = await upload(csv(40, 2_000));
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as ProblemBody).detail).toContain("at most 0.05 MB");
    expect(await imports()).toBe(before);

    expect((await upload(csv(50))).status).toBe(201);
  });
});

describe("rate limit", () => {
  it("answers 429 with Retry-After once a key has used its window, per key", async () => {
    const worker = await stack.extraWorker({ RATE_LIMIT_REQUESTS: "3", RATE_LIMIT_WINDOW_SECONDS: "3600" });
    const { key } = await createApiKey(stack.db, stack.tenantId, "limited", "admin");
    const get = (k: string) => fetch(`${worker.url}/v1/hubs`, { headers: { authorization: `Bearer ${k}` } });
    const allowed = [await get(key), await get(key), await get(key)];
    expect(allowed.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(allowed.map((r) => r.headers.get("ratelimit-remaining"))).toEqual(["2", "1", "0"]);
    const refused = await get(key);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toContain("application/problem+json");
    expect(((await refused.json()) as ProblemBody).code).toBe("rate_limited");
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    const { key: another } = await createApiKey(stack.db, stack.tenantId, "another", "admin");
    expect((await get(another)).status).toBe(200);
  });
});
