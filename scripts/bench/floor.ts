// The write floor of a first sync: what storing its rows costs on this sqld when nothing else is
// done. A first sync must leave, for each new person, a plan action (the admin reviews it), a
// member, a hub membership, an invitation, a queued email and an audit entry. Here those rows,
// shaped as the product writes them (time-ordered ids and token keys, the rendered email, the
// record as payload and audit), are written the cheapest way we know: one json_each INSERT per
// table per 2,000 people, one request per 2,000. Parsing, planning, token hashing and rendering
// happen before the clock starts; nothing is read, claimed or checked. Our first sync cannot be
// faster than this on the same database, whatever its engine does; the ratio says how far off it is.
import type { Client, InValue } from "@libsql/client";
import { timeOrderedId } from "../../worker/keys.ts";
import { DEFAULT_INVITE_TEMPLATE } from "../../worker/mail/template.ts";
import { invitationsValues } from "../../worker/store/invitations.ts";
import { baselinePeople, fullName, MEMBER_COLUMNS } from "./baseline.ts";
import type { BenchTenant } from "./setup.ts";

export interface WriteFloor {
  /** Storing every person's plan action. */
  planSeconds: number;
  /** Writing every person's member, membership, invitation, email and audit entry. */
  applySeconds: number;
  people: number;
}

const PART = 2_000;
const ROWS = "WITH x AS MATERIALIZED (SELECT jsonb(value) AS v FROM json_each(?1)) ";
const v = (i: number) => `x.v->>'$[${i}]'`;
const CORE_FIELDS = Object.keys(MEMBER_COLUMNS);
const COLUMNS = Object.values(MEMBER_COLUMNS);

const INSERT_ACTIONS = `${ROWS}INSERT INTO plan_actions (id, tenant_id, plan_id, seq, kind, row, email, employee_id, name,
  payload, reason, approved, approved_by)
  SELECT ${v(0)}, ?, ?, ${v(1)}, 'invite', ${v(2)}, ${v(3)}, ${v(4)}, ${v(5)}, ${v(6)},
    'New in the HRIS and not yet on the platform.', 1, 'bench' FROM x WHERE true`;
const INSERT_MEMBERS = `${ROWS}INSERT INTO members (id, tenant_id, source, status, profile, ${COLUMNS.join(", ")}, created_at, updated_at)
  SELECT ${v(0)}, ?2, 'hris', 'invited', ${v(1)}, ${COLUMNS.map((_, i) => v(i + 2)).join(", ")}, ?3, ?3 FROM x WHERE true`;
const INSERT_MEMBERSHIPS = `${ROWS}INSERT INTO hub_memberships (tenant_id, hub_id, member_id, created_at)
  SELECT ?, ?, ${v(0)}, ? FROM x WHERE true`;
const INSERT_INVITATIONS = `${ROWS}INSERT INTO invitations (id, tenant_id, hub_id, member_id, action_id, token_hash, expires_at, created_at)
  SELECT ${v(0)}, ?, ?, ${v(1)}, ${v(2)}, ${v(3)}, ${v(4)}, ? FROM x WHERE true`;
const INSERT_OUTBOX = `${ROWS}INSERT INTO outbox (id, tenant_id, channel, dedupe_key, recipient, subject, text, html, created_at)
  SELECT ${v(0)}, ?, 'email', 'invite:' || (${v(1)}), ${v(2)}, ${v(3)}, ${v(4)}, ${v(5)}, ? FROM x WHERE true`;
const INSERT_AUDIT = `${ROWS}INSERT INTO audit_log (tenant_id, actor_type, actor_id, action_id, approved_by, member_id, change, after, at)
  SELECT ?, 'admin', 'bench', ${v(0)}, 'bench', ${v(1)}, 'invite', ${v(2)}, ? FROM x WHERE true`;

