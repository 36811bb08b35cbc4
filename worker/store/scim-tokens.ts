// SCIM bearer tokens: what a tenant's identity provider (Okta, Entra) authenticates with. Separate
// from API keys: a token works only on /scim/v2 and an API key never does. Random, shown once,
// stored as SHA-256, revoked at once. Each names the hub users created through it are invited to.
import { and, asc, eq, isNull } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { scimTokens } from "../../db/schema.ts";
import { AppError } from "../errors.ts";
import { sha256Hex } from "../keys.ts";
import { getHub } from "./tenants.ts";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
// 248 is the largest multiple of 62 under 256: bytes at or above it are dropped, so every
// character is equally likely.
const UNBIASED_BELOW = 248;
const TOKEN_CHARS = 43;

/** Who is calling the SCIM service: the tenant, the token, and the hub new users join. */
export interface ScimCaller {
  tenantId: string;
  tokenId: string;
  hubId: string;
}

const PUBLIC_COLUMNS = {
  id: scimTokens.id,
  name: scimTokens.name,
  prefix: scimTokens.prefix,
  hubId: scimTokens.hubId,
  createdAt: scimTokens.createdAt,
  revokedAt: scimTokens.revokedAt,
};

function generateToken(): string {
  let body = "";
  while (body.length < TOKEN_CHARS) {
    for (const b of crypto.getRandomValues(new Uint8Array(64))) {
      if (b < UNBIASED_BELOW && body.length < TOKEN_CHARS) body += ALPHABET[b % ALPHABET.length];
    }
  }
  return `scim_${body}`;
}

/** Returns the token itself once; only its hash is stored. */
export async function createScimToken(db: Db, tenantId: string, input: { name: string; hubId: string }) {
  await getHub(db, tenantId, input.hubId);
  const token = generateToken();
  const id = crypto.randomUUID();
  await db.insert(scimTokens).values({
    id,
    tenantId,
    hubId: input.hubId,
    name: input.name,
    prefix: token.slice(0, 10),
    hash: await sha256Hex(token),
  });
  return { ...(await getScimToken(db, tenantId, id)), token };
}

export async function listScimTokens(db: Db, tenantId: string) {
  return db
    .select(PUBLIC_COLUMNS)
    .from(scimTokens)
    .where(eq(scimTokens.tenantId, tenantId))
    .orderBy(asc(scimTokens.createdAt), asc(scimTokens.id));
}

export async function getScimToken(db: Db, tenantId: string, id: string) {
  const [row] = await db
    .select(PUBLIC_COLUMNS)
    .from(scimTokens)
    .where(and(eq(scimTokens.tenantId, tenantId), eq(scimTokens.id, id)));
  if (!row) throw new AppError("not_found", `No SCIM token ${id} in this tenant.`);
  return row;
}

/** Revokes at once (the next SCIM request with it gets 401); revoking again changes nothing. */
export async function revokeScimToken(db: Db, tenantId: string, id: string, now: Date) {
  await getScimToken(db, tenantId, id);
  await db
    .update(scimTokens)
    .set({ revokedAt: now.toISOString() })
    .where(and(eq(scimTokens.tenantId, tenantId), eq(scimTokens.id, id), isNull(scimTokens.revokedAt)));
  return getScimToken(db, tenantId, id);
}

/** The caller behind a presented token; null when it is unknown or revoked. */
export async function scimCallerFor(db: Db, token: string): Promise<ScimCaller | null> {
  const row = await db.query.scimTokens.findFirst({
    where: and(eq(scimTokens.hash, await sha256Hex(token)), isNull(scimTokens.revokedAt)),
  });
  return row ? { tenantId: row.tenantId, tokenId: row.id, hubId: row.hubId } : null;
}
