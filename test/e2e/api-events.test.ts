// HRIS push events over the real stack: the signature (valid, expired, tampered, replayed,
// rotated), and what each event type plans and auto-applies. Signatures here are made with
// node:crypto, independently of the worker's own signing code.
import { createHmac } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import type { Problem } from "../../worker/contract/common.ts";
import type { EventResult, EventSecret } from "../../worker/contract/events.ts";
import type { MemberPage } from "../../worker/contract/members.ts";
import type { SyncRunPage } from "../../worker/contract/sync-runs.ts";
import { createApiKey, createHub, createTenant } from "../../worker/store/tenants.ts";
import { type Stack, startStack } from "../helpers/stack.ts";

let stack: Stack;
let secret: string;
let counter = 0;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

type ProblemBody = z.infer<typeof Problem>;
type Result = z.infer<typeof EventResult>;

function sign(body: string, key: string, at = Date.now()): string {
  const t = Math.floor(at / 1000);
  return `t=${t},v1=${createHmac("sha256", key).update(`${t}.${body}`).digest("hex")}`;
}

function event(type: string, employee: Record<string, unknown>, id = `evt_${++counter}`) {
  return { id, type, occurredAt: new Date().toISOString(), hubId: stack.hubId, employee };
}

async function send<T = Result>(body: unknown, options: { signature?: string; key?: string } = {}) {
  const raw = JSON.stringify(body);
  const headers: Record<string, string> = { "content-type": "application/json" };
  const signature = options.signature ?? sign(raw, secret);
  if (signature) headers["x-signature"] = signature;
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  const response = await stack.api("/v1/events", { method: "POST", headers, body: raw });
  return { status: response.status, body: (await response.json()) as T };
}

async function rotate(keepPreviousForHours?: number) {
  const response = await stack.api("/v1/events/secret", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(keepPreviousForHours === undefined ? {} : { keepPreviousForHours }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as z.infer<typeof EventSecret>;
}

async function setAutoApply(kinds: string[]) {
  const response = await stack.api("/v1/settings", {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ autoApply: kinds }),
  });
  expect(response.status).toBe(200);
}

async function member(email: string) {
  const response = await stack.api(`/v1/members?q=${encodeURIComponent(email)}`);
  return ((await response.json()) as z.infer<typeof MemberPage>).members[0];
}

async function count(table: string): Promise<number> {
  const rows = await stack.db.all<{ n: number }>(sql.raw(`select count(*) as n from ${table}`));
  return Number(rows[0]?.n);
}

