// Tenant webhook endpoints, and the events queued for them in the outbox (channel "webhook"). An
// event is written in the same batch as the change it announces, or keyed so that announcing it
// twice queues it once (the outbox's unique dedupe key).
import type { ResultSet } from "@libsql/client";
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { type ActionKind, MEMBER_CHANGE_KINDS, outbox, webhooks } from "../../db/schema.ts";
import { AppError } from "../errors.ts";
import { memberEventOf, subscribes, type WebhookEventType } from "../webhook-events.ts";
import type { Args, Stmt } from "./audit.ts";
import type { PlanView } from "./plans.ts";

// libSQL caps a statement's bound parameters; 8 columns an outbox row keeps a chunk well under it.
const INSERT_CHUNK = 100;

export interface WebhookEvent {
  type: WebhookEventType;
  /** Unique per announced fact: the same fact announced again is queued once per endpoint. */
  key: string;
  data: Record<string, unknown>;
  at: string;
}

export async function createWebhook(
  db: Db,
  tenantId: string,
  input: { url: string; events: string[]; description: string | null },
) {
  const [row] = await db
    .insert(webhooks)
    .values({ id: crypto.randomUUID(), tenantId, ...input })
    .returning();
  if (!row) throw new AppError("internal", "The webhook was not saved.");
  return row;
}

export async function listWebhooks(db: Db, tenantId: string) {
  return db
    .select()
    .from(webhooks)
    .where(eq(webhooks.tenantId, tenantId))
    .orderBy(asc(webhooks.createdAt), asc(webhooks.id));
}

export async function getWebhook(db: Db, tenantId: string, id: string) {
  const row = await db.query.webhooks.findFirst({
    where: and(eq(webhooks.tenantId, tenantId), eq(webhooks.id, id)),
  });
  if (!row) throw new AppError("not_found", `No webhook ${id} in this tenant.`);
  return row;
}

/** Deletes the endpoint; what was queued for it is dropped, not delivered. */
export async function deleteWebhook(db: Db, tenantId: string, id: string) {
  await getWebhook(db, tenantId, id);
  await db.batch([
    db
      .update(outbox)
      .set({ status: "failed", lastError: "The webhook endpoint was deleted." })
      .where(
        and(
          eq(outbox.tenantId, tenantId),
          eq(outbox.channel, "webhook"),
          eq(outbox.recipient, id),
          eq(outbox.status, "queued"),
        ),
      ),
    db.delete(webhooks).where(and(eq(webhooks.tenantId, tenantId), eq(webhooks.id, id))),
  ]);
}

/**
 * Outbox inserts for `event`, one per subscribed endpoint, each only where `guard` holds (so a
 * caller can put them in the batch that makes the change, under the change's precondition).
 */
export function webhookStatements(
  tenantId: string,
  endpoints: Pick<typeof webhooks.$inferSelect, "id" | "events">[],
  event: WebhookEvent,
  guard = "1",
  guardArgs: Args = [],
): Stmt[] {
  const eventId = crypto.randomUUID();
  const body = JSON.stringify({ id: eventId, type: event.type, createdAt: event.at, data: event.data });
  return endpoints
    .filter((w) => subscribes(w.events, event.type))
    .map((w) => ({
      sql: `INSERT INTO outbox (id, tenant_id, channel, dedupe_key, recipient, subject, text, created_at)
            SELECT ?, ?, 'webhook', ?, ?, ?, ?, ? WHERE ${guard} ON CONFLICT DO NOTHING`,
      args: [
        crypto.randomUUID(),
        tenantId,
        `webhook:${w.id}:${event.key}`,
        w.id,
        event.type,
        body,
        event.at,
        ...guardArgs,
      ],
    }));
}

type Endpoint = Pick<typeof webhooks.$inferSelect, "id" | "events">;

/** The tenant's endpoints and what they subscribe to, as a statement for a batch. */
export function endpointsStatement(tenantId: string): Stmt {
  return {
    sql: "SELECT id, events FROM webhooks WHERE tenant_id = ? ORDER BY created_at, id",
    args: [tenantId],
  };
}

export function endpointsFrom(result: ResultSet): Endpoint[] {
  return result.rows.map((r) => ({ id: String(r.id), events: JSON.parse(String(r.events)) as string[] }));
}

export async function queueWebhookEvents(
  db: Db,
  tenantId: string,
  events: WebhookEvent[],
  known?: Endpoint[],
): Promise<void> {
  if (events.length === 0) return;
  const endpoints = known ?? (await listWebhooks(db, tenantId));
  if (endpoints.length === 0) return;
  const statements = events.flatMap((e) => webhookStatements(tenantId, endpoints, e));
  for (let i = 0; i < statements.length; i += INSERT_CHUNK) {
    await db.$client.batch(statements.slice(i, i + INSERT_CHUNK), "write");
  }
}

