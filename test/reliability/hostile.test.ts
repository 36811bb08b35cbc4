// The hostile-input corpus (test/fixtures/hostile/manifest.json) over the real stack: each file is
// uploaded to a fresh tenant's hub and must get exactly its outcome: a 4xx problem that stored
// nothing, or a plan whose bad rows are error actions with their reasons. Never a 5xx. Cases that
// execute then prove that nothing stored renders as HTML in the invitation email.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { members, outbox } from "../../db/schema.ts";
import { escapeHtml } from "../../worker/mail/template.ts";
import { createApiKey, createHub, createTenant } from "../../worker/store/tenants.ts";
import { type Stack, startStack } from "../helpers/stack.ts";
import { GENERATORS } from "./hostile-generators.ts";
import { changed, tenantRowCounts } from "./tenant-rows.ts";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "hostile");

interface Rejected {
  status: 400 | 413 | 415 | 422;
  code: string;
  /** A part of the problem's `detail`. */
  detail: string;
}

interface Planned {
  status: 201;
  summary: Record<string, number>;
  planStatus?: "ready" | "blocked";
  /** Rows of the error actions, exactly (the summary alone counts them when absent). */
  rowErrors?: number[];
  /** The import's issue codes, exactly (any order); none when absent. */
  issues?: string[];
  /** Row → a part of its action's reason. */
  reasons?: Record<string, string>;
  /** Row → a part of one of its action's warnings. */
  warnings?: Record<string, string>;
  /** Values the action for a row carries, exactly as the API sends them back. */
  values?: { row: number; email?: string; name?: string }[];
  /** Approve all and execute: the answer's status, and how many actions ran. */
  execute?: { status: 200; done: number } | { status: 409; code: string };
  noFormulaOrHtmlStored?: true;
}

interface Case {
  file: string;
  contentType: string;
  why: string;
  /** Made at test time by GENERATORS[generated]; not committed. */
  generated?: string;
  /** A file imported and executed into the same hub first. */
  seed?: string;
  expect: Rejected | Planned;
}

interface Action {
  id: string;
  kind: string;
  row: number | null;
  email: string | null;
  name: string | null;
  reason: string;
  warnings: string[];
}

const manifest = JSON.parse(readFileSync(join(FIXTURES, "manifest.json"), "utf8")) as { cases: Case[] };
// Tables a request may write whatever its outcome: the API's own bookkeeping, not tenant data.
const BOOKKEEPING = new Set(["rate_limits", "idempotency_keys"]);
// What an accepted import writes; members, invitations, email and audit wait for execution.
const PLANNED = new Set([
  "imports",
  "plans",
  "plan_actions",
  "mappings",
  "sync_runs",
  "outbox",
  ...BOOKKEEPING,
]);

let stack: Stack;
let generatedDir: string;

beforeAll(async () => {
  stack = await startStack();
  generatedDir = mkdtempSync(join(tmpdir(), "profile-sync-hostile-"));
  for (const c of manifest.cases) {
    const generate = c.generated ? GENERATORS[c.generated] : undefined;
    if (generate) writeFileSync(join(generatedDir, c.file), generate());
  }
});

afterAll(async () => {
  await stack?.stop();
  if (generatedDir) rmSync(generatedDir, { recursive: true, force: true });
});

describe("the corpus", () => {
  it("has at least 40 files, every file in the manifest and every manifest entry present", () => {
    const committed = readdirSync(FIXTURES).filter(
      (f) => !["manifest.json", "README.md", "seed"].includes(f),
    );
    const listed = manifest.cases.filter((c) => !c.generated).map((c) => c.file);
    expect(new Set(listed)).toEqual(new Set(committed));
    expect(new Set(manifest.cases.map((c) => c.file)).size).toBe(manifest.cases.length);
    expect(manifest.cases.length).toBeGreaterThanOrEqual(40);
    for (const c of manifest.cases.filter((c) => c.generated))
      expect(GENERATORS[c.generated ?? ""]).toBeDefined();
  });
});

describe.each(manifest.cases)("$file ($why)", (c) => {
  it(`answers ${c.expect.status}${"code" in c.expect ? ` ${c.expect.code}` : ""}`, async () => {
    const tenant = await createTenant(stack.db, `Hostile ${c.file}`);
    const hub = await createHub(stack.db, tenant.id, "Mentoring");
    const { key } = await createApiKey(stack.db, tenant.id, "hostile", "admin");
    const client = clientFor(key, hub.id);
    if (c.seed) await seed(client, readFileSync(join(FIXTURES, c.seed)));

    const before = await tenantRowCounts(stack.db, tenant.id);
    const bytes = readFileSync(join(c.generated ? generatedDir : FIXTURES, c.file));
    const response = await client.upload(bytes, c.contentType);
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status, JSON.stringify(body).slice(0, 500)).toBe(c.expect.status);
    const writes = changed(before, await tenantRowCounts(stack.db, tenant.id));
    if (c.expect.status === 201) await expectPlanned(client, tenant.id, body, writes, c.expect as Planned);
    else expectRefused(response, body, writes, c.expect as Rejected);
  }, 120_000);
});

type Client = ReturnType<typeof clientFor>;

