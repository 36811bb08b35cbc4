// An execution batch as a handful of set-based statements instead of several per action: each
// statement carries its rows as one JSON array, expanded by json_each in SQLite. The design is
// the per-action one, set by set: every action claims itself first (pending → done under the
// batch's token, only where its precondition holds), every effect is written only where its
// action's claim took, and what did not claim ends stale. Statements whose order matters (new
// fields and options: the first claimed action's spelling wins) keep the actions' order.
//
// What a batch costs is mostly the index pages it writes, so rows go where they are cheap: member
// writes are grouped by the columns they set (an UPDATE rewrites the index of every column it
// names, so the email and employee id are named only by the writes that change them), and new
// rows get time-ordered ids, which land on their indexes' last pages.
import type { InValue } from "@libsql/client";
import { memberColumn } from "../../db/schema.ts";
import type { Effect, Execution, MemberFields } from "../engine/execute.ts";
import { fold } from "../engine/fold.ts";
import type { CoreField, DerivedField, MemberSnapshot } from "../engine/types.ts";
import { timeOrderedId } from "../keys.ts";
import type { ExecutionContext } from "./execution.ts";
import { invitationsValues } from "./invitations.ts";

export interface NamedStmt {
  sql: string;
  args: Record<string, InValue>;
}

/** The batch's view of the tenant's segments, as the per-action statements use it. */
export interface Segments {
  columns: Map<string, { column: string; kind: string; visibility: string }>;
  existing: Map<string, Set<string>>;
}

export interface ClaimedAction {
  id: string;
  approvedBy: string | null;
}

// sqld refuses an argument over 5 MB: a statement's rows stay under that in UTF-8.
const PART_BYTES = 4_500_000;

// Each row is read from its JSON once, into JSONB, from which a value is taken without parsing
// again: taken from the JSON text, every value would parse the row anew.
const WITH_ROWS = "WITH x AS MATERIALIZED (SELECT key AS k, jsonb(value) AS v FROM json_each(:items)) ";
const ROWS = "x";
// From the claim index alone: SQLite would rather look the action up by id and read its row.
const claimed = (action: string) =>
  `EXISTS (SELECT 1 FROM plan_actions c INDEXED BY plan_actions_claim WHERE c.claim = :token AND c.id = ${action})`;

const CLAIMS = {
  notRun: `UPDATE plan_actions SET status = x.v->>'$[1]', message = x.v->>'$[2]', executed_at = :now FROM ${ROWS}
           WHERE plan_actions.id = x.v->>'$[0]' AND plan_actions.status = 'pending' AND plan_actions.approved = 1`,
  claimVersion: `UPDATE plan_actions SET status = 'done', claim = :token, executed_at = :now, message = NULL FROM ${ROWS}
           WHERE plan_actions.id = x.v->>'$[0]' AND plan_actions.status = 'pending' AND plan_actions.approved = 1
             AND EXISTS (SELECT 1 FROM members m WHERE m.id = x.v->>'$[1]' AND m.tenant_id = :tenant AND m.version = x.v->>'$[2]')`,
  claimNoMember: `UPDATE plan_actions SET status = 'done', claim = :token, executed_at = :now, message = NULL FROM ${ROWS}
           WHERE plan_actions.id = x.v->>'$[0]' AND plan_actions.status = 'pending' AND plan_actions.approved = 1
             AND NOT EXISTS (SELECT 1 FROM members m WHERE m.tenant_id = :tenant
                             AND (m.email = x.v->>'$[1]' OR m.employee_id = x.v->>'$[2]'))`,
};