/** Writes a first sync's rows for `csv` into the (empty) tenant and times the writes alone. */
export async function measureWriteFloor(
  client: Client,
  tenant: BenchTenant,
  csv: string,
): Promise<WriteFloor> {
  const parts = await floorRows(tenant, csv);
  const now = new Date().toISOString();
  const importId = timeOrderedId();
  const planId = timeOrderedId();
  await client.batch(
    [
      {
        sql: "INSERT INTO imports (id, tenant_id, hub_id, source, columns, row_count) VALUES (?, ?, ?, 'upload', '[]', 0)",
        args: [importId, tenant.tenantId, tenant.hubId],
      },
      {
        sql: "INSERT INTO plans (id, tenant_id, hub_id, import_id, status, summary, guard) VALUES (?, ?, ?, ?, 'ready', '{}', ?)",
        args: [
          planId,
          tenant.tenantId,
          tenant.hubId,
          importId,
          JSON.stringify({ deprovisions: 0, active: 0, limit: 0, blocked: false }),
        ],
      },
    ],
    "write",
  );
  let started = performance.now();
  for (const part of parts) {
    await client.execute({ sql: INSERT_ACTIONS, args: [part.actions, tenant.tenantId, planId] });
  }
  const planSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  const { tenantId, hubId } = tenant;
  for (const part of parts) {
    const statement = (sql: string, rows: string, ...args: InValue[]) => ({ sql, args: [rows, ...args] });
    await client.batch(
      [
        statement(INSERT_MEMBERS, part.members, tenantId, now),
        statement(INSERT_MEMBERSHIPS, part.memberships, tenantId, hubId, now),
        statement(INSERT_INVITATIONS, part.invitations, tenantId, hubId, now),
        statement(INSERT_OUTBOX, part.outbox, tenantId, now),
        statement(INSERT_AUDIT, part.audit, tenantId, now),
      ],
      "write",
    );
  }
  const applySeconds = (performance.now() - started) / 1000;
  const people = parts.reduce((n, p) => n + p.count, 0);
  await expectWritten(client, tenantId, people);
  return { planSeconds, applySeconds, people };
}

/** A floor that wrote less than it should would flatter the ratio: every table must hold everyone. */
async function expectWritten(client: Client, tenantId: string, people: number): Promise<void> {
  const tables = ["plan_actions", "members", "hub_memberships", "invitations", "outbox", "audit_log"];
  const counts = await client.batch(
    tables.map((table) => ({
      sql: `SELECT count(*) AS n FROM ${table} WHERE tenant_id = ?`,
      args: [tenantId],
    })),
    "read",
  );
  counts.forEach((result, i) => {
    const n = Number(result.rows[0]?.n);
    if (n !== people) throw new Error(`The write floor left ${n} rows in ${tables[i]}, not ${people}.`);
  });
}

interface FloorPart {
  count: number;
  actions: string;
  members: string;
  memberships: string;
  invitations: string;
  outbox: string;
  audit: string;
}

/** The export's employed people as the JSON rows of each table, 2,000 people a part. */
async function floorRows(tenant: BenchTenant, csv: string): Promise<FloorPart[]> {
  const people = baselinePeople(csv);
  const parts: FloorPart[] = [];
  const now = new Date();
  for (let start = 0; start < people.length; start += PART) {
    const slice = people.slice(start, start + PART);
    const invites = await invitationsValues(
      slice.map((p) => ({ email: p.core.email as string, name: fullName(p.core) || null, now })),
      {
        tenantName: "Bench",
        hubName: "Everyone",
        template: DEFAULT_INVITE_TEMPLATE,
        acceptUrl: `http://127.0.0.1/invitations/accept?tenant=${tenant.tenantId}&token=`,
      },
    );
    const rows = slice.map((person, i) => {
      const core = Object.fromEntries(CORE_FIELDS.map((f) => [f, person.core[f] ?? null]));
      const memberId = timeOrderedId();
      const record = { core, profile: person.profile, status: "invited" };
      return {
        actionId: timeOrderedId(),
        memberId,
        seq: start + i,
        person,
        core,
        record,
        invite: invites[i] as (typeof invites)[number],
      };
    });
    parts.push({
      count: rows.length,
      actions: JSON.stringify(
        rows.map((r) => [
          r.actionId,
          r.seq,
          r.person.line,
          r.core.email,
          r.core.employeeId,
          fullName(r.core) || null,
          JSON.stringify({ memberId: r.memberId, core: r.core, profile: r.person.profile }),
        ]),
      ),
      members: JSON.stringify(
        rows.map((r) => [r.memberId, JSON.stringify(r.person.profile), ...CORE_FIELDS.map((f) => r.core[f])]),
      ),
      memberships: JSON.stringify(rows.map((r) => [r.memberId])),
      invitations: JSON.stringify(
        rows.map((r) => [r.invite.id, r.memberId, r.actionId, r.invite.tokenHash, r.invite.expiresAt]),
      ),
      outbox: JSON.stringify(
        rows.map((r) => [
          timeOrderedId(),
          r.actionId,
          r.core.email,
          r.invite.email.subject,
          r.invite.email.text,
          r.invite.email.html,
        ]),
      ),
      audit: JSON.stringify(rows.map((r) => [r.actionId, r.memberId, JSON.stringify(r.record)])),
    });
  }
  return parts;
}
