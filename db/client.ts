// The database handle every layer shares. The worker builds its client with `@libsql/client/web`
// (HTTP to sqld or Turso); Node code may pass an in-process client (`file:` or `:memory:`).
import type { Client } from "@libsql/client";
import type { LibSQLDatabase } from "drizzle-orm/libsql";
import { drizzle } from "drizzle-orm/libsql/web";
import * as schema from "./schema.ts";

export type Db = LibSQLDatabase<typeof schema>;

export function openDb(client: Client): Db {
  return drizzle({ client, schema });
}