/** Requests with one tenant's key, to its hub. */
function clientFor(key: string, hubId: string) {
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${stack.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${key}`, ...(init.headers as Record<string, string>) },
    });
  const post = (path: string, body?: unknown) =>
    call(path, {
      method: "POST",
      ...(body === undefined
        ? {}
        : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
  const upload = (bytes: Uint8Array, contentType: string) =>
    call(`/v1/hubs/${hubId}/imports`, {
      method: "POST",
      headers: { "content-type": contentType },
      body: bytes,
    });
  return { call, post, upload };
}

async function seed(client: Client, bytes: Uint8Array) {
  const seeded = await client.upload(bytes, "text/csv");
  expect(seeded.status).toBe(201);
  const planId = ((await seeded.json()) as { plan: { id: string } }).plan.id;
  expect((await client.post(`/v1/plans/${planId}/approvals`, { all: true })).status).toBe(200);
  expect((await client.post(`/v1/plans/${planId}/execute`)).status).toBe(200);
}

function expectRefused(
  response: Response,
  body: Record<string, unknown>,
  writes: Record<string, number>,
  expected: Rejected,
) {
  expect(response.headers.get("content-type")).toContain("application/problem+json");
  expect(body.code).toBe(expected.code);
  expect(body.detail).toContain(expected.detail);
  // No partial write: a refused upload stores no import, plan, mapping or anything else.
  expect(Object.keys(writes).filter((t) => !BOOKKEEPING.has(t))).toEqual([]);
}

async function expectPlanned(
  client: Client,
  tenantId: string,
  body: Record<string, unknown>,
  writes: Record<string, number>,
  expected: Planned,
) {
  const plan = (body as { plan: { id: string; status: string; summary: Record<string, number> } }).plan;
  const issues = (body as { import: { issues: { code: string }[] } }).import.issues;
  expect(plan.summary).toEqual(expected.summary);
  expect(plan.status).toBe(expected.planStatus ?? "ready");
  expect(issues.map((i) => i.code).sort()).toEqual([...(expected.issues ?? [])].sort());
  const total = Object.values(expected.summary).reduce((a, b) => a + b, 0);
  expect(writes).toMatchObject({ imports: 1, plans: 1, ...(total > 0 ? { plan_actions: total } : {}) });
  expect(Object.keys(writes).filter((t) => !PLANNED.has(t))).toEqual([]);

  const actions = await allActions(client.call, plan.id);
  const at = (row: string | number) => actions.find((a) => a.row === Number(row));
  if (expected.rowErrors) {
    expect(actions.filter((a) => a.kind === "error").map((a) => a.row)).toEqual(expected.rowErrors);
  }
  for (const [row, part] of Object.entries(expected.reasons ?? {})) expect(at(row)?.reason).toContain(part);
  for (const [row, part] of Object.entries(expected.warnings ?? {})) {
    expect(at(row)?.warnings.join(" ")).toContain(part);
  }
  for (const { row, ...values } of expected.values ?? []) expect(at(row)).toMatchObject(values);

  if (expected.execute) await expectExecution(client, tenantId, plan.id, expected.execute);
  if (expected.noFormulaOrHtmlStored) await expectTextOnly(tenantId, expected.values ?? []);
}

async function expectExecution(
  client: Client,
  tenantId: string,
  planId: string,
  expected: Planned["execute"],
) {
  const membersBefore = await memberRows(tenantId);
  expect((await client.post(`/v1/plans/${planId}/approvals`, { all: true })).status).toBe(200);
  const executed = await client.post(`/v1/plans/${planId}/execute`);
  const result = (await executed.json()) as { code?: string; progress?: { done: number } };
  expect(executed.status).toBe(expected?.status);
  if (expected?.status === 200) expect(result.progress?.done).toBe(expected.done);
  if (expected?.status === 409) {
    expect(result.code).toBe(expected.code);
    expect(await memberRows(tenantId)).toEqual(membersBefore);
  }
}

async function allActions(call: Client["call"], planId: string): Promise<Action[]> {
  const actions: Action[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${cursor}` : "";
    const page = (await (await call(`/v1/plans/${planId}/actions?limit=500${query}`)).json()) as {
      actions: Action[];
      nextCursor: string | null;
    };
    actions.push(...page.actions);
    cursor = page.nextCursor;
  } while (cursor);
  return actions;
}

async function memberRows(tenantId: string) {
  return stack.db.select().from(members).where(eq(members.tenantId, tenantId)).orderBy(members.email);
}

/**
 * Names are stored as the HRIS wrote them (they are its truth) and come back as JSON strings; what
 * must never happen is that one becomes markup. The invitation email is the one place they are
 * rendered as HTML: apart from the template's own tags, no tag may be left in it.
 */
async function expectTextOnly(tenantId: string, values: { row: number; name?: string }[]) {
  const mails = await stack.db
    .select()
    .from(outbox)
    .where(and(eq(outbox.tenantId, tenantId), eq(outbox.channel, "email")));
  expect(mails.length).toBeGreaterThan(0);
  for (const mail of mails) {
    const html = mail.html ?? "";
    expect(html.replace(/<\/?p>|<a href="[^"<>]*">|<\/a>/g, "")).not.toMatch(/[<>]/);
  }
  const stored = await memberRows(tenantId);
  for (const { name } of values) {
    if (!name) continue;
    const member = stored.find((m) => `${m.firstName} ${m.lastName}` === name);
    expect(member, `a member named ${name}`).toBeDefined();
    const mail = mails.find((m) => m.recipient === member?.email);
    expect(mail?.html).toContain(escapeHtml(name));
  }
}
