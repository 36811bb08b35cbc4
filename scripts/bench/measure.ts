// The measured steps, each through the worker's HTTP API exactly as a client drives it: upload an
// export and get its plan; approve everything and execute until done; send signed HRIS events.
import { createHmac } from "node:crypto";
import { sql } from "drizzle-orm";
import type { BenchStack, BenchTenant } from "./setup.ts";

export interface PlanTiming {
  seconds: number;
  planId: string;
  summary: Record<string, number>;
  blocked: boolean;
}

const json = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

async function ok(response: Response, what: string): Promise<unknown> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

/** Upload → plan stored, summary returned. */
export async function measurePlan(tenant: BenchTenant, csv: Uint8Array): Promise<PlanTiming> {
  const started = performance.now();
  const response = await tenant.api(`/v1/hubs/${tenant.hubId}/imports?filename=export.csv`, {
    method: "POST",
    headers: { "content-type": "text/csv" },
    body: csv,
  });
  const body = (await ok(response, "import")) as {
    plan: { id: string; summary: Record<string, number>; status: string };
  };
  const seconds = (performance.now() - started) / 1000;
  return {
    seconds,
    planId: body.plan.id,
    summary: body.plan.summary,
    blocked: body.plan.status === "blocked",
  };
}

interface Progress {
  approved: number;
  done: number;
  failed: number;
  stale: number;
  complete: boolean;
}

/** Approve all → execute until every approved action has run. */
export async function measureApply(
  tenant: BenchTenant,
  planId: string,
): Promise<{ seconds: number; progress: Progress }> {
  const started = performance.now();
  await ok(await tenant.api(`/v1/plans/${planId}/approvals`, json({ all: true })), "approve");
  for (;;) {
    const response = await tenant.api(`/v1/plans/${planId}/execute`, { method: "POST" });
    // "Busy, try again shortly" (the worker's background mail delivery holds the write lock): as
    // a client does, try again.
    if (response.status === 503) {
      await response.text();
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    const plan = (await ok(response, "execute")) as { progress: Progress };
    if (plan.progress.complete) {
      return { seconds: (performance.now() - started) / 1000, progress: plan.progress };
    }
  }
}

/**
 * The worker delivers queued invitation emails in the background after an execution; the next
 * measurement waits until that settles so it does not share the machine with it.
 */
export async function waitForMail(stack: BenchStack, tenantId: string, timeoutMs = 120_000): Promise<number> {
  const started = Date.now();
  let last = -1;
  let steadySince = Date.now();
  for (;;) {
    const rows = await stack.db.all<{ n: number }>(
      sql`select count(*) as n from outbox where tenant_id = ${tenantId} and status = 'queued'`,
    );
    const queued = Number(rows[0]?.n ?? 0);
    if (queued === 0) return 0;
    if (queued !== last) {
      last = queued;
      steadySince = Date.now();
    }
    // Delivery runs within a time budget per request; what it leaves waits for the cron.
    if (Date.now() - steadySince > 3_000 || Date.now() - started > timeoutMs) return queued;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function sign(body: string, secret: string): string {
  const t = Math.floor(Date.now() / 1000);
  return `t=${t},v1=${createHmac("sha256", secret).update(`${t}.${body}`).digest("hex")}`;
}

export interface EventTimings {
  p50: number;
  p99: number;
  /** Events whose update was applied at once (the default auto-apply policy covers updates). */
  applied: number;
}

/** `count` employee.updated events for people the tenant has, one after another, each timed. */
export async function measureEvents(
  tenant: BenchTenant,
  employeeIds: string[],
  count: number,
): Promise<EventTimings> {
  const { secret } = (await ok(await tenant.api("/v1/events/secret", json({})), "event secret")) as {
    secret: string;
  };
  const times: number[] = [];
  let applied = 0;
  for (let i = 0; i < count; i++) {
    const employeeId = employeeIds[i % employeeIds.length] as string;
    const raw = JSON.stringify({
      id: `bench-${i}-${crypto.randomUUID()}`,
      type: "employee.updated",
      occurredAt: new Date().toISOString(),
      hubId: tenant.hubId,
      employee: { employeeId, jobTitle: `Title ${i}` },
    });
    const started = performance.now();
    const response = await tenant.api("/v1/events", {
      method: "POST",
      headers: { "content-type": "application/json", "x-signature": sign(raw, secret) },
      body: raw,
    });
    const body = (await ok(response, "event")) as { actions: { status: string }[] };
    times.push(performance.now() - started);
    if (body.actions.some((a) => a.status === "done")) applied++;
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99), applied };
}
