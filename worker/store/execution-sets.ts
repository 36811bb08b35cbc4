// An execution batch as a handful of set-based statements instead of several per action: each
// statement carries its rows as one JSON array, expanded by json_each in SQLite. The design is
// the per-action one, set by set: every action claims itself first (pending → done under the
// batch's token, only where its precondition holds), every effect is written only where its
// action's claim took, and what did not claim ends stale. Statements whose order matters (new
// fields and options: the first claimed action's spelling wins) keep the actions' order.
import type { InValue } from "@libsql/client";
import type { Effect, Execution, MemberFields } from "../engine/execute.ts";
import { fold } from "../engine/fold.ts";
import type { CoreField, DerivedField } from "../engine/types.ts";
import type { ExecutionContext } from "./execution.ts";
import { invitationValues } from "./invitations.ts";

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

const COLUMN_OF: Record<CoreField | DerivedField, string> = {
  firstName: "first_name",
  lastName: "last_name",
  email: "email",
  employeeId: "employee_id",
  jobTitle: "job_title",
  manager: "manager",
  department: "department",
  location: "location",
  country: "country",
  startDate: "start_date",
  terminationDate: "termination_date",
  employmentStatus: "employment_status",
  approverId: "approver_id",
  contentRegion: "content_region",
};
const MEMBER_COLUMNS = Object.values(COLUMN_OF);

const ROWS = "(SELECT key AS k, value AS v FROM json_each(:items)) AS x";
const claimed = (action: string) =>
  `EXISTS (SELECT 1 FROM plan_actions c WHERE c.id = ${action} AND c.claim = :token)`;

