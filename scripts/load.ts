// Mixed load against the worker under workerd with sqld, on 127.0.0.1, driven by autocannon:
// signed HRIS events (each with its own id, so none is a replay), plan and action reads, and member
// lists, in the ratio 1:1:1:1 on every connection. `findHighestRate` steps the connection count up
// (a few seconds a step) until a step sees an error or stops gaining throughput; `sustain` then
// holds the best count for the whole run, halving it while a run sees an error. The test (test/reliability/load.test.ts) runs a short
// version in CI; `npm run test:load` (or this file: `node scripts/load.ts --seconds 60`) the full one.
import { createHmac } from "node:crypto";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";

export interface LoadTarget {
  url: string;
  key: string;
  hubId: string;
  /** The tenant's event signing secret (whsec_…). */
  eventSecret: string;
  /** An executed plan, read by the plan and action requests. */
  planId: string;
  /** Employee ids of the tenant's members: the events update them in turn. */
  employeeIds: string[];
}

export interface LoadFigures {
  /** Every event id of the run starts with it. */
  runId: string;
  connections: number;
  seconds: number;
  requests: number;
  /** Completed requests per second, over the run. */
  rate: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Answers per kind of request. */
  byKind: Record<RequestKind, number>;
  /** Ids of the events answered 200 with a plan of their own (not a duplicate). */
  plannedEventIds: string[];
  /** 2xx answers whose body was not what the route promises. */
  badBodies: number;
  /** Answers other than 2xx, by request kind, status and problem code (`event 503 database_unavailable`). */
  refusals: Record<string, number>;
}

type RequestKind = "event" | "plan" | "actions" | "members";

/** Is the run clean: requests answered, and every one a 2xx with the body its route promises? */
export function clean(figures: LoadFigures): boolean {
  const failed = figures.non2xx + figures.errors + figures.timeouts + figures.badBodies;
  return figures.requests > 0 && failed === 0;
}

const SEED_HEADER = "Employee ID,First Name,Last Name,Work Email,Job Title,Start Date,Status";

/**
 * A tenant ready for load: an event secret, and `people` members imported, approved and executed
 * over HTTP (the plan of that import is the one the reads fetch).
 */
