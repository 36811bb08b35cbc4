// The baseline the benchmark compares against: the straightforward per-row implementation of the
// same sync, used only here. Rows are materialised as objects (Papa's header mode), and every row
// costs its own queries over the same sqld: look the person up, look their manager up, insert the
// action; apply reads each action and writes each effect with one statement, each committed on
// its own. It plans the same kinds of action as the product for this export (invite, update,
// deactivate, error) and writes the same rows when applying, so its cost is comparable.
import type { Client, InValue } from "@libsql/client";
import Papa from "papaparse";
import { sha256Hex } from "../../worker/keys.ts";
import { DEFAULT_INVITE_TEMPLATE, renderInvite } from "../../worker/mail/template.ts";
import { MAPPING } from "./data.ts";

const LEAVER = /^(terminated|inactive|left)$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** The members table's column of each core field an export fills. */
export const MEMBER_COLUMNS: Record<string, string> = {
  employeeId: "employee_id",
  firstName: "first_name",
  lastName: "last_name",
  email: "email",
  jobTitle: "job_title",
  department: "department",
  location: "location",
  country: "country",
  manager: "manager",
  startDate: "start_date",
  employmentStatus: "employment_status",
  terminationDate: "termination_date",
};

type Row = Record<string, string>;
type Member = Record<string, unknown>;

export interface Person {
  line: number;
  core: Record<string, string | null>;
  profile: Record<string, string>;
  approverId: string | null;
}

async function one(client: Client, sql: string, args: InValue[]): Promise<Member | undefined> {
  const result = await client.execute({ sql, args });
  return result.rows[0] as Member | undefined;
}

async function run(client: Client, sql: string, args: InValue[]): Promise<void> {
  await client.execute({ sql, args });
}

function personOf(row: Row, line: number): Person | string {
  const core: Record<string, string | null> = {};
  const profile: Record<string, string> = {};
  for (const m of MAPPING) {
    if (!m.field) continue;
    const value = (row[m.column] ?? "").trim() || null;
    if (m.kind === "core") core[m.field] = m.field === "email" ? (value?.toLowerCase() ?? null) : value;
    else if (value) profile[m.field] = value;
  }
  if (!core.email || !EMAIL.test(core.email)) return `Row ${line}: no valid email.`;
  for (const field of ["startDate", "terminationDate"]) {
    const value = core[field];
    if (value && !ISO_DATE.test(value)) return `Row ${line}: ${field} is not a date.`;
  }
  return { line, core, profile, approverId: null };
}

/** First and last name, as far as the row gives them. */
export function fullName(core: Person["core"]): string {
  return [core.firstName, core.lastName].filter(Boolean).join(" ");
}

function rowsOf(csv: string): Row[] {
  return Papa.parse<Row>(csv, { header: true, skipEmptyLines: true }).data;
}

/** The export's valid, employed people: those a first sync invites. */
export function baselinePeople(csv: string): Person[] {
  const today = new Date().toISOString().slice(0, 10);
  return rowsOf(csv).flatMap((row, i) => {
    const person = personOf(row, i + 2);
    return typeof person === "string" || !employed(person, today) ? [] : [person];
  });
}

function employed(person: Person, today: string): boolean {
  if (LEAVER.test(person.core.employmentStatus ?? "")) return false;
  const ended = person.core.terminationDate;
  return !ended || ended >= today;
}

function changesOf(person: Person, member: Member) {
  const changes: { field: string; before: unknown; after: unknown }[] = [];
  for (const [field, after] of Object.entries(person.core)) {
    const before = member[MEMBER_COLUMNS[field] as string] ?? null;
    if (before !== after) changes.push({ field, before, after });
  }
  if ((member.approver_id ?? null) !== person.approverId) {
    changes.push({ field: "approverId", before: member.approver_id ?? null, after: person.approverId });
  }
  const profile = JSON.parse(String(member.profile ?? "{}")) as Record<string, string>;
  for (const [field, after] of Object.entries(person.profile)) {
    if (profile[field] !== after) changes.push({ field, before: profile[field] ?? null, after });
  }
  return changes;
}

export interface BaselineTenant {
  tenantId: string;
  hubId: string;
}

