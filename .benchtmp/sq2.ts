import { createClient } from "@libsql/client";
import { freePort, startSqld } from "../scripts/stack.ts";
import { openDb } from "../db/client.ts";
import { applyMigrations } from "../db/migrate.ts";
import { mkdtempSync } from "node:fs";
const dir = mkdtempSync("/tmp/sq-");
const s = await startSqld({ dbPath: dir + "/db", port: await freePort() });
const c = createClient({ url: s.url });
await applyMigrations(openDb(c));
await c.execute("insert into tenants (id, name, settings) values ('t','t','{}')");
await c.execute("create table plain (a text, b text, c text, d text)");
for (const mb of [1, 4, 8, 12, 16]) {
  try { await c.execute({ sql: "select length(?)", args: ["x".repeat(mb * 1e6)] }); console.log("arg", mb, "MB ok"); } catch (e) { console.log("arg", mb, "MB ERR"); }
}
const N = 20000;
const mk = (p: string) => JSON.stringify(Array.from({ length: N }, (_, i) => [`id${p}-${i}`, "t", `e${p}-${i}@x.example`, "x".repeat(100)]));
let t = performance.now();
await c.execute({ sql: `insert into plain select value->>0, value->>1, value->>2, value->>3 from json_each(?)`, args: [mk("a")] });
console.log("plain ->>", (performance.now() - t).toFixed(0));
t = performance.now();
await c.execute({ sql: `insert into plain select json_extract(value,'$[0]'), json_extract(value,'$[1]'), json_extract(value,'$[2]'), json_extract(value,'$[3]') from json_each(?)`, args: [mk("b")] });
console.log("plain json_extract", (performance.now() - t).toFixed(0));
t = performance.now();
await c.execute({ sql: `insert into members (id, tenant_id, email, first_name, status, source) select value->>0, value->>1, value->>2, value->>3, 'active', 'hris' from json_each(?)`, args: [mk("c")] });
console.log("members", (performance.now() - t).toFixed(0));
t = performance.now();
await c.batch([{ sql: `insert into members (id, tenant_id, email, first_name, status, source) select value->>0, value->>1, value->>2, value->>3, 'active', 'hris' from json_each(?)`, args: [mk("d")] }], "write");
console.log("members in batch", (performance.now() - t).toFixed(0));
t = performance.now();
await c.execute({ sql: `insert into plain select j.value->>0, j.value->>1, j.value->>2, j.value->>3 from json_each(?) j`, args: [JSON.stringify(Array.from({ length: 100000 }, (_, i) => [`z${i}`, "t", "e", "x"]))] });
console.log("plain 100k tiny", (performance.now() - t).toFixed(0));
c.close(); await s.stop();
