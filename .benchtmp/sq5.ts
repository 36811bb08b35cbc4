import { freePort, startSqld } from "../scripts/stack.ts";
import { mkdtempSync } from "node:fs";
const dir = mkdtempSync("/tmp/sq-");
const s = await startSqld({ dbPath: dir + "/db", port: await freePort() });
async function p(body: unknown) { const r = await fetch(s.url + "/v2/pipeline", { method: "POST", body: JSON.stringify(body) }); return r.json() as any; }
let baton: string | null = null;
const times: number[] = [];
for (let i = 0; i < 300; i++) {
  const t = performance.now();
  const r = await p({ baton, requests: [{ type: "execute", stmt: { sql: "select 1" } }] });
  baton = r.baton;
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
console.log("baton reuse p50", times[150]!.toFixed(2), "p10", times[30]!.toFixed(2));
const t2: number[] = [];
for (let i = 0; i < 300; i++) {
  const t = performance.now();
  await p({ requests: [{ type: "execute", stmt: { sql: "select 1" } }, { type: "close" }] });
  t2.push(performance.now() - t);
}
t2.sort((a, b) => a - b);
console.log("new stream p50", t2[150]!.toFixed(2), "p10", t2[30]!.toFixed(2));
const t3: number[] = [];
for (let i = 0; i < 300; i++) {
  const t = performance.now();
  const r = await fetch(s.url + "/health"); await r.text();
  t3.push(performance.now() - t);
}
t3.sort((a, b) => a - b);
console.log("health p50", t3[150]!.toFixed(2));
await s.stop();