const EFFECTS = {
  joinHub: `INSERT INTO hub_memberships (tenant_id, hub_id, member_id, created_at)
           SELECT :tenant, :hub, x.v->>'$[1]', :now FROM ${ROWS} WHERE ${claimed("x.v->>'$[0]'")} ON CONFLICT DO NOTHING`,
  leaveHub: `DELETE FROM hub_memberships WHERE tenant_id = :tenant AND hub_id = :hub
           AND member_id IN (SELECT x.v->>'$[1]' FROM ${ROWS} WHERE ${claimed("x.v->>'$[0]'")})`,
  invitations: `INSERT INTO invitations (id, tenant_id, hub_id, member_id, action_id, token_hash, expires_at, created_at)
           SELECT x.v->>'$[2]', :tenant, :hub, x.v->>'$[1]', x.v->>'$[0]', x.v->>'$[3]', x.v->>'$[4]', :now
           FROM ${ROWS} WHERE ${claimed("x.v->>'$[0]'")}`,
  outbox: `INSERT INTO outbox (id, tenant_id, channel, dedupe_key, recipient, subject, text, html, created_at)
           SELECT x.v->>'$[1]', :tenant, 'email', 'invite:' || (x.v->>'$[0]'), x.v->>'$[2]', x.v->>'$[3]', x.v->>'$[4]', x.v->>'$[5]', :now
           FROM ${ROWS} WHERE ${claimed("x.v->>'$[0]'")}`,
  audit: `INSERT INTO audit_log (tenant_id, actor_type, actor_id, action_id, approved_by, member_id, change, before, after, claim, at)
           SELECT :tenant, :actorType, :actorId, x.v->>'$[0]', x.v->>'$[1]', x.v->>'$[2]', x.v->>'$[3]', x.v->>'$[4]', x.v->>'$[5]', NULL, :now
           FROM ${ROWS} WHERE ${claimed("x.v->>'$[0]'")}`,
  fields: `INSERT INTO fields (id, tenant_id, key, label, kind, visibility, created_at)
           SELECT x.v->>'$[1]', :tenant, x.v->>'$[2]', x.v->>'$[3]', x.v->>'$[4]', x.v->>'$[5]', :now
           FROM ${ROWS} WHERE ${claimed("x.v->>'$[0]'")} ORDER BY x.k ON CONFLICT (tenant_id, key) DO NOTHING`,
  options: `INSERT INTO field_options (id, tenant_id, field_id, value, folded, created_at)
           SELECT x.v->>'$[1]', :tenant, f.id, x.v->>'$[3]', x.v->>'$[4]', :now
           FROM ${ROWS} JOIN fields f ON f.tenant_id = :tenant AND f.key = x.v->>'$[2]'
           WHERE ${claimed("x.v->>'$[0]'")} ORDER BY x.k ON CONFLICT (field_id, folded) DO NOTHING`,
  fingerprints: `INSERT INTO member_fingerprints (member_id, tenant_id, hash, version, layout)
           SELECT x.v->>'$[1]', :tenant, x.v->>'$[2]', x.v->>'$[3]', :layout FROM ${ROWS} WHERE ${claimed("x.v->>'$[0]'")}
           ON CONFLICT (member_id) DO UPDATE SET hash = excluded.hash, version = excluded.version, layout = excluded.layout`,
};

const STALE = `UPDATE plan_actions SET status = 'stale', message = x.v->>'$[1]', executed_at = :now FROM ${ROWS}
           WHERE plan_actions.id = x.v->>'$[0]' AND plan_actions.status = 'pending' AND plan_actions.approved = 1`;

/** A member row written as [action id, member id, ...the values of its shape's columns]. */
type MemberWrite = unknown[];

/** Member writes of one kind and one set of columns: one statement. */
interface Shape {
  insert: boolean;
  columns: string[];
  rows: MemberWrite[];
}

interface Rows {
  notRun: unknown[];
  claimVersion: unknown[];
  claimNoMember: unknown[];
  shapes: Map<string, Shape>;
  effects: Record<keyof typeof EFFECTS, unknown[]>;
  invites: { actionId: string; memberId: string; email: string; name: string | null }[];
  stale: unknown[];
}

/** Fingerprints of what the batch writes to members, under the plan's layout (see member_fingerprints). */
export interface Fingerprints {
  layout: number;
  /** [action id, member id, fingerprint, the member's version after the write]. */
  rows: [string, string, number, number][];
}

export interface SetBatch {
  actions: ClaimedAction[];
  executions: Execution[];
  /** The members the batch's actions concern, as read with it. */
  snapshots: Map<string, MemberSnapshot>;
  token: string;
  ctx: ExecutionContext;
  segments: Segments;
  staleMessage: (execution: Extract<Execution, { ok: true }>) => string;
  fingerprints: Fingerprints | null;
}

