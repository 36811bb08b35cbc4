import { sql } from "drizzle-orm";
import { startStack } from "/work/main/test/helpers/stack.ts";
const stack = await startStack();
const N = 3000;
const rows = Array.from({ length: N }, (_, i) => `E${i},Ann,P${i},p${i}@x.test,2020-01-01,Active`);
let r = await stack.api(`/v1/hubs/${stack.hubId}/imports`, { method: "POST", headers: { "content-type": "text/csv" }, body: ["Employee ID,First Name,Last Name,Work Email,Start Date,Status", ...rows].join("\n") });
const planId = ((await r.json()) as any).plan.id;
await stack.api(`/v1/plans/${planId}/approvals`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"all":true}' });
const done = async () => Number((await stack.db.all<{ n: number }>(sql`select count(*) as n from plan_actions where plan_id = ${planId} and status = 'done'`))[0]?.n);
const ac = new AbortController();
const t0 = Date.now();
const first = stack.api(`/v1/plans/${planId}/execute`, { method: "POST", headers: { "idempotency-key": "K1" }, signal: ac.signal }).then((r) => r.status, (e) => `aborted ${e.name}`);
while ((await done()) === 0) await new Promise((r) => setTimeout(r, 20));
ac.abort();
console.log("aborted at done", await done(), Date.now() - t0, await first);
for (let i = 0; i < 40; i++) {
  const x = await stack.api(`/v1/plans/${planId}/execute`, { method: "POST", headers: { "idempotency-key": "K1" } });
  const body = await x.text();
  console.log(Date.now() - t0, x.status, x.headers.get("idempotent-replayed"), x.headers.get("retry-after"), body.slice(0, 120), "done", await done());
  if (x.status !== 409) break;
  await new Promise((r) => setTimeout(r, 500));
}
console.log(await stack.db.all(sql`select status, trigger, counts from sync_runs where plan_id = ${planId}`));
console.log(await stack.db.all(sql`select key, status from idempotency_keys`));
await stack.stop();