/** Plans `csv` for the tenant one row at a time; returns the plan id. */
export async function baselinePlan(client: Client, tenant: BaselineTenant, csv: string): Promise<string> {
  const { tenantId, hubId } = tenant;
  const today = new Date().toISOString().slice(0, 10);
  const rows = rowsOf(csv);
  const importId = crypto.randomUUID();
  const planId = crypto.randomUUID();
  await run(
    client,
    "INSERT INTO imports (id, tenant_id, hub_id, source, columns, row_count) VALUES (?, ?, ?, 'upload', ?, ?)",
    [importId, tenantId, hubId, JSON.stringify(Object.keys(rows[0] ?? {})), rows.length],
  );
  await run(
    client,
    "INSERT INTO plans (id, tenant_id, hub_id, import_id, status, summary, guard) VALUES (?, ?, ?, ?, 'ready', '{}', ?)",
    [
      planId,
      tenantId,
      hubId,
      importId,
      JSON.stringify({ deprovisions: 0, active: 0, limit: 0, blocked: false }),
    ],
  );
  let seq = 0;
  const action = (
    kind: string,
    line: number | null,
    member: Member | undefined,
    person: Person | null,
    extra: object,
  ) =>
    run(
      client,
      `INSERT INTO plan_actions (id, tenant_id, plan_id, seq, kind, row, member_id, member_version, email, employee_id,
         name, changes, payload, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        crypto.randomUUID(),
        tenantId,
        planId,
        seq++,
        kind,
        line,
        (member?.id as string | undefined) ?? null,
        (member?.version as number | undefined) ?? null,
        person?.core.email ?? (member?.email as string | undefined) ?? null,
        person?.core.employeeId ?? null,
        person ? fullName(person.core) : null,
        JSON.stringify("changes" in extra ? extra.changes : []),
        JSON.stringify("payload" in extra ? extra.payload : null),
        kind,
      ],
    );
  const seen = new Set<string>();
  for (const [i, row] of rows.entries()) {
    const person = personOf(row, i + 2);
    if (typeof person === "string") {
      await action("error", i + 2, undefined, null, {});
      continue;
    }
    const member =
      (person.core.employeeId
        ? await one(client, "SELECT * FROM members WHERE tenant_id = ? AND employee_id = ?", [
            tenantId,
            person.core.employeeId,
          ])
        : undefined) ??
      (await one(client, "SELECT * FROM members WHERE tenant_id = ? AND email = ?", [
        tenantId,
        person.core.email,
      ]));
    if (person.core.manager) {
      const manager = await one(client, "SELECT id FROM members WHERE tenant_id = ? AND employee_id = ?", [
        tenantId,
        person.core.manager,
      ]);
      person.approverId = (manager?.id as string | undefined) ?? null;
    }
    if (!member) {
      if (!employed(person, today)) continue;
      const payload = { memberId: crypto.randomUUID(), core: person.core, profile: person.profile };
      await action("invite", person.line, undefined, person, { payload });
      continue;
    }
    seen.add(member.id as string);
    const changes = changesOf(person, member);
    const payload = {
      core: person.core,
      derived: { approverId: person.approverId },
      profile: person.profile,
    };
    if (!employed(person, today) && member.status !== "inactive") {
      await action("deactivate", person.line, member, person, { changes, payload });
    } else if (changes.length > 0) {
      await action("update", person.line, member, person, { changes, payload });
    }
  }
  const active = await client.execute({
    sql: `SELECT m.* FROM members m JOIN hub_memberships h ON h.member_id = m.id AND h.hub_id = ?
          WHERE m.tenant_id = ? AND m.source = 'hris' AND m.status IN ('active', 'invited')`,
    args: [hubId, tenantId],
  });
  for (const member of active.rows as unknown as Member[]) {
    if (!seen.has(member.id as string)) await action("deactivate", null, member, null, {});
  }
  return planId;
}

/** Approves and executes the plan's actions one at a time, one statement per effect. */
export async function baselineApply(client: Client, tenant: BaselineTenant, planId: string): Promise<number> {
  const { tenantId, hubId } = tenant;
  await run(
    client,
    "UPDATE plan_actions SET approved = 1, approved_by = 'baseline' WHERE plan_id = ? AND kind <> 'error'",
    [planId],
  );
  const list = await client.execute({
    sql: "SELECT id FROM plan_actions WHERE plan_id = ? AND approved = 1 AND status = 'pending' ORDER BY seq",
    args: [planId],
  });
  const now = new Date().toISOString();
  for (const { id } of list.rows) {
    const action = (await one(client, "SELECT * FROM plan_actions WHERE id = ?", [id])) as Member;
    const payload = JSON.parse(String(action.payload ?? "null")) as {
      memberId?: string;
      core?: Record<string, string | null>;
      derived?: { approverId?: string | null };
      profile?: Record<string, string>;
    } | null;
    if (action.kind === "invite" && payload?.memberId && payload.core) {
      const taken = await one(
        client,
        "SELECT id FROM members WHERE tenant_id = ? AND (email = ? OR employee_id = ?)",
        [tenantId, action.email as string, action.employee_id as string | null],
      );
      if (taken) {
        await run(client, "UPDATE plan_actions SET status = 'stale' WHERE id = ?", [id]);
        continue;
      }
      const columns = Object.keys(payload.core).map((f) => MEMBER_COLUMNS[f] as string);
      await run(
        client,
        `INSERT INTO members (id, tenant_id, source, status, profile, ${columns.join(", ")})
         VALUES (?, ?, 'hris', 'invited', ?, ${columns.map(() => "?").join(", ")})`,
        [payload.memberId, tenantId, JSON.stringify(payload.profile ?? {}), ...Object.values(payload.core)],
      );
      await run(client, "INSERT INTO hub_memberships (tenant_id, hub_id, member_id) VALUES (?, ?, ?)", [
        tenantId,
        hubId,
        payload.memberId,
      ]);
      const token = crypto.randomUUID();
      await run(
        client,
        `INSERT INTO invitations (id, tenant_id, hub_id, member_id, action_id, token_hash, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [crypto.randomUUID(), tenantId, hubId, payload.memberId, id, await sha256Hex(token), now],
      );
      const mail = renderInvite(DEFAULT_INVITE_TEMPLATE, {
        tenantName: "Bench",
        hubName: "Everyone",
        name: String(action.name ?? action.email),
        acceptUrl: `http://127.0.0.1/accept?token=${token}`,
      });
      await run(
        client,
        `INSERT INTO outbox (id, tenant_id, channel, dedupe_key, recipient, subject, text, html)
         VALUES (?, ?, 'email', ?, ?, ?, ?, ?)`,
        [
          crypto.randomUUID(),
          tenantId,
          `invite:${id}`,
          action.email as string,
          mail.subject,
          mail.text,
          mail.html,
        ],
      );
    } else if (action.member_id) {
      const member = await one(client, "SELECT version FROM members WHERE id = ?", [
        action.member_id as string,
      ]);
      if (member?.version !== action.member_version) {
        await run(client, "UPDATE plan_actions SET status = 'stale' WHERE id = ?", [id]);
        continue;
      }
      const core = payload?.core ?? {};
      const sets = Object.keys(core).map((f) => `${MEMBER_COLUMNS[f]} = ?`);
      if (action.kind === "deactivate") sets.push("status = 'inactive'");
      await run(client, `UPDATE members SET ${[...sets, "version = version + 1"].join(", ")} WHERE id = ?`, [
        ...Object.values(core),
        action.member_id as string,
      ]);
    }
    await run(
      client,
      `INSERT INTO audit_log (tenant_id, actor_type, actor_id, action_id, member_id, change, after)
       VALUES (?, 'admin', 'baseline', ?, ?, ?, ?)`,
      [
        tenantId,
        id,
        (action.member_id as string | null) ?? payload?.memberId ?? null,
        action.kind as string,
        action.payload as string | null,
      ],
    );
    await run(client, "UPDATE plan_actions SET status = 'done', executed_at = ? WHERE id = ?", [now, id]);
  }
  return list.rows.length;
}

