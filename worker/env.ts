import type { Db } from "../db/client.ts";
import type { SecretGenerations } from "./store/event-secrets.ts";

/** Bindings from wrangler.toml `[vars]` and secrets. */
export interface Env {
  /** libSQL URL: sqld locally (`http://127.0.0.1:8080`), Turso in production (`libsql://…`). */
  DATABASE_URL: string;
  DATABASE_AUTH_TOKEN?: string;
  /** `development` enables dev-only routes such as the local outbox. */
  ENVIRONMENT?: string;
  /** Set: invitation emails go out through Resend. Unset: they stay in the local outbox. */
  RESEND_API_KEY?: string;
  /** The sender, e.g. `Acme People <people@acme.com>` (a domain verified at the provider). */
  MAIL_FROM?: string;
  /** Another Resend-compatible endpoint (default https://api.resend.com). */
  RESEND_API_URL?: string;
  /**
   * Master key from which each tenant's event signing secret and each webhook endpoint's secret
   * are derived (HKDF), so no secret is stored. Required in production; development has a fixed one.
   */
  EVENTS_SIGNING_KEY?: string;
  /**
   * One import's ceilings (default 50000 rows, 24 MB): sized for a 128 MB isolate. Raise them only
   * where isolates have more memory (local workerd has no cap; the benchmark raises them).
   */
  IMPORT_MAX_ROWS?: string;
  IMPORT_MAX_MB?: string;
  /** Requests one API key may make per window (default 1200; `0` turns the limit off). */
  RATE_LIMIT_REQUESTS?: string;
  /** The rate-limit window in seconds (default 60). */
  RATE_LIMIT_WINDOW_SECONDS?: string;
  /**
   * Secret: the Google service account key (its JSON file) scheduled syncs read Sheets with. One
   * for the deployment: customers share their sheet with its client_email.
   */
  GOOGLE_SERVICE_ACCOUNT_JSON?: string;
  /** Secret: encrypts per-tenant source credentials (a CSV URL's bearer token). Development has a fixed one. */
  SOURCES_ENCRYPTION_KEY?: string;
  /** The public origin invitation links point at when the cron invites (e.g. https://sync.example.com). */
  PUBLIC_URL?: string;
  /** Development only: another OAuth token endpoint (default https://oauth2.googleapis.com/token). */
  GOOGLE_TOKEN_URL?: string;
  /** Development only: another Sheets API origin (default https://sheets.googleapis.com). */
  SHEETS_API_URL?: string;
}

export type ApiKeyRole = "admin" | "read";

export interface Caller {
  tenantId: string;
  keyId: string;
  role: ApiKeyRole;
  /** The tenant's event secret generations, read with the key (see callerForKey). */
  eventSecrets: SecretGenerations | null;
}

export interface AppEnv {
  Bindings: Env;
  Variables: {
    db: Db;
    caller: Caller;
    /** Set by a write that knows it queued no webhook event: nothing to deliver after it. */
    nothingAnnounced?: boolean;
  };
}