/** The batch's statements, in the order they must run: not-run, claims, effects, stale. */
export async function setStatements(batch: SetBatch): Promise<NamedStmt[]> {
  const { actions, executions, ctx } = batch;
  const rows: Rows = {
    notRun: [],
    claimVersion: [],
    claimNoMember: [],
    shapes: new Map(),
    effects: Object.fromEntries(Object.keys(EFFECTS).map((k) => [k, []])) as unknown as Rows["effects"],
    invites: [],
    stale: [],
  };
  if (batch.fingerprints) rows.effects.fingerprints.push(...batch.fingerprints.rows);
  actions.forEach((action, i) => {
    const execution = executions[i] as Execution;
    if (!execution.ok) {
      rows.notRun.push([action.id, execution.status, execution.message]);
      return;
    }
    const p = execution.precondition;
    if (p.type === "member_version") rows.claimVersion.push([action.id, p.memberId, p.version]);
    else rows.claimNoMember.push([action.id, p.email, p.employeeId]);
    for (const effect of execution.effects) addEffect(rows, effect, action, batch);
    rows.stale.push([action.id, batch.staleMessage(execution)]);
  });
  await addInvitations(rows, ctx);
  const shared: Record<string, InValue> = {
    layout: batch.fingerprints?.layout ?? null,
    token: batch.token,
    now: ctx.now.toISOString(),
    tenant: ctx.tenantId,
    hub: ctx.hubId,
    actorType: ctx.actor.type,
    actorId: ctx.actor.id,
  };
  const statements: NamedStmt[] = [];
  const add = (sql: string, list: unknown[]) => {
    const full = WITH_ROWS + sql;
    for (const items of parts(list)) statements.push({ sql: full, args: only(full, { ...shared, items }) });
  };
  add(CLAIMS.notRun, rows.notRun);
  add(CLAIMS.claimVersion, rows.claimVersion);
  add(CLAIMS.claimNoMember, rows.claimNoMember);
  // Members first: the effects after them (memberships, invitations) refer to new members.
  for (const shape of rows.shapes.values()) add(memberSql(shape), shape.rows);
  for (const key of Object.keys(EFFECTS) as (keyof typeof EFFECTS)[]) add(EFFECTS[key], rows.effects[key]);
  add(STALE, rows.stale);
  return statements;
}

function addEffect(rows: Rows, effect: Effect, action: ClaimedAction, batch: SetBatch): void {
  const a = action.id;
  switch (effect.type) {
    case "insert_member":
      addMemberWrite(rows, true, a, effect.memberId, effect.fields);
      return;
    case "update_member": {
      const before = batch.snapshots.get(effect.memberId);
      addMemberWrite(rows, false, a, effect.memberId, withoutUnchangedKeys(effect.fields, before));
      return;
    }
    case "join_hub":
      rows.effects.joinHub.push([a, effect.memberId]);
      return;
    case "leave_hub":
      rows.effects.leaveHub.push([a, effect.memberId]);
      return;
    case "invite":
      rows.invites.push({ actionId: a, memberId: effect.memberId, email: effect.email, name: effect.name });
      return;
    case "audit":
      rows.effects.audit.push([
        a,
        action.approvedBy,
        effect.memberId,
        effect.change,
        effect.before === null || effect.before === undefined ? null : JSON.stringify(effect.before),
        effect.after === null || effect.after === undefined ? null : JSON.stringify(effect.after),
      ]);
      return;
    case "segment_option":
      addSegmentOption(rows, effect, a, batch.segments);
  }
}

/**
 * The write without the email and employee id where they stay what they are: an UPDATE that names
 * them rewrites their unique indexes' entries, one random page each, for nothing.
 */
function withoutUnchangedKeys(fields: MemberFields, before: MemberSnapshot | undefined): MemberFields {
  if (!before) return fields;
  const core = { ...fields.core };
  if ("email" in core && core.email === before.email) delete core.email;
  if ("employeeId" in core && core.employeeId === before.employeeId) delete core.employeeId;
  return { ...fields, core };
}

function addMemberWrite(
  rows: Rows,
  insert: boolean,
  actionId: string,
  memberId: string,
  fields: MemberFields,
) {
  const columns: string[] = [];
  const values: unknown[] = [actionId, memberId];
  for (const [field, value] of Object.entries(fields.core)) {
    columns.push(memberColumn(field as CoreField | DerivedField));
    values.push(value ?? null);
  }
  if (fields.profile) {
    columns.push("profile");
    values.push(JSON.stringify(fields.profile));
  }
  if (fields.status) {
    columns.push("status");
    values.push(fields.status);
  }
  if (fields.source) {
    columns.push("source");
    values.push(fields.source);
  }
  if (fields.deletedAt !== undefined) {
    columns.push("deleted_at");
    values.push(fields.deletedAt);
  }
  const key = `${insert ? "insert" : "update"}:${columns.join(",")}`;
  let shape = rows.shapes.get(key);
  if (!shape) {
    shape = { insert, columns, rows: [] };
    rows.shapes.set(key, shape);
  }
  shape.rows.push(values);
}

