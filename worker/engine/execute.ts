// The "execute" step, pure part: what one approved action changes. Storage turns these effects
// into one atomic batch per group of actions, each effect guarded by the action's claim, so an
// action's changes happen exactly once or not at all.
import type { ActionKind, MemberStatus } from "../../db/schema.ts";
import { fold, tidy } from "./fold.ts";
import type { CoreField, DerivedField, MemberSnapshot } from "./types.ts";

export interface StoredAction {
  id: string;
  kind: ActionKind;
  memberId: string | null;
  memberVersion: number | null;
  email: string | null;
  employeeId: string | null;
  name: string | null;
  payload: Record<string, unknown> | null;
}

export interface MemberFields {
  /** Member columns: core fields and the derived approver and content region. */
  core: Partial<Record<CoreField | DerivedField, string | null>>;
  profile?: Record<string, string | string[]>;
  status?: MemberStatus;
  source?: "hris";
  deletedAt?: string | null;
}

export type Effect =
  | { type: "insert_member"; memberId: string; fields: MemberFields }
  | { type: "update_member"; memberId: string; fields: MemberFields }
  | { type: "join_hub"; memberId: string }
  | { type: "leave_hub"; memberId: string }
  | { type: "invite"; memberId: string; email: string; name: string | null }
  | { type: "audit"; memberId: string; change: ActionKind; before: unknown; after: unknown }
  /** A segment or role value the action writes, which the field's options must then include. */
  | { type: "segment_option"; key: string; value: string; kind: "segment" | "role" };

/** What must still hold when the action runs; otherwise it ends `stale`. */
export type Precondition =
  | { type: "member_version"; memberId: string; version: number }
  | { type: "no_member"; email: string; employeeId: string | null };

export type Execution =
  | { ok: true; precondition: Precondition; effects: Effect[] }
  | { ok: false; status: "skipped" | "failed"; message: string };

interface Payload {
  memberId?: string;
  core?: Partial<Record<CoreField, string | null>>;
  derived?: Partial<Record<DerivedField, string | null>>;
  profile?: Record<string, string | string[]>;
  mapped?: string[];
  adopt?: boolean;
  joinHub?: boolean;
}

export function executionOf(action: StoredAction, member: MemberSnapshot | null, now: string): Execution {
  const payload = (action.payload ?? {}) as Payload;
  if (action.kind === "invite") return withOptions(invite(action, payload), payload);
  if (action.kind === "scheduled") {
    return {
      ok: false,
      status: "skipped",
      message: "Not started yet: invited automatically on the start date.",
    };
  }
  if (action.kind === "error" || action.kind === "skip") {
    return { ok: false, status: "skipped", message: "Nothing to execute for this row." };
  }
  if (!member || action.memberVersion === null) {
    return { ok: false, status: "failed", message: "The member no longer exists." };
  }
  const precondition: Precondition = {
    type: "member_version",
    memberId: member.id,
    version: action.memberVersion,
  };
  const effects = memberEffects(action.kind, member, payload, now);
  return withOptions({ ok: true, precondition, effects }, payload);
}

/**
 * New segment/role values become options of their field, de-duplicated by their folded form
 * (storage keeps one option per fold). Only when the action writes the profile from the export.
 * Segments hold one value, roles a list: that is how the kind is told when no mapping says.
 */
function withOptions(execution: Execution, payload: Payload): Execution {
  if (!execution.ok) return execution;
  const writesProfile = execution.effects.some(
    (e) => (e.type === "insert_member" || e.type === "update_member") && e.fields.profile,
  );
  if (!writesProfile) return execution;
  const options: Effect[] = [];
  const seen = new Set<string>();
  for (const [key, value] of Object.entries(payload.profile ?? {})) {
    const kind = Array.isArray(value) ? "role" : "segment";
    for (const raw of Array.isArray(value) ? value : [value]) {
      const option = tidy(raw);
      const id = `${key}\u0000${fold(option)}`;
      if (!fold(option) || seen.has(id)) continue;
      seen.add(id);
      options.push({ type: "segment_option", key, value: option, kind });
    }
  }
  return { ...execution, effects: [...execution.effects, ...options] };
}

function invite(action: StoredAction, payload: Payload): Execution {
  if (!payload.memberId || !action.email) {
    return { ok: false, status: "failed", message: "The invitation has no email address." };
  }
  const memberId = payload.memberId;
  const fields: MemberFields = {
    core: columnsOf(payload),
    profile: payload.profile ?? {},
    status: "invited",
  };
  return {
    ok: true,
    precondition: { type: "no_member", email: action.email, employeeId: action.employeeId },
    effects: [
      { type: "insert_member", memberId, fields },
      { type: "join_hub", memberId },
      { type: "invite", memberId, email: action.email, name: action.name },
      { type: "audit", memberId, change: "invite", before: null, after: fields },
    ],
  };
}

function memberEffects(kind: ActionKind, member: MemberSnapshot, payload: Payload, now: string): Effect[] {
  const memberId = member.id;
  const audit = (before: unknown, after: unknown): Effect => ({
    type: "audit",
    memberId,
    change: kind,
    before,
    after,
  });
  switch (kind) {
    case "update":
    case "reactivate":
    case "deactivate": {
      const fields = updatedFields(member, payload);
      if (kind === "reactivate") fields.status = "active";
      if (kind === "deactivate") fields.status = "inactive";
      const effects: Effect[] = [{ type: "update_member", memberId, fields }];
      if (payload.joinHub && kind !== "deactivate") effects.push({ type: "join_hub", memberId });
      return [...effects, audit(beforeOf(member, fields), fields)];
    }
    case "delete_from_hub":
      return [{ type: "leave_hub", memberId }, audit({ inHub: true }, { inHub: false })];
    case "delete_from_tenant":
      return [
        { type: "update_member", memberId, fields: { core: {}, status: "deleted", deletedAt: now } },
        audit({ status: member.status }, { status: "deleted", deletedAt: now }),
      ];
    default:
      return [];
  }
}

/** Only mapped fields are written; a profile key mapped but empty in the export is cleared. */
function updatedFields(member: MemberSnapshot, payload: Payload): MemberFields {
  const mapped = new Set(payload.mapped ?? []);
  const profile = { ...member.profile };
  for (const key of mapped) {
    if (key in (payload.core ?? {})) continue;
    const value = payload.profile?.[key];
    if (value === undefined) delete profile[key];
    else profile[key] = value;
  }
  const fields: MemberFields = { core: columnsOf(payload), profile };
  if (payload.adopt) fields.source = "hris";
  return fields;
}

function columnsOf(payload: Payload): MemberFields["core"] {
  return { ...payload.core, ...payload.derived };
}

function beforeOf(member: MemberSnapshot, fields: MemberFields): Record<string, unknown> {
  const before: Record<string, unknown> = {};
  const current: MemberFields["core"] = { ...member.core, ...member.derived };
  for (const key of Object.keys(fields.core)) before[key] = current[key as CoreField | DerivedField] ?? null;
  if (fields.profile) before.profile = member.profile;
  if (fields.status) before.status = member.status;
  if (fields.source) before.source = member.source;
  return before;
}