describe("event signatures", () => {
  it("refuses events until the tenant has a secret", async () => {
    const response = await send<ProblemBody>(event("employee.created", { email: "a@acme.test" }), {
      signature: sign("{}", "whsec_guess"),
    });
    expect(response.status).toBe(401);
    expect(response.body.code).toBe("invalid_signature");
    expect(response.body.detail).toMatch(/POST \/v1\/events\/secret/);
  });

  it("gives out a derived secret, shown once", async () => {
    const created = await rotate();
    expect(created.generation).toBe(1);
    expect(created.previousValidUntil).toBeNull();
    expect(created.secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    secret = created.secret;
    const stored = await stack.db.all<Record<string, unknown>>(sql`select * from event_secrets`);
    expect(JSON.stringify(stored)).not.toContain(secret.slice(6));
  });

  it("accepts a valid signature", async () => {
    const response = await send(event("employee.created", { email: "valid@acme.test", firstName: "Val" }));
    expect(response.status).toBe(200);
    expect(response.body.duplicate).toBe(false);
    expect(response.body.plan?.summary).toEqual({ invite: 1 });
  });

  it("refuses a missing or malformed signature", async () => {
    const missing = await send<ProblemBody>(event("employee.created", { email: "m@acme.test" }), {
      signature: "",
    });
    expect(missing.status).toBe(401);
    expect(missing.body.errors?.[0]).toEqual({ field: "header.x-signature", message: "missing" });
    const malformed = await send<ProblemBody>(event("employee.created", { email: "m@acme.test" }), {
      signature: "sha256=abc",
    });
    expect(malformed.status).toBe(401);
    expect(malformed.body.errors?.[0]?.message).toBe("malformed");
  });

  it("refuses a signature more than 5 minutes old or ahead", async () => {
    for (const skew of [-360_000, 360_000]) {
      const body = event("employee.created", { email: "late@acme.test" });
      const response = await send<ProblemBody>(body, {
        signature: sign(JSON.stringify(body), secret, Date.now() + skew),
      });
      expect(response.status).toBe(401);
      expect(response.body.errors?.[0]?.message).toBe("expired");
    }
    const body = event("employee.created", { email: "late@acme.test" });
    const inside = await send(body, { signature: sign(JSON.stringify(body), secret, Date.now() - 240_000) });
    expect(inside.status).toBe(200);
  });

  it("refuses a tampered body and a signature made with another secret", async () => {
    const body = event("employee.created", { email: "tamper@acme.test" });
    const signature = sign(JSON.stringify(body), secret);
    const tampered = { ...body, employee: { email: "attacker@evil.test" } };
    const response = await send<ProblemBody>(tampered, { signature });
    expect(response.status).toBe(401);
    expect(response.body.errors?.[0]?.message).toBe("mismatch");
    const other = await send<ProblemBody>(body, { signature: sign(JSON.stringify(body), "whsec_other") });
    expect(other.status).toBe(401);
    expect(await member("attacker@evil.test")).toBeUndefined();
  });

  it("answers a replayed event id with the first plan and runs nothing again", async () => {
    const body = event("employee.created", { email: "replay@acme.test" });
    const first = await send(body);
    const plans = await count("plans");
    const again = await send(body);
    const resigned = await send(body, { signature: sign(JSON.stringify(body), secret) });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, eventId: body.id });
    expect(again.body.plan?.id).toBe(first.body.plan?.id);
    expect(resigned.body.duplicate).toBe(true);
    expect(await count("plans")).toBe(plans);
  });

  it("rotates: the old secret stops (no grace) or keeps working for the grace period", async () => {
    const old = secret;
    const noGrace = await rotate(0);
    expect(noGrace.generation).toBe(2);
    const body = event("employee.created", { email: "rotate@acme.test" });
    expect((await send(body, { signature: sign(JSON.stringify(body), old) })).status).toBe(401);
    expect((await send(body, { signature: sign(JSON.stringify(body), noGrace.secret) })).status).toBe(200);

    const graced = await rotate(24);
    expect(graced.generation).toBe(3);
    expect(graced.previousValidUntil).toEqual(expect.any(String));
    const during = event("employee.created", { email: "rotate2@acme.test" });
    expect((await send(during, { signature: sign(JSON.stringify(during), noGrace.secret) })).status).toBe(
      200,
    );
    const withOld = event("employee.created", { email: "rotate3@acme.test" });
    expect((await send(withOld, { signature: sign(JSON.stringify(withOld), old) })).status).toBe(401);
    secret = graced.secret;
  });

  it("accepts several v1 signatures when one of them verifies (the sender rotating)", async () => {
    const body = event("employee.created", { email: "several@acme.test" });
    const raw = JSON.stringify(body);
    const t = Math.floor(Date.now() / 1000);
    const mac = (key: string) => createHmac("sha256", key).update(`${t}.${raw}`).digest("hex");
    const header = `t=${t},v1=${mac("whsec_stale")},v1=${mac(secret)}`;
    expect((await send(body, { signature: header })).status).toBe(200);
  });

  it("needs an admin key as well: the key names the tenant, whose own secret must sign", async () => {
    const { key } = await createApiKey(stack.db, stack.tenantId, "events-read", "read");
    const body = event("employee.created", { email: "readonly@acme.test" });
    expect((await send(body, { key })).status).toBe(403);

    const other = await createTenant(stack.db, "Other Co");
    const otherKey = (await createApiKey(stack.db, other.id, "other", "admin")).key;
    const otherHub = await createHub(stack.db, other.id, "Mentoring");
    const rotated = await stack.api("/v1/events/secret", {
      method: "POST",
      headers: { authorization: `Bearer ${otherKey}` },
    });
    const otherSecret = ((await rotated.json()) as z.infer<typeof EventSecret>).secret;
    expect(otherSecret).not.toBe(secret);
    const signedByUs = await send<ProblemBody>(body, { key: otherKey });
    expect(signedByUs.status).toBe(401);
    expect(signedByUs.body.errors?.[0]?.message).toBe("mismatch");
    const ourHub = await send<ProblemBody>(body, {
      key: otherKey,
      signature: sign(JSON.stringify(body), otherSecret),
    });
    expect(ourHub.status).toBe(404);
    const theirs = { ...body, hubId: otherHub.id };
    const ok = await send(theirs, { key: otherKey, signature: sign(JSON.stringify(theirs), otherSecret) });
    expect(ok.status).toBe(200);
    expect(await member("readonly@acme.test")).toBeUndefined();
  });
});

