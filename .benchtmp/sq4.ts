import { createClient } from "@libsql/client";
import { freePort, startSqld } from "../scripts/stack.ts";
import { mkdtempSync } from "node:fs";
const dir = mkdtempSync("/tmp/sq-");
const s = await startSqld({ dbPath: dir + "/db", port: await freePort() });
const c = createClient({ url: s.url });
await c.execute("create table t (a int)");
for (const label of ["select", "insert", "batch-write"]) {
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    if (label === "select") await c.execute("select 1");
    else if (label === "insert") await c.execute({ sql: "insert into t values (?)", args: [i] });
    else await c.batch([{ sql: "insert into t values (?)", args: [i] }, "select 1"], "write");
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  console.log(label, "p50", times[100]!.toFixed(2), "p90", times[180]!.toFixed(2));
}
// raw fetch
const times: number[] = [];
for (let i = 0; i < 200; i++) {
  const t = performance.now();
  const r = await fetch(s.url + "/v2/pipeline", { method: "POST", body: JSON.stringify({ requests: [{ type: "execute", stmt: { sql: "select 1" } }, { type: "close" }] }) });
  await r.text();
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
console.log("raw fetch p50", times[100]!.toFixed(2));
c.close(); await s.stop();
