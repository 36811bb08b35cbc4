// Google service-account auth for the Sheets API, inside the Worker: a JWT assertion signed RS256
// with WebCrypto (through jose), exchanged at the OAuth token endpoint for an access token
// (https://developers.google.com/identity/protocols/oauth2/service-account#httprest).
import { importPKCS8, SignJWT } from "jose";
import type { Env } from "../env.ts";
import { SourceError } from "./source-error.ts";

export const SHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets";
const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/** Google accepts assertions valid for at most an hour. */
const ASSERTION_SECONDS = 3600;

export interface ServiceAccount {
  clientEmail: string;
  privateKey: string;
  keyId: string | null;
}

interface TokenAnswer {
  access_token?: string;
  expires_in?: number;
  error?: string;
  error_description?: string;
}

/** The deployment's service account from GOOGLE_SERVICE_ACCOUNT_JSON; null when none is configured. */
export function serviceAccountOf(env: Env): ServiceAccount | null {
  const json = env.GOOGLE_SERVICE_ACCOUNT_JSON;
  if (!json) return null;
  let key: Record<string, unknown>;
  try {
    key = JSON.parse(json) as Record<string, unknown>;
  } catch {
    throw new SourceError("GOOGLE_SERVICE_ACCOUNT_JSON is not the JSON key file of a service account.");
  }
  const { client_email: clientEmail, private_key: privateKey, private_key_id: keyId } = key;
  if (typeof clientEmail !== "string" || typeof privateKey !== "string") {
    throw new SourceError("GOOGLE_SERVICE_ACCOUNT_JSON lacks client_email or private_key.");
  }
  return { clientEmail, privateKey, keyId: typeof keyId === "string" ? keyId : null };
}

/** The service account's email for people to share sheets with; null when unset or unreadable. */
export function serviceAccountEmail(env: Env): string | null {
  try {
    return serviceAccountOf(env)?.clientEmail ?? null;
  } catch {
    return null;
  }
}

/** A source of access tokens: fetched on first use, reused until a minute before they expire. */
export function accessTokens(
  account: ServiceAccount,
  tokenUrl: string,
  fetcher: typeof fetch = fetch,
): () => Promise<string> {
  let cached: { token: string; until: number } | null = null;
  return async () => {
    if (cached && Date.now() < cached.until) return cached.token;
    const response = await fetcher(tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: JWT_BEARER, assertion: await assertion(account, tokenUrl) }),
    });
    const answer = (await response.json().catch(() => ({}))) as TokenAnswer;
    if (!response.ok || !answer.access_token) {
      const why = [answer.error ?? `HTTP ${response.status}`, answer.error_description].filter(Boolean);
      throw new SourceError(`Google refused the service account ${account.clientEmail}: ${why.join(": ")}.`);
    }
    cached = { token: answer.access_token, until: Date.now() + ((answer.expires_in ?? 3600) - 60) * 1000 };
    return cached.token;
  };
}

async function assertion(account: ServiceAccount, tokenUrl: string): Promise<string> {
  let key: Awaited<ReturnType<typeof importPKCS8>>;
  try {
    key = await importPKCS8(account.privateKey, "RS256");
  } catch {
    throw new SourceError("The private_key in GOOGLE_SERVICE_ACCOUNT_JSON is not a PKCS#8 RSA key.");
  }
  // The wall clock, not the schedule's time: Google checks iat and exp against its own clock.
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: SHEETS_SCOPE })
    .setProtectedHeader({ alg: "RS256", typ: "JWT", ...(account.keyId ? { kid: account.keyId } : {}) })
    .setIssuer(account.clientEmail)
    .setAudience(tokenUrl)
    .setIssuedAt(now)
    .setExpirationTime(now + ASSERTION_SECONDS)
    .sign(key);
}