export async function prepareTarget(options: {
  url: string;
  key: string;
  hubId: string;
  people: number;
}): Promise<LoadTarget> {
  const call = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${options.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${options.key}`, ...(init.headers as Record<string, string>) },
    });
    if (!response.ok)
      throw new Error(`${init.method ?? "GET"} ${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<Record<string, unknown>>;
  };
  const json = (body?: unknown): RequestInit => ({
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  const secret = await call("/v1/events/secret", json());
  const employeeIds = Array.from({ length: options.people }, (_, i) => `L${i + 1}`);
  const rows = employeeIds.map(
    (id, i) => `${id},Load,Person${i + 1},load${i + 1}@load.test,Engineer,2020-01-01,Active`,
  );
  const imported = await call(`/v1/hubs/${options.hubId}/imports`, {
    method: "POST",
    headers: { "content-type": "text/csv" },
    body: [SEED_HEADER, ...rows].join("\n"),
  });
  const planId = (imported.plan as { id: string }).id;
  await call(`/v1/plans/${planId}/approvals`, json({ all: true }));
  for (;;) {
    const plan = await call(`/v1/plans/${planId}/execute`, { method: "POST" });
    if ((plan.progress as { complete: boolean }).complete) break;
  }
  return {
    url: options.url,
    key: options.key,
    hubId: options.hubId,
    eventSecret: secret.secret as string,
    planId,
    employeeIds,
  };
}

/** `X-Signature` as an HRIS sends it: HMAC-SHA256 over `<t>.<raw body>`. */
export function signEvent(body: string, secret: string, at = Date.now()): string {
  const t = Math.floor(at / 1000);
  return `t=${t},v1=${createHmac("sha256", secret).update(`${t}.${body}`).digest("hex")}`;
}

/** One connection's request cycle, and the tallies its answers feed. */
function mixedRequests(target: LoadTarget, runId: string, figures: LoadFigures): autocannon.Request[] {
  const auth = { authorization: `Bearer ${target.key}` };
  let sequence = 0;
  const tally = (kind: RequestKind, check: (body: Record<string, unknown>) => boolean) => {
    return (status: number, body: string) => {
      figures.byKind[kind] += 1;
      if (status < 200 || status >= 300) {
        const refusal = `${kind} ${status} ${problemCode(body)}`;
        figures.refusals[refusal] = (figures.refusals[refusal] ?? 0) + 1;
        return;
      }
      try {
        if (!check(JSON.parse(body) as Record<string, unknown>)) figures.badBodies += 1;
      } catch {
        figures.badBodies += 1;
      }
    };
  };
  const event: autocannon.Request = {
    method: "POST",
    path: "/v1/events",
    setupRequest: (request) => {
      const n = sequence++;
      const employeeId = target.employeeIds[n % target.employeeIds.length];
      const body = JSON.stringify({
        id: `${runId}-${n}`,
        type: "employee.updated",
        occurredAt: new Date().toISOString(),
        hubId: target.hubId,
        employee: { employeeId, jobTitle: `Engineer ${runId}-${n}` },
      });
      const headers = {
        ...auth,
        "content-type": "application/json",
        "x-signature": signEvent(body, target.eventSecret),
      };
      return { ...request, body, headers };
    },
    onResponse: tally("event", (body) => {
      const planned = body.duplicate === false && body.plan !== null && typeof body.eventId === "string";
      if (planned) figures.plannedEventIds.push(body.eventId as string);
      return planned;
    }),
  };
  return [
    event,
    {
      method: "GET",
      path: `/v1/plans/${target.planId}`,
      headers: auth,
      onResponse: tally("plan", (body) => body.id === target.planId),
    },
    {
      method: "GET",
      path: `/v1/plans/${target.planId}/actions?limit=100`,
      headers: auth,
      onResponse: tally("actions", (body) => Array.isArray(body.actions) && body.actions.length > 0),
    },
    {
      method: "GET",
      path: "/v1/members?limit=100",
      headers: auth,
      onResponse: tally("members", (body) => Array.isArray(body.members) && body.members.length > 0),
    },
  ];
}

function problemCode(body: string): string {
  try {
    return String((JSON.parse(body) as { code?: unknown }).code);
  } catch {
    return "(not a problem document)";
  }
}

/** Mixed traffic on `connections` connections for `seconds`; each connection waits for its answer. */
export async function runMixed(
  target: LoadTarget,
  options: { connections: number; seconds: number; runId: string },
): Promise<LoadFigures> {
  const figures: LoadFigures = {
    runId: options.runId,
    connections: options.connections,
    seconds: options.seconds,
    requests: 0,
    rate: 0,
    p50: 0,
    p99: 0,
    max: 0,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    byKind: { event: 0, plan: 0, actions: 0, members: 0 },
    plannedEventIds: [],
    badBodies: 0,
    refusals: {},
  };
  const result = await autocannon({
    url: target.url,
    connections: options.connections,
    duration: options.seconds,
    timeout: 10,
    requests: mixedRequests(target, options.runId, figures),
  });
  const requests = result["1xx"] + result["2xx"] + result["3xx"] + result["4xx"] + result["5xx"];
  return {
    ...figures,
    seconds: result.duration,
    requests,
    rate: Math.round(requests / result.duration),
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/**
 * Steps the connection count up (1, 2, 4, …, `maxConnections`), `stepSeconds` each, and returns
 * every step and the clean step with the highest rate. Stepping stops at the first step with an
 * error, or when doubling the connections twice running has not raised the rate by 5%: the worker
 * is then saturated, and more connections only queue.
 */
export async function findHighestRate(
  target: LoadTarget,
  options: { stepSeconds: number; maxConnections: number; runId: string },
): Promise<{ steps: LoadFigures[]; best: LoadFigures | null }> {
  const steps: LoadFigures[] = [];
  let best: LoadFigures | null = null;
  let flat = 0;
  for (let connections = 1; connections <= options.maxConnections && flat < 2; connections *= 2) {
    const step = await runMixed(target, {
      connections,
      seconds: options.stepSeconds,
      runId: `${options.runId}-c${connections}`,
    });
    steps.push(step);
    if (!clean(step)) break;
    flat = best === null || step.rate > best.rate * 1.05 ? 0 : flat + 1;
    if (best === null || step.rate > best.rate) best = step;
  }
  return { steps, best };
}

/**
 * Mixed traffic for `seconds` at `connections`; while a run is not clean, again at half the
 * connections (down to one). Returns every attempt and the clean one, if any.
 */
export async function sustain(
  target: LoadTarget,
  options: { connections: number; seconds: number; runId: string },
): Promise<{ attempts: LoadFigures[]; held: LoadFigures | null }> {
  const attempts: LoadFigures[] = [];
  for (let connections = options.connections; connections >= 1; connections = Math.floor(connections / 2)) {
    const run = await runMixed(target, {
      connections,
      seconds: options.seconds,
      runId: `${options.runId}-c${connections}`,
    });
    attempts.push(run);
    if (clean(run)) return { attempts, held: run };
  }
  return { attempts, held: null };
}

export function summarize(figures: LoadFigures): string {
  const kinds = Object.entries(figures.byKind)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(", ");
  return (
    `${figures.connections} connections, ${figures.seconds.toFixed(1)} s: ${figures.requests} requests ` +
    `(${kinds}), ${figures.rate} req/s, latency p50 ${figures.p50} ms, p99 ${figures.p99} ms, max ${figures.max} ms; ` +
    `non-2xx ${figures.non2xx}, errors ${figures.errors}, timeouts ${figures.timeouts}, bad bodies ${figures.badBodies}` +
    (figures.non2xx ? ` (${JSON.stringify(figures.refusals)})` : "")
  );
}

/** The CLI: its own stack, the step search, then the sustained run at the best step. */
async function main() {
  const { values } = parseArgs({
    options: {
      seconds: { type: "string", default: process.env.LOAD_SECONDS ?? "60" },
      "step-seconds": { type: "string", default: "4" },
      "max-connections": { type: "string", default: "64" },
      people: { type: "string", default: "500" },
    },
  });
  const { startStack } = await import("../test/helpers/stack.ts");
  const stack = await startStack();
  try {
    // One key sends everything: its limit is raised (still counted in the database per request).
    const worker = await stack.extraWorker({ RATE_LIMIT_REQUESTS: "100000000" });
    const target = await prepareTarget({
      url: worker.url,
      key: stack.apiKey,
      hubId: stack.hubId,
      people: Number(values.people),
    });
    const search = await findHighestRate(target, {
      stepSeconds: Number(values["step-seconds"]),
      maxConnections: Number(values["max-connections"]),
      runId: "step",
    });
    for (const step of search.steps) console.log(`step: ${summarize(step)}`);
    if (!search.best) throw new Error("Even one connection saw errors.");
    const { attempts, held } = await sustain(target, {
      connections: search.best.connections,
      seconds: Number(values.seconds),
      runId: "run",
    });
    for (const run of attempts) console.log(`sustained: ${summarize(run)}`);
    if (!held) throw new Error("No connection count held the run without errors.");
    const { plannedEventIds, ...shown } = held;
    console.log(`LOAD ${JSON.stringify({ ...shown, eventsPlanned: plannedEventIds.length })}`);
  } finally {
    await stack.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
