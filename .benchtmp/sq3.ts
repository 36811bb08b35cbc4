import { createClient } from "@libsql/client";
import { freePort, startSqld } from "../scripts/stack.ts";
import { openDb } from "../db/client.ts";
import { applyMigrations } from "../db/migrate.ts";
import { mkdtempSync } from "node:fs";
const dir = mkdtempSync("/tmp/sq-");
const s = await startSqld({ dbPath: dir + "/db", port: await freePort() });
const c = createClient({ url: s.url });
await applyMigrations(openDb(c));
let lo = 4e6, hi = 8e6;
while (hi - lo > 1000) { const mid = Math.floor((lo + hi) / 2); try { await c.execute({ sql: "select length(?)", args: ["x".repeat(mid)] }); lo = mid; } catch { hi = mid; } }
console.log("max arg ~", lo);
await c.execute("insert into tenants (id, name, settings) values ('t','t','{}')");
await c.execute("create table plain (a text, b text, c text, d text)");
const N = 20000;
let k = 0;
const mk = () => { k++; return JSON.stringify(Array.from({ length: N }, (_, i) => [`id${k}-${i}`, "t", `e${k}-${i}@x.example`, "x".repeat(100)])); };
for (let r = 0; r < 3; r++) {
  let t = performance.now();
  await c.execute({ sql: `insert into plain select value->>0, value->>1, value->>2, value->>3 from json_each(?)`, args: [mk()] });
  const a = performance.now() - t; t = performance.now();
  await c.execute({ sql: `insert into plain select value->>'$.a', value->>'$.b', value->>'$.c', value->>'$.d' from json_each(?)`, args: [JSON.stringify(Array.from({ length: N }, (_, i) => ({a:`x${i}`,b:"t",c:`e${i}`,d:"x".repeat(100)})))] });
  const b = performance.now() - t; t = performance.now();
  await c.execute({ sql: `insert into members (id, tenant_id, email, first_name, status, source) select value->>0, value->>1, value->>2, value->>3, 'active', 'hris' from json_each(?)`, args: [mk()] });
  const m = performance.now() - t; t = performance.now();
  await c.execute({ sql: `select count(*) from json_each(?)`, args: [mk()] });
  const e = performance.now() - t; t = performance.now();
  await c.execute({ sql: `select 1`, args: [] });
  const one = performance.now() - t;
  console.log(`20k rows: plain arrays ${a.toFixed(0)} objs ${b.toFixed(0)} members ${m.toFixed(0)} json_each count ${e.toFixed(0)} select1 ${one.toFixed(1)}`);
}
c.close(); await s.stop();
