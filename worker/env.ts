import type { Db } from "../db/client.ts";

/** Bindings from wrangler.toml `[vars]` and secrets. */
export interface Env {
  /** libSQL URL: sqld locally (`http://127.0.0.1:8080`), Turso in production (`libsql://…`). */
  DATABASE_URL: string;
  DATABASE_AUTH_TOKEN?: string;
  /** `development` enables dev-only routes such as the local outbox. */
  ENVIRONMENT?: string;
}

export type ApiKeyRole = "admin" | "read";

export interface Caller {
  tenantId: string;
  keyId: string;
  role: ApiKeyRole;
}

export interface AppEnv {
  Bindings: Env;
  Variables: { db: Db; caller: Caller };
}
