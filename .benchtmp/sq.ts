import { createClient } from "@libsql/client";
import { freePort, startSqld } from "../scripts/stack.ts";
import { openDb } from "../db/client.ts";
import { applyMigrations } from "../db/migrate.ts";
import { mkdtempSync } from "node:fs";
const dir = mkdtempSync("/tmp/sq-");
const s = await startSqld({ dbPath: dir + "/db", port: await freePort() });
const c = createClient({ url: s.url });
await applyMigrations(openDb(c));
for (const q of ["PRAGMA foreign_keys", "select sqlite_version()", "select md5('x')", "select sha1('x')", "select sha256('x')", "select crc32('x')"]) {
  try { console.log(q, JSON.stringify((await c.execute(q)).rows)); } catch (e) { console.log(q, "ERR", (e as Error).message.slice(0, 80)); }
}
try { await c.execute("insert into plan_actions (id, tenant_id, plan_id, seq, kind, reason) values ('a','nope','nope',1,'invite','x')"); console.log("FK not enforced"); } catch (e) { console.log("FK enforced", (e as Error).message.slice(0,80)); }
await c.execute("insert into tenants (id, name, settings) values ('t','t','{}')");
// ingest: 100k rows ~1KB each via json_each
for (const size of [100, 1000]) {
  const rows = Array.from({ length: 20000 }, (_, i) => [`id${size}-${i}`, "t", `e${size}-${i}@x.example`, "x".repeat(size)]);
  let t = performance.now();
  const json = JSON.stringify(rows);
  await c.execute({ sql: `insert into members (id, tenant_id, email, first_name, status, source) select value->>0, value->>1, value->>2, value->>3, 'active', 'hris' from json_each(?)`, args: [json] });
  console.log("ingest 20k rows of", size, "B:", (performance.now() - t).toFixed(0), "ms", (json.length/1e6).toFixed(1), "MB");
}
let t = performance.now();
const r = await c.execute("select json_group_array(json_array(id, email, first_name)) as j from members");
console.log("read agg", (performance.now() - t).toFixed(0), String(r.rows[0]!.j).length);
t = performance.now();
try { const r2 = await c.execute("select id, email, first_name from members"); console.log("read rows", (performance.now() - t).toFixed(0), r2.rows.length); } catch (e) { console.log("read rows ERR", (e as Error).message.slice(0, 120)); }
c.close(); await s.stop();
