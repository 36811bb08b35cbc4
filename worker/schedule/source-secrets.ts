// Per-tenant source credentials (a CSV URL's bearer token) are stored only sealed: AES-256-GCM
// under a key derived (HKDF-SHA256) from the worker secret SOURCES_ENCRYPTION_KEY, with the tenant
// and source id as associated data, so a sealed token copied to another tenant or source does not
// open. A leaked database holds no usable token; a lost key means re-entering the tokens.
import type { SealedSecret } from "../../db/schema.ts";
import type { Env } from "../env.ts";
import { AppError } from "../errors.ts";

// Development and tests need no configuration; production must set its own key.
const DEVELOPMENT_KEY = "profile-sync development sources key (not for production)";

export function sourcesKeyOf(env: Env): string {
  if (env.SOURCES_ENCRYPTION_KEY) return env.SOURCES_ENCRYPTION_KEY;
  if (env.ENVIRONMENT === "development") return DEVELOPMENT_KEY;
  throw new AppError(
    "internal",
    "Source credentials cannot be stored or read on this deployment (SOURCES_ENCRYPTION_KEY is not set); ask its operator.",
  );
}

export async function sealSecret(masterKey: string, context: string, plain: string): Promise<SealedSecret> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: encode(context) },
    await aesKey(masterKey),
    encode(plain),
  );
  return { iv: base64url(iv), data: base64url(new Uint8Array(data)) };
}

/** The plain text; throws when the key or the context is not the one it was sealed with. */
export async function openSecret(masterKey: string, context: string, sealed: SealedSecret): Promise<string> {
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: unbase64url(sealed.iv), additionalData: encode(context) },
    await aesKey(masterKey),
    unbase64url(sealed.data),
  );
  return new TextDecoder().decode(plain);
}

/** What a sealed source credential is bound to. */
export function sourceContext(tenantId: string, sourceId: string): string {
  return `source:${tenantId}:${sourceId}`;
}

async function aesKey(masterKey: string) {
  const base = await crypto.subtle.importKey("raw", encode(masterKey), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: encode("profile-sync sources"), info: encode("aes-256-gcm v1") },
    base,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

function encode(text: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(text) as Uint8Array<ArrayBuffer>;
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

function unbase64url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
