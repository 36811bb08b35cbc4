// The database handle every layer shares. The worker builds its client with `@libsql/client/web`
// (HTTP to sqld or Turso); Node code may pass an in-process client (`file:` or `:memory:`).
import type { Client, InValue, ResultSet } from "@libsql/client";
import { fillPlaceholders } from "drizzle-orm";
import type { LibSQLDatabase } from "drizzle-orm/libsql";
import { drizzle } from "drizzle-orm/libsql/web";
import type { PreparedQueryConfig, SQLitePreparedQuery } from "drizzle-orm/sqlite-core";
import * as schema from "./schema.ts";

/** Drizzle over libSQL; `$client` is the raw client, for atomic batches of hand-written SQL. */
export type Db = LibSQLDatabase<typeof schema> & { $client: Client };

export function openDb(client: Client): Db {
  return drizzle({ client, schema }) as Db;
}

/**
 * fetch for libSQL's HTTP client that asks for uncompressed answers. sqld compresses whatever the
 * client accepts (workerd and Node accept gzip and br), at about 5 MB/s with gzip and 0.5 MB/s
 * with br: a 4 MB page of members took 0.8 s gzipped, 8 s as br, and 0.05 s plain on loopback.
 * Pass it as `createClient({ url, authToken, fetch: uncompressedFetch })`.
 */
export function uncompressedFetch(request: Request): Promise<Response> {
  const headers = new Headers(request.headers);
  headers.set("accept-encoding", "identity");
  return fetch(new Request(request, { headers }));
}

/** A Drizzle query as a statement of a hand-written batch, and how Drizzle reads its answer. */
export interface RawQuery<T> {
  statement: { sql: string; args: InValue[] };
  from: (result: ResultSet) => T;
}

/**
 * Drizzle's own batch cannot hold hand-written SQL: a query turned into a statement can join one,
 * and its rows are still mapped by Drizzle (JSON columns parsed, booleans as booleans). Values
 * written as `sql.placeholder(name)` are bound per use: a query built once serves every request
 * (building one costs more than running it). Only the query's SQL and mapping are used, never
 * the database it was built with.
 */
export function rawQuery<Q extends PromiseLike<unknown> & { prepare(): Prepared }>(
  query: Q,
): (values?: Record<string, unknown>) => RawQuery<Awaited<Q>> {
  const prepared = query.prepare();
  const { sql, params } = prepared.getQuery();
  const from = (result: ResultSet) => prepared.mapResult(result, true) as Awaited<Q>;
  return (values = {}) => ({ statement: { sql, args: fillPlaceholders(params, values) as InValue[] }, from });
}

type Prepared = Pick<SQLitePreparedQuery<PreparedQueryConfig>, "getQuery" | "mapResult">;