const SQL = {
  notRun: `UPDATE plan_actions SET status = x.v->>'$[1]', message = x.v->>'$[2]', executed_at = :now FROM ${ROWS}
           WHERE plan_actions.id = x.v->>'$[0]' AND plan_actions.status = 'pending' AND plan_actions.approved = 1`,
  claimVersion: `UPDATE plan_actions SET status = 'done', claim = :token, executed_at = :now, message = NULL FROM ${ROWS}
           WHERE plan_actions.id = x.v->>'$[0]' AND plan_actions.status = 'pending' AND plan_actions.approved = 1
             AND EXISTS (SELECT 1 FROM members m WHERE m.id = x.v->>'$[1]' AND m.tenant_id = :tenant AND m.version = x.v->>'$[2]')`,
  claimNoMember: `UPDATE plan_actions SET status = 'done', claim = :token, executed_at = :now, message = NULL FROM ${ROWS}
           WHERE plan_actions.id = x.v->>'$[0]' AND plan_actions.status = 'pending' AND plan_actions.approved = 1
             AND NOT EXISTS (SELECT 1 FROM members m WHERE m.tenant_id = :tenant
                             AND (m.email = x.v->>'$[1]' OR m.employee_id = x.v->>'$[2]'))`,
  insertMembers: `INSERT INTO members (id, tenant_id, source, ${MEMBER_COLUMNS.join(", ")}, profile, status, deleted_at, created_at, updated_at)
           SELECT x.v->>'$.m', :tenant, 'hris', ${MEMBER_COLUMNS.map((c) => `x.v->>'$.c.${c}'`).join(", ")},
                  coalesce(x.v->>'$.p', '{}'), x.v->>'$.s', x.v->>'$.d', :now, :now
           FROM ${ROWS} WHERE ${claimed("x.v->>'$.a'")}`,
  // "+members.tenant_id": the tenant's index would make SQLite scan every member for each row.
  updateMembers: `UPDATE members SET ${[
    ...MEMBER_COLUMNS.map(
      (c) => `${c} = iif(json_type(x.v, '$.c.${c}') IS NULL, members.${c}, x.v->>'$.c.${c}')`,
    ),
    "profile = iif(json_type(x.v, '$.p') IS NULL, members.profile, x.v->>'$.p')",
    "status = iif(json_type(x.v, '$.s') IS NULL, members.status, x.v->>'$.s')",
    "source = iif(json_type(x.v, '$.o') IS NULL, members.source, x.v->>'$.o')",
    "deleted_at = iif(json_type(x.v, '$.d') IS NULL, members.deleted_at, x.v->>'$.d')",
    "version = members.version + 1",
    "updated_at = :now",
  ].join(", ")}
           FROM ${ROWS} WHERE members.id = x.v->>'$.m' AND +members.tenant_id = :tenant AND ${claimed("x.v->>'$.a'")}`,
  joinHub: `INSERT INTO hub_memberships (tenant_id, hub_id, member_id, created_at)
           SELECT :tenant, :hub, x.v->>'$[1]', :now FROM ${ROWS} WHERE ${claimed("x.v->>'$[0]'")} ON CONFLICT DO NOTHING`,
  leaveHub: `DELETE FROM hub_memberships WHERE tenant_id = :tenant AND hub_id = :hub
           AND member_id IN (SELECT x.v->>'$[1]' FROM ${ROWS} WHERE ${claimed("x.v->>'$[0]'")})`,
  invitations: `INSERT INTO invitations (id, tenant_id, hub_id, member_id, action_id, token_hash, expires_at, created_at)
           SELECT x.v->>'$[2]', :tenant, :hub, x.v->>'$[1]', x.v->>'$[0]', x.v->>'$[3]', x.v->>'$[4]', :now
           FROM ${ROWS} WHERE ${claimed("x.v->>'$[0]'")}`,
  outbox: `INSERT INTO outbox (id, tenant_id, channel, dedupe_key, recipient, subject, text, html, created_at)
           SELECT x.v->>'$[1]', :tenant, 'email', x.v->>'$[2]', x.v->>'$[3]', x.v->>'$[4]', x.v->>'$[5]', x.v->>'$[6]', :now
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
  stale: `UPDATE plan_actions SET status = 'stale', message = x.v->>'$[1]', executed_at = :now FROM ${ROWS}
           WHERE plan_actions.id = x.v->>'$[0]' AND plan_actions.status = 'pending' AND plan_actions.approved = 1`,
};

type Rows = Record<keyof typeof SQL, unknown[]>;

/** Fingerprints of what the batch writes to members, under the plan's layout (see member_fingerprints). */
export interface Fingerprints {
  layout: number;
  /** [action id, member id, fingerprint, the member's version after the write]. */
  rows: [string, string, number, number][];
}

/** The batch's statements, in the order they must run: not-run, claims, effects, stale. */
export async function setStatements(
  actions: ClaimedAction[],
  executions: Execution[],
  token: string,
  ctx: ExecutionContext,
  segments: Segments,
  staleMessage: (execution: Extract<Execution, { ok: true }>) => string,
  fingerprints: Fingerprints | null,
): Promise<NamedStmt[]> {
  const rows = Object.fromEntries(Object.keys(SQL).map((k) => [k, []])) as unknown as Rows;
  if (fingerprints) rows.fingerprints.push(...fingerprints.rows);
  const invites: Promise<unknown[]>[] = [];
  actions.forEach((action, i) => {
    const execution = executions[i] as Execution;
    if (!execution.ok) {
      rows.notRun.push([action.id, execution.status, execution.message]);
      return;
    }
    const p = execution.precondition;
    if (p.type === "member_version") rows.claimVersion.push([action.id, p.memberId, p.version]);
    else rows.claimNoMember.push([action.id, p.email, p.employeeId]);
    for (const effect of execution.effects) addEffect(rows, invites, effect, action, ctx, segments);
    rows.stale.push([action.id, staleMessage(execution)]);
  });
  for (const invite of await Promise.all(invites)) {
    const [
      actionId,
      memberId,
      id,
      tokenHash,
      expiresAt,
      outboxId,
      dedupeKey,
      recipient,
      subject,
      text,
      html,
    ] = invite;
    rows.invitations.push([actionId, memberId, id, tokenHash, expiresAt]);
    rows.outbox.push([actionId, outboxId, dedupeKey, recipient, subject, text, html]);
  }
  const shared: Record<string, InValue> = {
    layout: fingerprints?.layout ?? null,
    token,
    now: ctx.now.toISOString(),
    tenant: ctx.tenantId,
    hub: ctx.hubId,
    actorType: ctx.actor.type,
    actorId: ctx.actor.id,
  };
  const statements: NamedStmt[] = [];
  for (const key of Object.keys(SQL) as (keyof typeof SQL)[]) {
    const sql = SQL[key];
    for (const items of parts(rows[key])) statements.push({ sql, args: only(sql, { ...shared, items }) });
  }
  return statements;
}

function addEffect(
  rows: Rows,
  invites: Promise<unknown[]>[],
  effect: Effect,
  action: ClaimedAction,
  ctx: ExecutionContext,
  segments: Segments,
): void {
  const a = action.id;
  switch (effect.type) {
    case "insert_member":
      rows.insertMembers.push(memberRow(a, effect.memberId, effect.fields));
      return;
    case "update_member":
      rows.updateMembers.push(memberRow(a, effect.memberId, effect.fields));
      return;
    case "join_hub":
      rows.joinHub.push([a, effect.memberId]);
      return;
    case "leave_hub":
      rows.leaveHub.push([a, effect.memberId]);
      return;
    case "invite": {
      const dedupeKey = `invite:${a}`;
      const invitation = {
        tenantId: ctx.tenantId,
        hubId: ctx.hubId,
        memberId: effect.memberId,
        actionId: a,
        email: effect.email,
        name: effect.name,
        dedupeKey,
        now: ctx.now,
      };
      const mail = {
        tenantName: ctx.tenantName,
        hubName: ctx.hubName,
        template: ctx.inviteTemplate,
        acceptUrl: ctx.acceptUrl,
      };
      invites.push(
        invitationValues(invitation, mail).then((v) => [
          a,
          effect.memberId,
          v.id,
          v.tokenHash,
          v.expiresAt,
          crypto.randomUUID(),
          dedupeKey,
          effect.email,
          v.email.subject,
          v.email.text,
          v.email.html,
        ]),
      );
      return;
    }
    case "audit":
      rows.audit.push([
        a,
        action.approvedBy,
        effect.memberId,
        effect.change,
        effect.before === null || effect.before === undefined ? null : JSON.stringify(effect.before),
        effect.after === null || effect.after === undefined ? null : JSON.stringify(effect.after),
      ]);
      return;
    case "segment_option": {
      // As the per-action statements: only values the tenant did not have before the batch.
      const folded = fold(effect.value);
      const known = segments.existing.get(effect.key);
      if (known?.has(folded)) return;
      if (!known) {
        const column = segments.columns.get(effect.key);
        const kind = column?.kind === "role" || column?.kind === "segment" ? column.kind : effect.kind;
        rows.fields.push([
          a,
          crypto.randomUUID(),
          effect.key,
          column?.column ?? effect.key,
          kind,
          column?.visibility ?? "private",
        ]);
      }
      rows.options.push([a, crypto.randomUUID(), effect.key, effect.value, folded]);
    }
  }
}

/** A member's written fields as the set statements read them: columns present are written. */
function memberRow(actionId: string, memberId: string, fields: MemberFields): Record<string, unknown> {
  const core: Record<string, string | null> = {};
  for (const [field, value] of Object.entries(fields.core)) {
    core[COLUMN_OF[field as CoreField | DerivedField]] = value ?? null;
  }
  const row: Record<string, unknown> = { a: actionId, m: memberId, c: core };
  if (fields.profile) row.p = JSON.stringify(fields.profile);
  if (fields.status) row.s = fields.status;
  if (fields.source) row.o = fields.source;
  if (fields.deletedAt !== undefined) row.d = fields.deletedAt;
  return row;
}

/** The rows as JSON arrays of at most PART_BYTES each (none for no rows). */
function parts(rows: unknown[]): string[] {
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
