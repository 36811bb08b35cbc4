// Invitations against a real (in-process) libSQL: accept once, expiry, re-send, revoke, template.
import { eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditLog, hubMemberships, invitations, members, outbox } from "../../../db/schema.ts";
import type { AppError } from "../../../worker/errors.ts";
import { sha256Hex } from "../../../worker/keys.ts";
import { DEFAULT_INVITE_TEMPLATE } from "../../../worker/mail/template.ts";
import { CLAIMED, changeOnce } from "../../../worker/store/audit.ts";
import {
  acceptInvitation,
  getInviteTemplate,
  invitationStatements,
  latestInvitation,
  resendInvitation,
  revokeInvitation,
  setInviteTemplate,
} from "../../../worker/store/invitations.ts";
import { createHub, createTenant } from "../../../worker/store/tenants.ts";
import { type TestDb, testDb } from "../../helpers/db.ts";

const ACCEPT = "https://x.test/invitations/accept?token=";
const admin = { type: "api_key" as const, id: "key1" };
let t: TestDb;
let tenantId: string;
let hubId: string;

beforeEach(async () => {
  t = await testDb();
  tenantId = (await createTenant(t.db, "Acme")).id;
  hubId = (await createHub(t.db, tenantId, "Mentoring")).id;
});
afterEach(() => t.close());

/** An invited member with one invitation, written the way execution writes it; returns the link's token. */
async function invited(id: string, now = new Date()): Promise<string> {
  await t.db
    .insert(members)
    .values({ id, tenantId, email: `${id}@acme.test`, status: "invited", source: "hris" });
  await t.db.insert(hubMemberships).values({ tenantId, hubId, memberId: id });
  const { statements } = await invitationStatements(
    {
      tenantId,
      hubId,
      memberId: id,
      actionId: `action-${id}`,
      email: `${id}@acme.test`,
      name: null,
      dedupeKey: `invite:${id}`,
      now,
    },
    { tenantName: "Acme", hubName: "Mentoring", template: DEFAULT_INVITE_TEMPLATE, acceptUrl: ACCEPT },
    "1 = 1",
    [],
  );
  await t.db.$client.batch(statements, "write");
  return latestToken(`${id}@acme.test`);
}

async function latestToken(recipient: string): Promise<string> {
  const rows = await t.db
    .select()
    .from(outbox)
    .where(eq(outbox.recipient, recipient))
    .orderBy(sql`rowid desc`);
  const match = /token=([\w-]+)/.exec(rows[0]?.text ?? "");
  if (!match?.[1]) throw new Error("no link in the email");
  return match[1];
}

async function statusOf(id: string) {
  const [row] = await t.db.select().from(members).where(eq(members.id, id));
  return row?.status;
}

async function problemOf(promise: Promise<unknown>): Promise<AppError> {
  return promise.then(
    () => {
      throw new Error("expected a problem");
    },
    (error: AppError) => error,
  );
}

describe("accept", () => {
  it("stores only the token's hash, after the time the token was made", async () => {
    const before = Date.now();
    const token = await invited("m1");
    const [row] = await t.db.select().from(invitations);
    const time = Number.parseInt(row?.tokenHash.slice(0, 12) ?? "", 16);
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(Date.now());
    expect(row?.tokenHash.slice(12)).toBe(await sha256Hex(token));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(JSON.stringify(row)).not.toContain(token.slice(8));
  });

  it("gives tokens made one after the other keys that sort together, each unguessable", async () => {
    const first = await invited("m1");
    const second = await invited("m2");
    const keys = (await t.db.select().from(invitations).orderBy(sql`rowid`)).map((r) => r.tokenHash);
    // Keys of one batch land side by side in the index: they start with the time, in order.
    const [t1, t2] = keys.map((k) => Number.parseInt(k.slice(0, 12), 16));
    expect(t2 as number).toBeGreaterThanOrEqual(t1 as number);
    expect((t2 as number) - (t1 as number)).toBeLessThan(60_000);
    expect(first).not.toBe(second);
    expect(first).toMatch(/^[\w-]{51}$/);
  });

  it("accepts a link of the older kind, whose key is the token's hash alone", async () => {
    const token = await invited("m1");
    const older = "a".repeat(43);
    await t.db.update(invitations).set({ tokenHash: await sha256Hex(older) });
    expect(await problemOf(acceptInvitation(t.db, token, new Date()))).toMatchObject({ code: "not_found" });
    await expect(acceptInvitation(t.db, older, new Date())).resolves.toMatchObject({ memberId: "m1" });
  });

  it("activates the member once; a second accept is gone, with a sentence", async () => {
    const token = await invited("m1");
    await expect(acceptInvitation(t.db, token, new Date())).resolves.toMatchObject({ memberId: "m1" });
    expect(await statusOf("m1")).toBe("active");
    const again = await problemOf(acceptInvitation(t.db, token, new Date()));
    expect(again).toMatchObject({ code: "gone", status: 410 });
    expect(again.message).toMatch(/already been accepted/);
    const entries = await t.db.select().from(auditLog).where(eq(auditLog.change, "invitation_accept"));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorType: "member", actorId: "m1", actionId: null, memberId: "m1" });
  });

  it("lets exactly one of two simultaneous accepts through", async () => {
    const token = await invited("m1");
    const results = await Promise.allSettled([
      acceptInvitation(t.db, token, new Date()),
      acceptInvitation(t.db, token, new Date()),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await t.db.$count(auditLog)).toBe(1);
  });

  it("refuses an expired link with 410 and leaves the member invited", async () => {
    const token = await invited("m1", new Date("2026-01-01T00:00:00Z"));
    const problem = await problemOf(acceptInvitation(t.db, token, new Date("2026-01-20T00:00:00Z")));
    expect(problem).toMatchObject({ code: "gone" });
    expect(problem.message).toMatch(/expired on 2026-01-15/);
    expect(await statusOf("m1")).toBe("invited");
  });

  it("answers 404 for a token nobody was given", async () => {
    await invited("m1");
    expect(await problemOf(acceptInvitation(t.db, "made-up", new Date()))).toMatchObject({
      code: "not_found",
    });
  });

  it("refuses a link of a member deactivated since", async () => {
    const token = await invited("m1");
    await t.db.update(members).set({ status: "inactive" }).where(eq(members.id, "m1"));
    expect(await problemOf(acceptInvitation(t.db, token, new Date()))).toMatchObject({ code: "gone" });
    expect(await statusOf("m1")).toBe("inactive");
  });
});