describe("what events do", () => {
  beforeAll(async () => {
    await setAutoApply(["update"]);
  });

  it("plans an invite for employee.created and leaves it for approval under the default policy", async () => {
    const response = await send(
      event("employee.created", {
        employeeId: "E100",
        email: "Nina@Acme.test",
        firstName: "Nina",
        lastName: "Simone",
        department: "Music",
      }),
    );
    expect(response.body.actions).toEqual([
      expect.objectContaining({ kind: "invite", approved: false, status: "pending" }),
    ]);
    expect(await member("nina@acme.test")).toBeUndefined();
  });

  it("auto-applies invites once the policy allows them", async () => {
    await setAutoApply(["invite", "update"]);
    const response = await send(
      event("employee.created", {
        employeeId: "E101",
        email: "otis@acme.test",
        firstName: "Otis",
        lastName: "Redding",
        department: "Soul",
        jobTitle: "Singer",
      }),
    );
    expect(response.body.actions).toEqual([
      expect.objectContaining({ kind: "invite", approved: true, status: "done" }),
    ]);
    expect(await member("otis@acme.test")).toMatchObject({
      status: "invited",
      department: "Soul",
      hubIds: [stack.hubId],
    });
  });

  it("updates only the fields an employee.updated event carries, found by employee id alone", async () => {
    const response = await send(event("employee.updated", { employeeId: "E101", jobTitle: "Lead Singer" }));
    expect(response.body.actions).toEqual([expect.objectContaining({ kind: "update", status: "done" })]);
    expect(await member("otis@acme.test")).toMatchObject({ jobTitle: "Lead Singer", department: "Soul" });
    const cleared = await send(event("employee.updated", { employeeId: "E101", department: null }));
    expect(cleared.body.actions[0]?.kind).toBe("update");
    expect((await member("otis@acme.test"))?.department).toBeNull();
  });

  it("logs an applied event in the sync log: its plan and its execution, with no running line left", async () => {
    const response = await send(event("employee.updated", { employeeId: "E101", jobTitle: "Frontman" }));
    const runs = await stack.api(`/v1/sync-runs?planId=${response.body.plan?.id}`);
    const page = (await runs.json()) as z.infer<typeof SyncRunPage>;
    expect(page.runs.map((r) => [r.trigger, r.status, r.counts]).reverse()).toEqual([
      ["event", "done", { update: 1 }],
      ["event", "done", { approved: 1, pending: 0, done: 1, failed: 0, stale: 0, skipped: 0 }],
    ]);
  });

  it("leaves the hub's mapping alone: an event brings its own and saves no mapping version", async () => {
    const before = await count("mappings");
    const response = await send(event("employee.updated", { employeeId: "E101", jobTitle: "Bandleader" }));
    expect(response.body.actions[0]?.status).toBe("done");
    expect(await count("mappings")).toBe(before);
  });

  it("writes segment values through the field's options", async () => {
    await stack.api("/v1/fields", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ key: "seniority", label: "Seniority", kind: "segment", options: ["Senior"] }),
    });
    const response = await send(
      event("employee.updated", { employeeId: "E101", profile: { seniority: "Senior" } }),
    );
    expect(response.body.actions[0]).toMatchObject({ kind: "update", status: "done" });
    expect((await member("otis@acme.test"))?.profile).toEqual({ seniority: "Senior" });
  });

  it("refuses an unknown segment and an unknown person without email, naming the field; the id stays usable", async () => {
    const unknown = event("employee.updated", { employeeId: "E101", profile: { shoeSize: "42" } });
    const refused = await send<ProblemBody>(unknown);
    expect(refused.status).toBe(422);
    expect(refused.body.errors?.[0]?.field).toBe("json.employee.profile.shoeSize");
    const retried = await send({ ...unknown, employee: { employeeId: "E101", jobTitle: "Legend" } });
    expect(retried.body.duplicate).toBe(false);

    const nobody = await send<ProblemBody>(event("employee.updated", { employeeId: "E999", jobTitle: "x" }));
    expect(nobody.status).toBe(422);
    expect(nobody.body.errors?.[0]?.field).toBe("json.employee.email");
  });

  it("plans a deactivation for employee.deactivated, applied only when the policy allows it", async () => {
    const pending = await send(event("employee.deactivated", { employeeId: "E101" }));
    expect(pending.body.actions).toEqual([expect.objectContaining({ kind: "deactivate", approved: false })]);
    expect((await member("otis@acme.test"))?.status).toBe("invited");

    await setAutoApply(["invite", "update", "deactivate"]);
    const applied = await send(event("employee.deactivated", { employeeId: "E101" }));
    expect(applied.body.actions).toEqual([expect.objectContaining({ kind: "deactivate", status: "done" })]);
    expect((await member("otis@acme.test"))?.status).toBe("inactive");
  });

  it("plans a deletion from the tenant for employee.deleted, even for someone already inactive", async () => {
    const response = await send(event("employee.deleted", { employeeId: "E101" }));
    expect(response.body.plan?.summary).toEqual({ delete_from_tenant: 1 });
    expect(response.body.actions).toEqual([
      expect.objectContaining({ kind: "delete_from_tenant", approved: false, status: "pending" }),
    ]);
    const approve = await stack.api(`/v1/plans/${response.body.plan?.id}/approvals`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ kinds: ["delete_from_tenant"] }),
    });
    expect(approve.status).toBe(200);
    await stack.api(`/v1/plans/${response.body.plan?.id}/execute`, { method: "POST" });
    expect((await member("otis@acme.test"))?.status).toBe("deleted");
  });

  it("turns the deactivation of an active member into a deletion for employee.deleted", async () => {
    await send(event("employee.created", { employeeId: "E102", email: "etta@acme.test", firstName: "Etta" }));
    expect((await member("etta@acme.test"))?.status).toBe("invited");
    const response = await send(event("employee.deleted", { email: "etta@acme.test" }));
    expect(response.body.plan?.summary).toEqual({ delete_from_tenant: 1 });
    expect(response.body.plan?.guard.deprovisions).toBe(1);
    expect(response.body.actions).toEqual([
      expect.objectContaining({ kind: "delete_from_tenant", approved: false, status: "pending" }),
    ]);
  });

  it("never deactivates anyone else: an event is a partial import", async () => {
    const before = await count("plan_actions where kind = 'deactivate'");
    const response = await send(event("employee.created", { email: "solo@acme.test" }));
    expect(Object.keys(response.body.plan?.summary ?? {})).toEqual(["invite"]);
    expect(await count("plan_actions where kind = 'deactivate'")).toBe(before);
  });

  it("refuses a hub of another tenant and unknown body fields", async () => {
    const other = await createTenant(stack.db, "Third Co");
    const hub = await createHub(stack.db, other.id, "Theirs");
    const foreign = await send<ProblemBody>({
      ...event("employee.created", { email: "x@acme.test" }),
      hubId: hub.id,
    });
    expect(foreign.status).toBe(404);
    const extra = await send<ProblemBody>({
      ...event("employee.created", { email: "x@acme.test" }),
      extra: 1,
    });
    expect(extra.status).toBe(400);
    expect(JSON.stringify(extra.body.errors)).toContain("extra");
  });
});
