// Secrets derived, not stored: HKDF-SHA256 over the worker's EVENTS_SIGNING_KEY, salted with the
// tenant and labelled with what the secret is for. A leaked database holds no usable secret;
// rotating one is bumping its generation; rotating the master key rotates them all.
import type { Env } from "./env.ts";
import { AppError } from "./errors.ts";

// Development and tests need no configuration; production must set its own key.
const DEVELOPMENT_KEY = "profile-sync development events signing key (not for production)";

export function signingKeyOf(env: Env): string {
  if (env.EVENTS_SIGNING_KEY) return env.EVENTS_SIGNING_KEY;
  if (env.ENVIRONMENT === "development") return DEVELOPMENT_KEY;
  throw new AppError(
    "internal",
    "Event signing is not configured on this deployment (EVENTS_SIGNING_KEY); ask its operator.",
  );
}

/** A tenant's event secret for one generation: what the HRIS signs with. */
export function eventSecret(masterKey: string, tenantId: string, generation: number): Promise<string> {
  return derive(masterKey, tenantId, `events:v${generation}`, "whsec_");
}

/** A webhook endpoint's secret: what our deliveries to it are signed with. */
export function webhookSecret(masterKey: string, tenantId: string, webhookId: string): Promise<string> {
  return derive(masterKey, tenantId, `webhook:${webhookId}`, "whsec_");
}

// Derived once per isolate: an HRIS event checks its signature with one, and HKDF costs a few
// tenths of a millisecond of it. Nothing is kept here that the master key in memory does not give.
const derived = new Map<string, Promise<string>>();
const KEEP_DERIVED = 1_000;

function derive(masterKey: string, salt: string, info: string, prefix: string): Promise<string> {
  const key = JSON.stringify([masterKey, salt, info, prefix]);
  let secret = derived.get(key);
  if (!secret) {
    if (derived.size >= KEEP_DERIVED) derived.clear();
    secret = hkdf(masterKey, salt, info, prefix);
    // A failed derivation is not kept.
    secret.catch(() => derived.delete(key));
    derived.set(key, secret);
  }
  return secret;
}

async function hkdf(masterKey: string, salt: string, info: string, prefix: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", encoder.encode(masterKey), "HKDF", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "HKDF", hash: "SHA-256", salt: encoder.encode(salt), info: encoder.encode(info) },
    key,
    256,
  );
  return prefix + Array.from(new Uint8Array(bits), (b) => b.toString(16).padStart(2, "0")).join("");
}