describe("re-send", () => {
  it("revokes the old link, makes a new one and queues a new email", async () => {
    const first = await invited("m1");
    const result = await resendInvitation(t.db, tenantId, "m1", {
      actor: admin,
      acceptUrl: ACCEPT,
      now: new Date(),
    });
    expect(result).toMatchObject({ replayed: false, invitation: { status: "pending", hubId } });
    const second = await latestToken("m1@acme.test");
    expect(second).not.toBe(first);
    expect(await t.db.$count(outbox)).toBe(2);
    expect(await problemOf(acceptInvitation(t.db, first, new Date()))).toMatchObject({ code: "gone" });
    await acceptInvitation(t.db, second, new Date());
    expect(await statusOf("m1")).toBe("active");
  });

  it("sends once per idempotency key, however often the request is repeated", async () => {
    await invited("m1");
    const options = { actor: admin, acceptUrl: ACCEPT, now: new Date(), idempotencyKey: "k1" };
    const results = await Promise.all([1, 2, 3].map(() => resendInvitation(t.db, tenantId, "m1", options)));
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await t.db.$count(outbox)).toBe(2);
    expect(await t.db.$count(invitations, eq(invitations.status, "pending"))).toBe(1);
    await resendInvitation(t.db, tenantId, "m1", { ...options, idempotencyKey: "k2" });
    expect(await t.db.$count(outbox)).toBe(3);
  });

  it("refuses an active member with a conflict that says why", async () => {
    const token = await invited("m1");
    await acceptInvitation(t.db, token, new Date());
    const problem = await problemOf(
      resendInvitation(t.db, tenantId, "m1", { actor: admin, acceptUrl: ACCEPT, now: new Date() }),
    );
    expect(problem).toMatchObject({ code: "conflict" });
    expect(problem.message).toMatch(/already accepted/);
  });

  it("answers 404 for a member of another tenant", async () => {
    await invited("m1");
    const other = (await createTenant(t.db, "Other")).id;
    const problem = await problemOf(
      resendInvitation(t.db, other, "m1", { actor: admin, acceptUrl: ACCEPT, now: new Date() }),
    );
    expect(problem).toMatchObject({ code: "not_found" });
  });
});

describe("revoke", () => {
  it("withdraws the pending link; accepting it is then gone; revoking again is a conflict", async () => {
    const token = await invited("m1");
    await revokeInvitation(t.db, tenantId, "m1", { actor: admin, now: new Date() });
    expect((await latestInvitation(t.db, tenantId, "m1"))?.status).toBe("revoked");
    expect(await problemOf(acceptInvitation(t.db, token, new Date()))).toMatchObject({ code: "gone" });
    expect(
      await problemOf(revokeInvitation(t.db, tenantId, "m1", { actor: admin, now: new Date() })),
    ).toMatchObject({
      code: "conflict",
    });
    const changes = (await t.db.select().from(auditLog)).map((e) => e.change);
    expect(changes).toEqual(["invitation_revoke"]);
  });
});

describe("changeOnce", () => {
  it("writes neither the entry nor the effects when the guard fails", async () => {
    await t.db
      .insert(members)
      .values({ id: "m1", tenantId, email: "m1@acme.test", status: "active", source: "hris" });
    const happened = await changeOnce(
      t.db,
      {
        tenantId,
        actor: admin,
        actionId: null,
        memberId: "m1",
        change: "x",
        before: null,
        after: null,
        at: "now",
      },
      "1 = 0",
      [],
      [{ sql: `UPDATE members SET status = 'inactive' WHERE id = ? AND ${CLAIMED}`, args: ["m1"] }],
    );
    expect(happened).toBe(false);
    expect(await statusOf("m1")).toBe("active");
    expect(await t.db.$count(auditLog)).toBe(0);
  });
});

describe("template", () => {
  it("is the built-in one until the tenant saves theirs, and can go back", async () => {
    expect(await getInviteTemplate(t.db, tenantId)).toEqual({
      template: DEFAULT_INVITE_TEMPLATE,
      custom: false,
    });
    const mine = {
      subject: "Join {{hubName}}",
      text: "Go: {{acceptUrl}}",
      html: "<a href='{{acceptUrl}}'>Go</a>",
    };
    expect(await setInviteTemplate(t.db, tenantId, mine)).toEqual({ template: mine, custom: true });
    expect(await setInviteTemplate(t.db, tenantId, null)).toEqual({
      template: DEFAULT_INVITE_TEMPLATE,
      custom: false,
    });
  });

  it("refuses a template without the accept link or with an unknown placeholder, naming the part", async () => {
    const problem = await problemOf(
      setInviteTemplate(t.db, tenantId, {
        subject: "Hi {{firstName}}",
        text: "no link",
        html: "{{acceptUrl}}",
      }),
    );
    expect(problem.code).toBe("invalid_request");
    expect(problem.details.map((d) => d.field).sort()).toEqual(["body.subject", "body.text"]);
  });
});
