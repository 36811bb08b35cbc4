// The one source of truth for storage. Every table that holds tenant data has a `tenant_id`;
// queries reach it only through worker/store/, which always scopes by tenant.
import { getTableColumns, sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const id = () => text("id").primaryKey();
const tenantId = () =>
  text("tenant_id")
    .notNull()
    .references(() => tenants.id, { onDelete: "cascade" });
const timestamp = (name: string) => text(name).notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`);
const createdAt = () => timestamp("created_at");
const json = <T>(name: string) => text(name, { mode: "json" }).$type<T>();

export const MEMBER_STATUSES = ["invited", "active", "inactive", "archived", "deleted"] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];
export const MEMBER_SOURCES = ["hris", "manual"] as const;
export type MemberSource = (typeof MEMBER_SOURCES)[number];
export const ACTION_KINDS = [
  "invite",
  "scheduled",
  "update",
  "reactivate",
  "deactivate",
  "delete_from_hub",
  "delete_from_tenant",
  "error",
  "skip",
] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];
/** The kinds that change a member: what may be approved and executed, and what executions announce. */
export const MEMBER_CHANGE_KINDS = [
  "invite",
  "update",
  "reactivate",
  "deactivate",
  "delete_from_hub",
  "delete_from_tenant",
] as const satisfies readonly ActionKind[];
export const ACTION_STATUSES = ["pending", "done", "failed", "stale", "skipped"] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];
/** `member`: the person themself, e.g. accepting their invitation. */
export const ACTOR_TYPES = ["api_key", "admin", "cron", "event", "scim", "system", "member"] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

/** An email the tenant can edit; {{tenantName}} {{hubName}} {{name}} {{acceptUrl}} are filled in. */
export interface InviteTemplate {
  subject: string;
  text: string;
  html: string;
}

/** A snapshot the cron pulls for a hub: a Google Sheet range, or a CSV at a URL. */
export type SyncSource =
  | { type: "sheet"; hubId: string; spreadsheetId: string; range: string; id?: string; partial?: boolean }
  | {
      type: "csv";
      hubId: string;
      url: string;
      id?: string;
      partial?: boolean;
      /** The URL's bearer token, AES-GCM under the worker's SOURCES_ENCRYPTION_KEY; never plain text. */
      bearer?: SealedSecret;
    };

/** A secret encrypted with AES-GCM: base64url IV and ciphertext (with its tag). */
export interface SealedSecret {
  iv: string;
  data: string;
}

/** Scheduled-sync rules beyond autoApply's kinds: see worker/schedule/policy.ts. */
export const SCHEDULED_RULES = ["starters", "leavers"] as const;
export type ScheduledRule = (typeof SCHEDULED_RULES)[number];

/** A tenant's sync settings; defaults follow DESIGN.md. */
export interface TenantSettings {
  timeZone: string;
  /** How to read slash dates when a column does not make it clear. */
  dateOrder: "MDY" | "DMY" | null;
  guard: { percent: number; floor: number; ceiling: number };
  /** Action kinds applied without approval on scheduled syncs and events. */
  autoApply: ActionKind[];
  cron: string;
  /** Where scheduled syncs pull snapshots from; a credential lives here only encrypted. Unset: none. */
  sources?: SyncSource[];
  /** What scheduled syncs also apply without approval; unset: both rules. */
  scheduledAutoApply?: ScheduledRule[];
  /** The invitation email; the built-in one when unset. */
  inviteTemplate?: InviteTemplate;
}

export const tenants = sqliteTable("tenants", {
  id: id(),
  name: text("name").notNull(),
  settings: json<TenantSettings>("settings").notNull(),
  createdAt: createdAt(),
});

export const hubs = sqliteTable(
  "hubs",
  {
    id: id(),
    tenantId: tenantId(),
    name: text("name").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("hubs_tenant_name").on(t.tenantId, t.name)],
);

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: id(),
    tenantId: tenantId(),
    name: text("name").notNull(),
    /** First characters of the key, shown in listings so people can tell keys apart. */
    prefix: text("prefix").notNull(),
    /** SHA-256 of the whole key; the key itself is shown once and never stored. */
    hash: text("hash").notNull(),
    role: text("role", { enum: ["admin", "read"] }).notNull(),
    createdAt: createdAt(),
    revokedAt: text("revoked_at"),
  },
  (t) => [uniqueIndex("api_keys_hash").on(t.hash)],
);

/** Core profile fields a mapping can write. Segments and roles live in `profile`. */
export const members = sqliteTable(
  "members",
  {
    id: id(),
    tenantId: tenantId(),
    employeeId: text("employee_id"),
    /** Trimmed and lower-cased: the identity key after employee id. */
    email: text("email").notNull(),
    firstName: text("first_name"),
    lastName: text("last_name"),
    jobTitle: text("job_title"),
    manager: text("manager"),
    approverId: text("approver_id"),
    department: text("department"),
    location: text("location"),
    country: text("country"),
    contentRegion: text("content_region"),
    startDate: text("start_date"),
    terminationDate: text("termination_date"),
    employmentStatus: text("employment_status"),
    /** Segment and role values by field key: `{ "seniority": "Senior", "roles": ["Mentor"] }`. */
    profile: json<Record<string, string | string[]>>("profile").notNull().default({}),
    status: text("status", { enum: MEMBER_STATUSES }).notNull(),
    source: text("source", { enum: MEMBER_SOURCES }).notNull(),
    /** Bumped on every change: a plan action remembers it and goes stale when it moves. */
    version: integer("version").notNull().default(1),
    deletedAt: text("deleted_at"),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at"),
  },
  (t) => [
    uniqueIndex("members_tenant_email").on(t.tenantId, t.email),
    uniqueIndex("members_tenant_employee").on(t.tenantId, t.employeeId).where(sql`employee_id IS NOT NULL`),
    /** Member listing pages by (created_at, id): a stable order that new members only extend. */
    index("members_tenant_created").on(t.tenantId, t.createdAt, t.id),
  ],
);

/**
 * What the last sync wrote to a member, as one number (worker/engine/fingerprint.ts), valid while
 * the member's version is still `version` and exports are mapped as `layout`: planning a big export
 * reads this instead of every mapped field of every member. Any other change to the member bumps
 * its version, which makes the fingerprint stale (the fields are read again).
 */

/** The members table's column (snake case) of a member property: SQL written by hand names it so. */
export function memberColumn(field: keyof typeof members.$inferSelect): string {
  return getTableColumns(members)[field].name;
}
export const memberFingerprints = sqliteTable(
  "member_fingerprints",
  {
    memberId: text("member_id")
      .primaryKey()
      .references(() => members.id, { onDelete: "cascade" }),
    tenantId: tenantId(),
    hash: integer("hash").notNull(),
    version: integer("version").notNull(),
    layout: integer("layout").notNull(),
  },
  (t) => [index("member_fingerprints_tenant").on(t.tenantId)],
);

export const hubMemberships = sqliteTable(
  "hub_memberships",
  {
    tenantId: tenantId(),
    hubId: text("hub_id")
      .notNull()
      .references(() => hubs.id, { onDelete: "cascade" }),
    memberId: text("member_id")
      .notNull()
      .references(() => members.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.hubId, t.memberId] }), index("hub_memberships_member").on(t.memberId)],
);

/** Per-tenant custom fields: segments (fixed option lists) and roles. */
export const fields = sqliteTable(
  "fields",
  {
    id: id(),
    tenantId: tenantId(),
    key: text("key").notNull(),
    label: text("label").notNull(),
    kind: text("kind", { enum: ["segment", "role"] }).notNull(),
    visibility: text("visibility", { enum: ["public", "private"] })
      .notNull()
      .default("public"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("fields_tenant_key").on(t.tenantId, t.key)],
);

export const fieldOptions = sqliteTable(
  "field_options",
  {
    id: id(),
    tenantId: tenantId(),
    fieldId: text("field_id")
      .notNull()
      .references(() => fields.id, { onDelete: "cascade" }),
    value: text("value").notNull(),
    /** Folded form (case, accents, punctuation, word order) that keeps options unique. */
    folded: text("folded").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("field_options_field_folded").on(t.fieldId, t.folded)],
);

/** One row of the data mapping table: which HRIS column feeds which platform field. */
export interface MappingColumn {
  column: string;
  /** A core field name, a segment/role key, or null when the column is ignored. */
  field: string | null;
  kind: "core" | "segment" | "role";
  visibility: "public" | "private";
  /** HRIS value → segment option. */
  values: Record<string, string>;
  reviewed: boolean;
  /** For a date column whose slash dates are ambiguous: overrides the tenant's date order. */
  dateOrder?: "MDY" | "DMY" | null;
}

/** Versioned: every save is a new row, and a plan records the version it used. */
export const mappings = sqliteTable(
  "mappings",
  {
    id: id(),
    tenantId: tenantId(),
    hubId: text("hub_id")
      .notNull()
      .references(() => hubs.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    columns: json<MappingColumn[]>("columns").notNull(),
    createdBy: text("created_by"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("mappings_hub_version").on(t.tenantId, t.hubId, t.version)],
);

/** Country (ISO 3166 alpha-2) → content region, editable per tenant. */
export const contentRegions = sqliteTable(
  "content_regions",
  {
    tenantId: tenantId(),
    country: text("country").notNull(),
    region: text("region").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.country] })],
);

export const imports = sqliteTable(
  "imports",
  {
    id: id(),
    tenantId: tenantId(),
    hubId: text("hub_id")
      .notNull()
      .references(() => hubs.id, { onDelete: "cascade" }),
    source: text("source", { enum: ["upload", "sheet", "cron", "event", "api"] }).notNull(),
    filename: text("filename"),
    /** A partial import (an event, an upload marked partial) never deprovisions the absent. */
    partial: integer("partial", { mode: "boolean" }).notNull().default(false),
    columns: json<string[]>("columns").notNull(),
    rowCount: integer("row_count").notNull(),
    issues: json<{ row: number | null; level: "error" | "warning"; code: string; message: string }[]>(
      "issues",
    )
      .notNull()
      .default([]),
    createdBy: text("created_by"),
    createdAt: createdAt(),
  },
  (t) => [index("imports_tenant").on(t.tenantId, t.createdAt)],
);

export const plans = sqliteTable(
  "plans",
  {
    id: id(),
    tenantId: tenantId(),
    hubId: text("hub_id")
      .notNull()
      .references(() => hubs.id, { onDelete: "cascade" }),
    importId: text("import_id")
      .notNull()
      .references(() => imports.id, { onDelete: "cascade" }),
    mappingVersion: integer("mapping_version"),
    status: text("status", { enum: ["ready", "blocked", "executing", "done"] }).notNull(),
    /** Counts per action kind. */
    summary: json<Partial<Record<ActionKind, number>>>("summary").notNull(),
    guard: json<{ deprovisions: number; active: number; limit: number; blocked: boolean }>("guard").notNull(),
    overriddenBy: text("overridden_by"),
    overriddenAt: text("overridden_at"),
    createdBy: text("created_by"),
    createdAt: createdAt(),
  },
  (t) => [index("plans_tenant").on(t.tenantId, t.createdAt)],
);

export interface FieldChange {
  field: string;
  before: string | null;
  after: string | null;
}

export const planActions = sqliteTable(
  "plan_actions",
  {
    id: id(),
    tenantId: tenantId(),
    planId: text("plan_id")
      .notNull()
      .references(() => plans.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    kind: text("kind", { enum: ACTION_KINDS }).notNull(),
    /** The sheet/file row that proposed it; null for members absent from the snapshot. */
    row: integer("row"),
    memberId: text("member_id"),
    /** The member's version when planned; execution refuses to act on a newer one (stale). */
    memberVersion: integer("member_version"),
    email: text("email"),
    employeeId: text("employee_id"),
    name: text("name"),
    changes: json<FieldChange[]>("changes").notNull().default([]),
    /** The normalised record an invite or update writes. */
    payload: json<Record<string, unknown>>("payload"),
    reason: text("reason").notNull(),
    warnings: json<string[]>("warnings").notNull().default([]),
    approved: integer("approved", { mode: "boolean" }).notNull().default(false),
    approvedBy: text("approved_by"),
    approvedAt: text("approved_at"),
    status: text("status", { enum: ACTION_STATUSES }).notNull().default("pending"),
    message: text("message"),
    /** Token of the execution batch that ran it: effects are written only under that claim. */
    claim: text("claim"),
    executedAt: text("executed_at"),
  },
  (t) => [
    uniqueIndex("plan_actions_plan_seq").on(t.planId, t.seq),
    index("plan_actions_plan_kind").on(t.planId, t.kind),
    /** Execution reads a plan's pending actions in order, batch after batch, however many are done. */
    index("plan_actions_plan_status").on(t.planId, t.status, t.seq),
    /**
     * Every effect of an execution batch checks its action's claim: from this index alone, not
     * from the action's row (a big one: its changes and payload come before the claim).
     */
    index("plan_actions_claim").on(t.claim, t.id),
  ],
);

/**
 * A plan too big for one request (a first sync of a large company), written a part at a time: each
 * part is a JSON array of its actions. The batch that stores the plan moves them into plan_actions
 * and deletes them, so a plan is whole or absent; parts left by a request that died are deleted
 * after an hour.
 */
export const planDrafts = sqliteTable(
  "plan_drafts",
  {
    tenantId: tenantId(),
    draft: text("draft").notNull(),
    part: integer("part").notNull(),
    actions: text("actions").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.draft, t.part] }),
    index("plan_drafts_tenant").on(t.tenantId, t.createdAt),
  ],
);

export const invitations = sqliteTable(
  "invitations",
  {
    id: id(),
    tenantId: tenantId(),
    hubId: text("hub_id").notNull(),
    memberId: text("member_id")
      .notNull()
      .references(() => members.id, { onDelete: "cascade" }),
    /** One invitation per action, whatever happens to the request that executes it. */
    actionId: text("action_id"),
    tokenHash: text("token_hash").notNull(),
    status: text("status", { enum: ["pending", "accepted", "revoked", "expired"] })
      .notNull()
      .default("pending"),
    expiresAt: text("expires_at").notNull(),
    acceptedAt: text("accepted_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("invitations_token").on(t.tokenHash),
    uniqueIndex("invitations_action").on(t.actionId),
    index("invitations_member").on(t.memberId),
  ],
);

/** Mail and webhooks waiting for delivery, written in the same batch as the change that causes them. */
export const outbox = sqliteTable(
  "outbox",
  {
    id: id(),
    tenantId: tenantId(),
    channel: text("channel", { enum: ["email", "webhook"] }).notNull(),
    /** Makes a retried execution queue nothing twice. */
    dedupeKey: text("dedupe_key").notNull(),
    recipient: text("recipient").notNull(),
    subject: text("subject"),
    text: text("text"),
    html: text("html"),
    status: text("status", { enum: ["queued", "sent", "failed"] })
      .notNull()
      .default("queued"),
    attempts: integer("attempts").notNull().default(0),
    /** Not before this time (retry back-off, or a sender's lease); null: as soon as possible. */
    nextAttemptAt: text("next_attempt_at"),
    /** Why the last attempt failed, for people looking at a stuck delivery. */
    lastError: text("last_error"),
    createdAt: createdAt(),
    sentAt: text("sent_at"),
  },
  (t) => [
    uniqueIndex("outbox_dedupe").on(t.tenantId, t.dedupeKey),
    /** Delivery reads the oldest queued messages: from this index, not a scan of every email ever sent. */
    index("outbox_queued").on(t.createdAt).where(sql`status = 'queued'`),
  ],
);

export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    tenantId: tenantId(),
    actorType: text("actor_type", { enum: ACTOR_TYPES }).notNull(),
    actorId: text("actor_id"),
    /** At most one entry per plan action: the proof that it ran once. */
    actionId: text("action_id"),
    /** Who approved the plan action (`api_key:…`, `policy:autoApply`); null for other changes. */
    approvedBy: text("approved_by"),
    memberId: text("member_id"),
    change: text("change").notNull(),
    before: json<Record<string, unknown>>("before"),
    after: json<Record<string, unknown>>("after"),
    /**
     * For member-level changes (accept, resend, restore…): a fresh token per change. The entry is
     * written first, only if the change may happen; the change's other effects only where it exists.
     */
    claim: text("claim"),
    at: timestamp("at"),
  },
  (t) => [
    uniqueIndex("audit_log_action").on(t.actionId),
    uniqueIndex("audit_log_claim").on(t.claim),
    index("audit_log_tenant_member").on(t.tenantId, t.memberId, t.at),
  ],
);

export const syncRuns = sqliteTable(
  "sync_runs",
  {
    id: id(),
    tenantId: tenantId(),
    hubId: text("hub_id"),
    trigger: text("trigger", { enum: ["manual", "cron", "event", "api"] }).notNull(),
    status: text("status", { enum: ["running", "done", "failed", "blocked", "interrupted"] }).notNull(),
    planId: text("plan_id"),
    counts: json<Record<string, number>>("counts").notNull().default({}),
    error: text("error"),
    startedAt: timestamp("started_at"),
    finishedAt: text("finished_at"),
  },
  (t) => [index("sync_runs_tenant").on(t.tenantId, t.startedAt)],
);

/** Stored first responses, so a retried POST with the same Idempotency-Key replays instead of re-running. */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    tenantId: tenantId(),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    /** The first response's HTTP status; 0 while the first request is still running. */
    status: integer("status").notNull(),
    body: text("body").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.key] })],
);

/** Tenant endpoints that receive signed `member.*` and `plan.*` events, delivered from the outbox. */
export const webhooks = sqliteTable(
  "webhooks",
  {
    id: id(),
    tenantId: tenantId(),
    url: text("url").notNull(),
    /** Event types or patterns (`member.*`, `plan.executed`, `*`). */
    events: json<string[]>("events").notNull(),
    description: text("description"),
    createdAt: createdAt(),
  },
  (t) => [index("webhooks_tenant").on(t.tenantId)],
);

/** Per-key request counter: one row per key, its window restarting when it has run out. */
export const rateLimits = sqliteTable("rate_limits", {
  keyId: text("key_id")
    .primaryKey()
    .references(() => apiKeys.id, { onDelete: "cascade" }),
  tenantId: tenantId(),
  /** Unix seconds. */
  windowStart: integer("window_start").notNull(),
  count: integer("count").notNull(),
});

/**
 * The generation of a tenant's event signing secret. The secret itself is derived (HKDF) from the
 * worker's EVENTS_SIGNING_KEY, the tenant and the generation, so it is never stored.
 */
export const eventSecrets = sqliteTable("event_secrets", {
  tenantId: text("tenant_id")
    .primaryKey()
    .references(() => tenants.id, { onDelete: "cascade" }),
  generation: integer("generation").notNull(),
  /** The previous generation still verifies until then (rotation without downtime); null: not at all. */
  previousValidUntil: text("previous_valid_until"),
  rotatedAt: timestamp("rotated_at"),
});

/** HRIS events already received, by the sender's event id: a redelivery is answered, not re-run. */
export const processedEvents = sqliteTable(
  "processed_events",
  {
    tenantId: tenantId(),
    eventId: text("event_id").notNull(),
    status: text("status", { enum: ["processing", "done"] }).notNull(),
    planId: text("plan_id"),
    receivedAt: timestamp("received_at"),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.eventId] })],
);

/**
 * One row per tenant and job (`scheduled-sync`): who runs it now (holder, until expires_at), and
 * the scheduled time of the last run that finished, so an overlapping or repeated cron skips.
 */
export const leases = sqliteTable(
  "leases",
  {
    tenantId: tenantId(),
    name: text("name").notNull(),
    holder: text("holder"),
    expiresAt: text("expires_at"),
    lastRunAt: text("last_run_at"),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.name] })],
);

/**
 * Bearer tokens a tenant's identity provider (Okta, Entra) calls the SCIM service with; separate
 * from API keys (each works only on its own surface). Shown once, stored as SHA-256. `hub_id` is
 * the hub users created through SCIM are invited into.
 */
export const scimTokens = sqliteTable(
  "scim_tokens",
  {
    id: id(),
    tenantId: tenantId(),
    hubId: text("hub_id")
      .notNull()
      .references(() => hubs.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    hash: text("hash").notNull(),
    createdAt: createdAt(),
    revokedAt: text("revoked_at"),
  },
  (t) => [uniqueIndex("scim_tokens_hash").on(t.hash), index("scim_tokens_tenant").on(t.tenantId)],
);

/**
 * A SCIM user's `userName` where the identity provider gave one (often a UPN that is not the
 * email). Without a row, a member's userName is its email. Unique per tenant, case-insensitively
 * (`folded` is the lower-cased name), as RFC 7643 makes userName.
 */
export const scimUserNames = sqliteTable(
  "scim_user_names",
  {
    tenantId: tenantId(),
    memberId: text("member_id")
      .notNull()
      .references(() => members.id, { onDelete: "cascade" }),
    userName: text("user_name").notNull(),
    folded: text("folded").notNull(),
    updatedAt: timestamp("updated_at"),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.memberId] }),
    uniqueIndex("scim_user_names_folded").on(t.tenantId, t.folded),
  ],
);

/**
 * Deactivations and deletions made through SCIM, kept for the deprovisioning guard's sliding
 * window: each is reserved here (only while the window has room) before it is approved.
 */
export const scimDeprovisions = sqliteTable(
  "scim_deprovisions",
  {
    id: id(),
    tenantId: tenantId(),
    actionId: text("action_id").notNull(),
    at: text("at").notNull(),
  },
  (t) => [index("scim_deprovisions_tenant_at").on(t.tenantId, t.at)],
);