/** One employee.updated event, per row: find the person, plan it, approve, apply, audit. */
export async function baselineEvent(
  client: Client,
  tenant: BaselineTenant,
  employeeId: string,
  jobTitle: string,
): Promise<void> {
  const { tenantId, hubId } = tenant;
  const member = await one(client, "SELECT * FROM members WHERE tenant_id = ? AND employee_id = ?", [
    tenantId,
    employeeId,
  ]);
  if (!member) throw new Error(`baseline event: no member ${employeeId}`);
  const importId = crypto.randomUUID();
  const planId = crypto.randomUUID();
  const actionId = crypto.randomUUID();
  await run(
    client,
    "INSERT INTO imports (id, tenant_id, hub_id, source, partial, columns, row_count) VALUES (?, ?, ?, 'event', 1, '[]', 1)",
    [importId, tenantId, hubId],
  );
  await run(
    client,
    "INSERT INTO plans (id, tenant_id, hub_id, import_id, status, summary, guard) VALUES (?, ?, ?, ?, 'ready', '{}', '{}')",
    [planId, tenantId, hubId, importId],
  );
  const changes = [{ field: "jobTitle", before: member.job_title, after: jobTitle }];
  await run(
    client,
    `INSERT INTO plan_actions (id, tenant_id, plan_id, seq, kind, member_id, member_version, changes, reason, approved)
     VALUES (?, ?, ?, 0, 'update', ?, ?, ?, 'event', 1)`,
    [actionId, tenantId, planId, member.id as string, member.version as number, JSON.stringify(changes)],
  );
  await run(client, "UPDATE members SET job_title = ?, version = version + 1 WHERE id = ? AND version = ?", [
    jobTitle,
    member.id as string,
    member.version as number,
  ]);
  await run(
    client,
    `INSERT INTO audit_log (tenant_id, actor_type, actor_id, action_id, member_id, change, after)
     VALUES (?, 'event', 'baseline', ?, ?, 'update', ?)`,
    [tenantId, actionId, member.id as string, JSON.stringify({ jobTitle })],
  );
  await run(client, "UPDATE plan_actions SET status = 'done' WHERE id = ?", [actionId]);
}