/**
 * Outbox inserts for `event` for every endpoint subscribed to it, found by the statement itself
 * (as subscribes() matches): for a batch that has not read the endpoints.
 */
export function subscribedStatement(tenantId: string, event: WebhookEvent): Stmt {
  const body = JSON.stringify({
    id: crypto.randomUUID(),
    type: event.type,
    createdAt: event.at,
    data: event.data,
  });
  return {
    sql: `INSERT INTO outbox (id, tenant_id, channel, dedupe_key, recipient, subject, text, created_at)
          SELECT lower(hex(randomblob(16))), w.tenant_id, 'webhook', 'webhook:' || w.id || ':' || ?, w.id, ?, ?, ?
          FROM webhooks w
          WHERE w.tenant_id = ? AND EXISTS (SELECT 1 FROM json_each(w.events) s WHERE s.value IN ('*', ?, ?))
          ON CONFLICT DO NOTHING`,
    args: [event.key, event.type, body, event.at, tenantId, event.type, `${event.type.split(".")[0]}.*`],
  };
}

/** `plan.created` for a plan just stored, as a statement for the batch that logs it. */
export function planCreatedStatement(plan: PlanView): Stmt {
  return subscribedStatement(plan.tenantId, {
    type: "plan.created",
    key: `plan.created:${plan.id}`,
    at: plan.createdAt,
    data: {
      planId: plan.id,
      hubId: plan.hubId,
      status: plan.status,
      summary: plan.summary,
      guard: plan.guard,
    },
  });
}

/** The plan's done actions an execution announces, as a statement for a batch; doneFrom reads them. */
export function doneStatement(tenantId: string, planId: string): Stmt {
  return {
    sql: `SELECT id, kind, member_id, payload, email, employee_id, executed_at FROM plan_actions
          WHERE tenant_id = ? AND plan_id = ? AND status = 'done'
            AND kind IN (${MEMBER_CHANGE_KINDS.map(() => "?").join(", ")})
          ORDER BY seq`,
    args: [tenantId, planId, ...MEMBER_CHANGE_KINDS],
  };
}

export interface DoneAction {
  id: string;
  kind: ActionKind;
  memberId: string | null;
  payload: Record<string, unknown> | null;
  email: string | null;
  employeeId: string | null;
  executedAt: string | null;
}

export function doneFrom(result: ResultSet): DoneAction[] {
  return result.rows.map((r) => ({
    id: String(r.id),
    kind: r.kind as ActionKind,
    memberId: (r.member_id as string | null) ?? null,
    payload: r.payload === null ? null : (JSON.parse(String(r.payload)) as Record<string, unknown>),
    email: (r.email as string | null) ?? null,
    employeeId: (r.employee_id as string | null) ?? null,
    executedAt: (r.executed_at as string | null) ?? null,
  }));
}

/**
 * After an execution run: a `member.*` event for each action that took effect, and `plan.executed`
 * once no approved action is pending. Keyed by action and plan, so calling it after every run of a
 * long plan announces each fact once. `plan` is the plan as the run left it.
 */
export async function announceExecution(
  db: Db,
  plan: PlanView,
  endpoints: Endpoint[],
  done?: DoneAction[],
): Promise<void> {
  if (endpoints.length === 0) return;
  const actions = done ?? doneFrom(await db.$client.execute(doneStatement(plan.tenantId, plan.id)));
  await queueWebhookEvents(db, plan.tenantId, executionEvents(plan, actions), endpoints);
}

function executionEvents(plan: PlanView, done: DoneAction[]): WebhookEvent[] {
  const events: WebhookEvent[] = [];
  for (const a of done) {
    const type = memberEventOf(a.kind);
    if (!type) continue;
    // An invite's member id is chosen at planning time and kept in its payload.
    const memberId = a.memberId ?? (a.payload?.memberId as string | undefined) ?? null;
    events.push({
      type,
      key: `action:${a.id}`,
      at: a.executedAt ?? new Date().toISOString(),
      data: {
        memberId,
        email: a.email,
        employeeId: a.employeeId,
        hubId: plan.hubId,
        planId: plan.id,
        actionId: a.id,
      },
    });
  }
  if (plan.progress.complete && plan.progress.approved > 0) {
    events.push({
      type: "plan.executed",
      // Approving more later and executing again is a new fact.
      key: `plan.executed:${plan.id}:${plan.progress.approved}`,
      at: new Date().toISOString(),
      data: { planId: plan.id, hubId: plan.hubId, progress: plan.progress },
    });
  }
  return events;
}
