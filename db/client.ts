// The database handle every layer shares. The worker builds its client with `@libsql/client/web`
// (HTTP to sqld or Turso); Node code may pass an in-process client (`file:` or `:memory:`).
import type { Client } from "@libsql/client";
import type { LibSQLDatabase } from "drizzle-orm/libsql";
import { drizzle } from "drizzle-orm/libsql/web";
import * as schema from "./schema.ts";

/** Drizzle over libSQL; `$client` is the raw client, for atomic batches of hand-written SQL. */
export type Db = LibSQLDatabase<typeof schema> & { $client: Client };

export function openDb(client: Client): Db {
  return drizzle({ client, schema }) as Db;
}
