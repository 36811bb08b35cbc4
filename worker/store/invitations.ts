// Invitations: a single-use token (only its SHA-256, after the time it was made, is stored) with an
// expiry, and an email in the outbox written in the same batch. Accept, re-send and revoke are
// member-level changes: each writes its audit entry first and its effects only where that entry
// was written (changeOnce).
import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import {
  hubMemberships,
  hubs,
  type InviteTemplate,
  invitations,
  members,
  outbox,
  type TenantSettings,
  tenants,
} from "../../db/schema.ts";
import { AppError } from "../errors.ts";
import { sha256HexAll, timeOrderedId } from "../keys.ts";
import { DEFAULT_INVITE_TEMPLATE, inviteRenderer, templateProblems } from "../mail/template.ts";
import { type Actor, type Args, CLAIMED, changeOnce, type Stmt } from "./audit.ts";
import { getTenant } from "./tenants.ts";

export const INVITATION_DAYS = 14;

type Invitation = typeof invitations.$inferSelect;
type Member = typeof members.$inferSelect;

const TOKEN_BYTES = 6 + 32;
/** base64url of the 6 time bytes: exactly 8 characters. */
const TIME_CHARS = 8;

/**
 * `n` tokens for email links: each the time it was made (6 bytes, milliseconds) and 32 random
 * bytes, base64url. Only a token's key is stored (tokenKey): the time, then the SHA-256 of the
 * whole token. The time puts the keys of one execution batch next to each other in their unique
 * index, where bare hashes would land each on a page of its own: a batch of thousands then
 * rewrote most of the index.
 */
function newInviteTokens(n: number): string[] {
  const tokens: string[] = [];
  // getRandomValues gives at most 65,536 bytes a call.
  const per = 1_024;
  for (let start = 0; start < n; start += per) {
    const count = Math.min(per, n - start);
    const bytes = crypto.getRandomValues(new Uint8Array(TOKEN_BYTES * count));
    const time = timeBytes(Date.now());
    for (let i = 0; i < count; i++) {
      const token = bytes.subarray(TOKEN_BYTES * i, TOKEN_BYTES * (i + 1));
      token.set(time);
      tokens.push(base64url(token));
    }
  }
  return tokens;
}

function timeBytes(ms: number): Uint8Array {
  const bytes = new Uint8Array(6);
  for (let i = 5, v = ms; i >= 0; i--, v = Math.floor(v / 256)) bytes[i] = v % 256;
  return bytes;
}

/** The stored key of a token: its time in hex and its SHA-256; a link of the older kind, the hash alone. */
async function tokenKey(token: string): Promise<string> {
  return (await tokenKeys([token]))[0] as string;
}

async function tokenKeys(tokens: string[]): Promise<string[]> {
  const hashes = await sha256HexAll(tokens);
  return tokens.map((token, i) => `${timeHex(token)}${hashes[i]}`);
}