/** The statement writing a shape's rows; column names come from the schema (memberColumn). */
function memberSql(shape: Shape): string {
  const value = (i: number) => `x.v->>'$[${i + 2}]'`;
  if (shape.insert) {
    const source = shape.columns.includes("source") ? [] : ["source"];
    const names = ["id", "tenant_id", ...source, ...shape.columns, "created_at", "updated_at"];
    const values = [
      "x.v->>'$[1]'",
      ":tenant",
      ...source.map(() => "'hris'"),
      ...shape.columns.map((_, i) => value(i)),
      ":now",
      ":now",
    ];
    return `INSERT INTO members (${names.join(", ")}) SELECT ${values.join(", ")}
            FROM ${ROWS} WHERE ${claimed("x.v->>'$[0]'")}`;
  }
  const sets = [
    ...shape.columns.map((c, i) => `${c} = ${value(i)}`),
    "version = members.version + 1",
    "updated_at = :now",
  ];
  // "+members.tenant_id": the tenant's index would make SQLite scan every member for each row.
  return `UPDATE members SET ${sets.join(", ")}
          FROM ${ROWS} WHERE members.id = x.v->>'$[1]' AND +members.tenant_id = :tenant AND ${claimed("x.v->>'$[0]'")}`;
}

/** As the per-action statements: only values the tenant did not have before the batch. */
function addSegmentOption(
  rows: Rows,
  effect: Extract<Effect, { type: "segment_option" }>,
  actionId: string,
  segments: Segments,
) {
  const folded = fold(effect.value);
  const known = segments.existing.get(effect.key);
  if (known?.has(folded)) return;
  if (!known) {
    const column = segments.columns.get(effect.key);
    const kind = column?.kind === "role" || column?.kind === "segment" ? column.kind : effect.kind;
    rows.effects.fields.push([
      actionId,
      crypto.randomUUID(),
      effect.key,
      column?.column ?? effect.key,
      kind,
      column?.visibility ?? "private",
    ]);
  }
  rows.effects.options.push([actionId, crypto.randomUUID(), effect.key, effect.value, folded]);
}

/** The batch's invitations and their emails: fresh tokens, hashed together. */
async function addInvitations(rows: Rows, ctx: ExecutionContext) {
  if (rows.invites.length === 0) return;
  const values = await invitationsValues(
    rows.invites.map((invite) => ({ email: invite.email, name: invite.name, now: ctx.now })),
    {
      tenantName: ctx.tenantName,
      hubName: ctx.hubName,
      template: ctx.inviteTemplate,
      acceptUrl: ctx.acceptUrl,
    },
  );
  rows.invites.forEach((invite, i) => {
    const v = values[i] as (typeof values)[number];
    rows.effects.invitations.push([invite.actionId, invite.memberId, v.id, v.tokenHash, v.expiresAt]);
    rows.effects.outbox.push([
      invite.actionId,
      timeOrderedId(),
      invite.email,
      v.email.subject,
      v.email.text,
      v.email.html,
    ]);
  });
}

/** The rows as JSON arrays of at most PART_BYTES each (none for no rows). */
function parts(rows: unknown[]): string[] {
  if (rows.length === 0) return [];
  // Most lists fit in one part: one JSON.stringify, no string per row.
  const whole = JSON.stringify(rows);
  if (whole.length * 3 <= PART_BYTES || utf8Bound(whole) <= PART_BYTES) return [whole];
  const result: string[] = [];
  let part: string[] = [];
  let bytes = 0;
  for (const row of rows) {
    const json = JSON.stringify(row);
    const size = utf8Bound(json);
    if (bytes + size > PART_BYTES && part.length) {
      result.push(`[${part.join(",")}]`);
      part = [];
      bytes = 0;
    }
    part.push(json);
    bytes += size + 1;
  }
  if (part.length) result.push(`[${part.join(",")}]`);
  return result;
}

/** At least the UTF-8 size of `text`: 3 bytes for any non-ASCII UTF-16 unit. */
function utf8Bound(text: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is what is tested
  if (!/[^\x00-\x7f]/.test(text)) return text.length;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is what is tested
  return text.length + 2 * text.replace(/[\x00-\x7f]+/g, "").length;
}

/** The named arguments a statement uses (SQLite refuses values for names it does not have). */
function only(sql: string, args: Record<string, InValue>): Record<string, InValue> {
  return Object.fromEntries(Object.entries(args).filter(([name]) => sql.includes(`:${name}`)));
}
