// `npm start`: sqld with its data under .data/, migrations, the demo tenant, then the worker
// under wrangler dev talking to sqld over HTTP. Ctrl-C stops both.

import { join } from "node:path";
import { createClient } from "@libsql/client";
import { openDb } from "../db/client.ts";
import { applyMigrations } from "../db/migrate.ts";
import { ensureDemoTenant } from "./seed.ts";
import { assertPortFree, ROOT, type Service, startSqld, startWorker } from "./stack.ts";

const port = Number(process.env.PORT ?? 8787);
const sqldPort = Number(process.env.SQLD_PORT ?? 8080);
const newKey = process.argv.includes("--new-key");
const services: Service[] = [];

async function main() {
  await assertPortFree(sqldPort, "sqld", "SQLD_PORT");
  await assertPortFree(port, "the worker", "PORT");
  const sqld = await startSqld({ dbPath: join(ROOT, ".data", "sqld"), port: sqldPort });
  services.push(sqld);
  console.log(`sqld      ${sqld.url}  (data in .data/sqld)`);

  const client = createClient({ url: sqld.url });
  const db = openDb(client);
  await applyMigrations(db);
  const demo = await ensureDemoTenant(db, { newKey });
  client.close();

  const worker = await startWorker({ port, databaseUrl: sqld.url, interactive: true });
  services.push(worker);
  worker.process.once("exit", () => void shutdown(1));
  sqld.process.once("exit", () => void shutdown(1));
  printWelcome(worker.url, demo);
}

function printWelcome(url: string, demo: Awaited<ReturnType<typeof ensureDemoTenant>>) {
  const key = demo.apiKey ?? "<your key>";
  console.log(`
profile-sync is running
  API       ${url}
  Docs      ${url}/docs
  Health    ${url}/healthz

Demo tenant ${demo.created ? "created" : "already there"}; hub id ${demo.hubId}
${
  demo.apiKey
    ? `  API key   ${demo.apiKey}\n  (shown once; keep it. \`npm start -- --new-key\` makes another.)`
    : "  Its API key was printed when it was created. `npm start -- --new-key` prints a new one."
}

Try it:
  curl -s -H "Authorization: Bearer ${key}" -H "Content-Type: text/csv" \\
       --data-binary @examples/bamboohr.csv ${url}/v1/hubs/${demo.hubId}/imports

Ctrl-C stops the worker and sqld.
`);
}

let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  await Promise.all(services.reverse().map((s) => s.stop()));
  process.exit(code);
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void shutdown(0));

main().catch(async (error: Error) => {
  console.error(`\nprofile-sync could not start: ${error.message}`);
  await shutdown(1);
});
