// Load over the real stack: autocannon drives mixed traffic (signed HRIS events, plan and action
// reads, member lists) at the worker under workerd with sqld, all on 127.0.0.1. The connection
// count is stepped up until a step sees an error or gains no throughput; the best clean step is
// then held for the run: LOAD_SECONDS (default 6 s here; `npm run test:load` runs 60 s), at half
// the connections again while a run sees any error (every attempt is printed). The run that holds
// must have every answer a 2xx with the body its route promises, and every event it was answered
// for stored with its own plan, counted in sqld.
//
// One admin key sends everything, so this worker runs with RATE_LIMIT_REQUESTS raised to 10⁸: the
// limiter still counts every request in the database (as in production), it just never refuses.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  clean,
  findHighestRate,
  type LoadFigures,
  type LoadTarget,
  prepareTarget,
  summarize,
  sustain,
} from "../../scripts/load.ts";
import { type Stack, startStack } from "../helpers/stack.ts";

const SECONDS = Number(process.env.LOAD_SECONDS ?? 6);
const FULL = SECONDS >= 30;
const STEP_SECONDS = FULL ? 5 : 2;
const MAX_CONNECTIONS = FULL ? 64 : 8;

let stack: Stack;
let target: LoadTarget;

beforeAll(async () => {
  stack = await startStack();
  const worker = await stack.extraWorker({ RATE_LIMIT_REQUESTS: "100000000" });
  target = await prepareTarget({ url: worker.url, key: stack.apiKey, hubId: stack.hubId, people: 300 });
});

afterAll(async () => {
  await stack?.stop();
});

/** The stored side of the events a run sent: processed ids with their plans and actions. */
async function storedEvents(runId: string) {
  const rows = await stack.db.all<{ event_id: string; status: string; actions: number; settled: number }>(
    sql`select e.event_id, e.status,
          (select count(*) from plan_actions a where a.plan_id = e.plan_id) as actions,
          (select count(*) from plan_actions a where a.plan_id = e.plan_id
             and a.kind = 'update' and a.status in ('done', 'stale')) as settled
        from processed_events e
        where e.tenant_id = ${stack.tenantId} and e.event_id like ${`${runId}-%`}`,
  );
  return new Map(rows.map((r) => [r.event_id, r]));
}

async function auditEntriesPerActionOverOne(): Promise<number> {
  const rows = await stack.db.all<{ n: number }>(
    sql`select count(*) as n from (select action_id from audit_log where tenant_id = ${stack.tenantId}
        and action_id is not null group by action_id having count(*) > 1)`,
  );
  return Number(rows[0]?.n);
}

describe(`mixed traffic for ${SECONDS} s at the highest clean rate`, () => {
  let best: LoadFigures;

  it("finds the highest rate with no error by stepping the connection count", async () => {
    const search = await findHighestRate(target, {
      stepSeconds: STEP_SECONDS,
      maxConnections: MAX_CONNECTIONS,
      runId: "step",
    });
    for (const step of search.steps) console.log(`load step: ${summarize(step)}`);
    expect(search.best).not.toBeNull();
    best = search.best as LoadFigures;
    expect(clean(best)).toBe(true);
  }, 120_000);

  it(
    "holds it with every request answered 2xx, and every event stored once with its plan",
    async () => {
      const { attempts, held } = await sustain(target, {
        connections: best.connections,
        seconds: SECONDS,
        runId: "run",
      });
      for (const attempt of attempts) console.log(`load run: ${summarize(attempt)}`);
      expect(held).not.toBeNull();
      const run = held as LoadFigures;
      expect({
        non2xx: run.non2xx,
        errors: run.errors,
        timeouts: run.timeouts,
        badBodies: run.badBodies,
      }).toEqual({ non2xx: 0, errors: 0, timeouts: 0, badBodies: 0 });
      for (const kind of ["event", "plan", "actions", "members"] as const)
        expect(run.byKind[kind]).toBeGreaterThan(0);
      expect(run.plannedEventIds).toHaveLength(run.byKind.event);

      const stored = await storedEvents(run.runId);
      const missing = run.plannedEventIds.filter((id) => stored.get(id)?.status !== "done");
      expect(missing).toEqual([]);
      const answered = run.plannedEventIds.map((id) => stored.get(id));
      expect(answered.filter((e) => e?.actions !== 1 || e.settled !== 1)).toEqual([]);
      // Requests cut off when the run ended may have been processed without their answer being counted.
      expect(stored.size - run.plannedEventIds.length).toBeLessThanOrEqual(run.connections);
      expect(await auditEntriesPerActionOverOne()).toBe(0);
    },
    60_000 + SECONDS * 5_000,
  );
});
