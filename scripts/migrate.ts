// `npm run db:migrate`: applies db/migrations to DATABASE_URL (default: the local sqld).
import { createClient } from "@libsql/client";
import { openDb } from "../db/client.ts";
import { applyMigrations } from "../db/migrate.ts";

const url = process.env.DATABASE_URL ?? `http://127.0.0.1:${process.env.SQLD_PORT ?? 8080}`;
const client = createClient({ url, authToken: process.env.DATABASE_AUTH_TOKEN });
try {
  await applyMigrations(openDb(client));
  console.log(`migrations applied to ${url}`);
} catch (error) {
  console.error(`could not migrate ${url}: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  client.close();
}