/** The token's time as 12 hex digits; "" for a token without one (made before tokens carried it). */
function timeHex(token: string): string {
  if (token.length !== Math.ceil((TOKEN_BYTES * 4) / 3)) return "";
  const time = base64urlBytes(token.slice(0, TIME_CHARS));
  if (!time) return "";
  return Array.from(time, (b) => b.toString(16).padStart(2, "0")).join("");
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

function base64urlBytes(text: string): Uint8Array | null {
  if (!/^[\w-]*$/.test(text)) return null;
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

export function inviteTemplateOf(settings: TenantSettings): InviteTemplate {
  return settings.inviteTemplate ?? DEFAULT_INVITE_TEMPLATE;
}

/** What the email needs besides the person: rendered when the invitation is written. */
export interface InviteMail {
  tenantName: string;
  hubName: string;
  template: InviteTemplate;
  /** The accept page's URL up to and including `token=`; the token is appended. */
  acceptUrl: string;
}

export interface NewInvitation {
  tenantId: string;
  hubId: string;
  memberId: string;
  /** The plan action that invited them; null for a re-send. */
  actionId: string | null;
  email: string;
  name: string | null;
  /** Unique per tenant in the outbox: a retried write queues nothing twice. */
  dedupeKey: string;
  now: Date;
}

/** What an invitation is made of: its id, the token's key, the expiry and the rendered email. */
export interface InvitationValues {
  id: string;
  tokenHash: string;
  expiresAt: string;
  email: { subject: string; text: string; html: string };
}

/** A new invitation's values: a fresh single-use token (only its key is kept) in the rendered email. */
export async function invitationValues(
  invitation: NewInvitation,
  mail: InviteMail,
): Promise<InvitationValues> {
  return (await invitationsValues([invitation], mail))[0] as InvitationValues;
}

/** invitationValues for many invitations at once: one template parse, the hashes computed together. */
export async function invitationsValues(
  list: Pick<NewInvitation, "email" | "name" | "now">[],
  mail: InviteMail,
): Promise<InvitationValues[]> {
  const tokens = newInviteTokens(list.length);
  const keys = await tokenKeys(tokens);
  const render = inviteRenderer(mail.template);
  return list.map((invitation, i) => ({
    id: timeOrderedId(),
    tokenHash: keys[i] as string,
    expiresAt: new Date(invitation.now.getTime() + INVITATION_DAYS * 86_400_000).toISOString(),
    email: render({
      tenantName: mail.tenantName,
      hubName: mail.hubName,
      name: invitation.name ?? invitation.email,
      acceptUrl: `${mail.acceptUrl}${tokens[i]}`,
    }),
  }));
}

/** The invitation row and its queued email, both written only where `guard` holds. */
export async function invitationStatements(
  invitation: NewInvitation,
  mail: InviteMail,
  guard: string,
  guardArgs: Args,
): Promise<{ id: string; expiresAt: string; statements: Stmt[] }> {
  const { id, tokenHash, expiresAt, email } = await invitationValues(invitation, mail);
  const now = invitation.now.toISOString();
  const { tenantId } = invitation;
  return {
    id,
    expiresAt,
    statements: [
      {
        sql: `INSERT INTO invitations (id, tenant_id, hub_id, member_id, action_id, token_hash, expires_at, created_at)
              SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE ${guard}`,
        args: [
          id,
          tenantId,
          invitation.hubId,
          invitation.memberId,
          invitation.actionId,
          tokenHash,
          expiresAt,
          now,
          ...guardArgs,
        ],
      },
      {
        sql: `INSERT INTO outbox (id, tenant_id, channel, dedupe_key, recipient, subject, text, html, created_at)
              SELECT ?, ?, 'email', ?, ?, ?, ?, ?, ? WHERE ${guard}`,
        args: [
          timeOrderedId(),
          tenantId,
          invitation.dedupeKey,
          invitation.email,
          email.subject,
          email.text,
          email.html,
          now,
          ...guardArgs,
        ],
      },
    ],
  };
}

/** Why an invitation cannot be accepted now, as a problem for the person holding the link. */
function whyUnusable(invitation: Invitation, member: Member | undefined, now: Date): AppError | null {
  if (invitation.status === "accepted") {
    return new AppError("gone", "This invitation has already been accepted; sign in instead.");
  }
  if (invitation.status === "revoked") {
    return new AppError(
      "gone",
      "This invitation link is no longer valid: a newer invitation replaced it or it was withdrawn. Use the latest email, or ask your admin.",
    );
  }
  if (invitation.status === "expired" || invitation.expiresAt <= now.toISOString()) {
    return new AppError(
      "gone",
      `This invitation expired on ${invitation.expiresAt.slice(0, 10)}; ask your admin to send a new one.`,
    );
  }
  if (member?.status !== "invited") {
    return new AppError("gone", "This invitation is no longer valid for this account; ask your admin.");
  }
  return null;
}

const NOT_VALID = "This invitation link is not valid; check that you opened the whole link from the email.";

/** Public: the token is the credential and names the tenant. Single use. */
export async function acceptInvitation(db: Db, token: string, now: Date) {
  const tokenHash = await tokenKey(token);
  const load = async () => {
    const invitation = await db.query.invitations.findFirst({ where: eq(invitations.tokenHash, tokenHash) });
    if (!invitation) throw new AppError("not_found", NOT_VALID);
    const member = await db.query.members.findFirst({
      where: and(eq(members.tenantId, invitation.tenantId), eq(members.id, invitation.memberId)),
    });
    return { invitation, member };
  };
  const { invitation, member } = await load();
  const problem = whyUnusable(invitation, member, now);
  if (problem) throw problem;
  const { tenantId, memberId, id } = invitation;
  const at = now.toISOString();
  const accepted = await changeOnce(
    db,
    {
      tenantId,
      actor: { type: "member", id: memberId },
      actionId: null,
      memberId,
      change: "invitation_accept",
      before: { status: "invited" },
      after: { status: "active", invitationId: id },
      at,
    },
    `EXISTS (SELECT 1 FROM invitations WHERE id = ? AND tenant_id = ? AND status = 'pending' AND expires_at > ?)
     AND EXISTS (SELECT 1 FROM members WHERE id = ? AND tenant_id = ? AND status = 'invited')`,
    [id, tenantId, at, memberId, tenantId],
    [
      {
        sql: `UPDATE invitations SET status = 'accepted', accepted_at = ? WHERE id = ? AND ${CLAIMED}`,
        args: [at, id],
      },
      // Any other link still out for this person dies with this one.
      {
        sql: `UPDATE invitations SET status = 'revoked' WHERE tenant_id = ? AND member_id = ? AND status = 'pending' AND ${CLAIMED}`,
        args: [tenantId, memberId],
      },
      {
        sql: `UPDATE members SET status = 'active', version = version + 1, updated_at = ? WHERE id = ? AND tenant_id = ? AND ${CLAIMED}`,
        args: [at, memberId, tenantId],
      },
    ],
  );
  if (!accepted) {
    const again = await load();
    throw (
      whyUnusable(again.invitation, again.member, now) ??
      new AppError("conflict", "The invitation changed while it was being accepted; try again.")
    );
  }
  return { tenantId, memberId, invitationId: id };
}

export interface ResendOptions {
  actor: Actor;
  acceptUrl: string;
  /** The request's Idempotency-Key: the same key re-sends once, whatever the retries. */
  idempotencyKey?: string;
  now: Date;
}

/** A new link (the old ones revoked) and a new email. Replays quietly for a repeated key. */
export async function resendInvitation(db: Db, tenantId: string, memberId: string, options: ResendOptions) {
  const member = await memberOf(db, tenantId, memberId);
  const dedupeKey = options.idempotencyKey
    ? `resend:${memberId}:${options.idempotencyKey}`
    : `resend:${crypto.randomUUID()}`;
  if (options.idempotencyKey && (await queued(db, tenantId, dedupeKey))) {
    return { invitation: await latestInvitation(db, tenantId, memberId), replayed: true };
  }
  if (member.status !== "invited") throw notInvited(member);
  const previous = await latestInvitation(db, tenantId, memberId);
  const hub = await hubFor(db, tenantId, memberId, previous?.hubId);
  const tenant = await getTenant(db, tenantId);
  const mail: InviteMail = {
    tenantName: tenant.name,
    hubName: hub.name,
    template: inviteTemplateOf(tenant.settings),
    acceptUrl: options.acceptUrl,
  };
  const created = await invitationStatements(
    {
      tenantId,
      hubId: hub.id,
      memberId,
      actionId: null,
      email: member.email,
      name: [member.firstName, member.lastName].filter(Boolean).join(" ") || null,
      dedupeKey,
      now: options.now,
    },
    mail,
    CLAIMED,
    [],
  );
  const done = await changeOnce(
    db,
    {
      tenantId,
      actor: options.actor,
      actionId: null,
      memberId,
      change: "invitation_resend",
      before: previous ? { invitationId: previous.id, status: previous.status } : null,
      after: { invitationId: created.id, status: "pending", expiresAt: created.expiresAt },
      at: options.now.toISOString(),
    },
    `EXISTS (SELECT 1 FROM members WHERE id = ? AND tenant_id = ? AND status = 'invited')
     AND NOT EXISTS (SELECT 1 FROM outbox WHERE tenant_id = ? AND dedupe_key = ?)`,
    [memberId, tenantId, tenantId, dedupeKey],
    [
      {
        sql: `UPDATE invitations SET status = 'revoked' WHERE tenant_id = ? AND member_id = ? AND status = 'pending' AND ${CLAIMED}`,
        args: [tenantId, memberId],
      },
      ...created.statements,
    ],
  );
  if (done) return { invitation: await latestInvitation(db, tenantId, memberId), replayed: false };
  if (await queued(db, tenantId, dedupeKey)) {
    return { invitation: await latestInvitation(db, tenantId, memberId), replayed: true };
  }
  throw notInvited(await memberOf(db, tenantId, memberId));
}

/** Withdraws every link still out for the member; the member stays invited (re-send makes a new one). */
export async function revokeInvitation(
  db: Db,
  tenantId: string,
  memberId: string,
  options: { actor: Actor; now: Date },
) {
  await memberOf(db, tenantId, memberId);
  const pending = `EXISTS (SELECT 1 FROM invitations WHERE tenant_id = ? AND member_id = ? AND status = 'pending')`;
  const done = await changeOnce(
    db,
    {
      tenantId,
      actor: options.actor,
      actionId: null,
      memberId,
      change: "invitation_revoke",
      before: { invitation: "pending" },
      after: { invitation: "revoked" },
      at: options.now.toISOString(),
    },
    pending,
    [tenantId, memberId],
    [
      {
        sql: `UPDATE invitations SET status = 'revoked' WHERE tenant_id = ? AND member_id = ? AND status = 'pending' AND ${CLAIMED}`,
        args: [tenantId, memberId],
      },
    ],
  );
  if (!done) throw new AppError("conflict", "This member has no pending invitation to revoke.");
  return { invitation: await latestInvitation(db, tenantId, memberId) };
}

/** The member's latest invitation (null if never invited); 404 for a member not in this tenant. */
export async function invitationOf(db: Db, tenantId: string, memberId: string) {
  await memberOf(db, tenantId, memberId);
  return latestInvitation(db, tenantId, memberId);
}

export async function latestInvitation(db: Db, tenantId: string, memberId: string) {
  const row = await db.query.invitations.findFirst({
    where: and(eq(invitations.tenantId, tenantId), eq(invitations.memberId, memberId)),
    orderBy: [desc(invitations.createdAt), desc(invitations.id)],
  });
  return row ?? null;
}

async function memberOf(db: Db, tenantId: string, memberId: string): Promise<Member> {
  const row = await db.query.members.findFirst({
    where: and(eq(members.tenantId, tenantId), eq(members.id, memberId)),
  });
  if (!row) throw new AppError("not_found", `No member ${memberId} in this tenant.`);
  return row;
}

function notInvited(member: Member): AppError {
  const why: Record<Member["status"], string> = {
    invited: "The member's invitation changed meanwhile; try again.",
    active: "This member already accepted their invitation and is active.",
    inactive: "This member is deactivated; reactivate them before inviting again.",
    archived: "This member is archived; an admin excluded them from syncs and invitations.",
    deleted: "This member is deleted; restore them before inviting again.",
  };
  return new AppError("conflict", why[member.status]);
}

async function queued(db: Db, tenantId: string, dedupeKey: string): Promise<boolean> {
  const row = await db.query.outbox.findFirst({
    where: and(eq(outbox.tenantId, tenantId), eq(outbox.dedupeKey, dedupeKey)),
    columns: { id: true },
  });
  return row !== undefined;
}

/** The hub of the member's last invitation, else one they belong to. */
async function hubFor(db: Db, tenantId: string, memberId: string, hubId: string | undefined) {
  const [row] = hubId
    ? await db
        .select({ id: hubs.id, name: hubs.name })
        .from(hubs)
        .where(and(eq(hubs.tenantId, tenantId), eq(hubs.id, hubId)))
    : await db
        .select({ id: hubs.id, name: hubs.name })
        .from(hubMemberships)
        .innerJoin(hubs, eq(hubs.id, hubMemberships.hubId))
        .where(and(eq(hubMemberships.tenantId, tenantId), eq(hubMemberships.memberId, memberId)))
        .orderBy(hubMemberships.createdAt)
        .limit(1);
  if (!row) throw new AppError("conflict", "This member belongs to no hub to be invited to.");
  return row;
}

export async function getInviteTemplate(db: Db, tenantId: string) {
  const tenant = await getTenant(db, tenantId);
  return {
    template: inviteTemplateOf(tenant.settings),
    custom: tenant.settings.inviteTemplate !== undefined,
  };
}

/** Saves the tenant's template; null goes back to the built-in one. */
export async function setInviteTemplate(db: Db, tenantId: string, template: InviteTemplate | null) {
  if (template) {
    const problems = templateProblems(template);
    if (problems.length) {
      throw new AppError(
        "invalid_request",
        "The template cannot be used as it is; see `errors`.",
        problems.map((p) => ({ field: `body.${p.field}`, message: p.message })),
      );
    }
  }
  // json_set/json_remove touch this key only: a concurrent edit of other settings is not lost.
  const settings = template
    ? sql`json_set(${tenants.settings}, '$.inviteTemplate', json(${JSON.stringify(template)}))`
    : sql`json_remove(${tenants.settings}, '$.inviteTemplate')`;
  const result = await db.update(tenants).set({ settings }).where(eq(tenants.id, tenantId));
  if (result.rowsAffected !== 1) throw new AppError("not_found", "No such tenant.");
  return getInviteTemplate(db, tenantId);
}
