// HMAC-SHA256 signatures for events in both directions (HRIS → us, us → webhook endpoints), in the
// widespread `t=<unix seconds>,v1=<hex>` form. The signed message is `${t}.${rawBody}`, so the
// timestamp cannot be swapped; a sender in the middle of rotating its secret may send several v1.

/** How far a signature's timestamp may be from our clock, either way. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

export type Verification =
  | { ok: true }
  | { ok: false; reason: "missing" | "malformed" | "expired" | "mismatch"; message: string };

export async function signatureHeader(secret: string, body: Uint8Array | string, now: Date): Promise<string> {
  const t = Math.floor(now.getTime() / 1000);
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), signedBytes(t, body));
  return `t=${t},v1=${hex(new Uint8Array(mac))}`;
}

/** Verifies `header` against any of `secrets` (current, and the previous one during a rotation). */
export async function verifySignature(
  header: string | undefined,
  body: Uint8Array | string,
  secrets: string[],
  now: Date,
): Promise<Verification> {
  if (!header) {
    return {
      ok: false,
      reason: "missing",
      message: "Sign the event: send `X-Signature: t=<unix>,v1=<hex>`.",
    };
  }
  const parsed = parseHeader(header);
  if (!parsed) {
    return {
      ok: false,
      reason: "malformed",
      message: "`X-Signature` must look like `t=<unix seconds>,v1=<hex HMAC-SHA256>`.",
    };
  }
  if (Math.abs(now.getTime() / 1000 - parsed.t) > SIGNATURE_TOLERANCE_SECONDS) {
    return {
      ok: false,
      reason: "expired",
      message: `The signature's timestamp is more than ${SIGNATURE_TOLERANCE_SECONDS / 60} minutes from now; sign the event when you send it.`,
    };
  }
  const message = signedBytes(parsed.t, body);
  for (const secret of secrets) {
    const key = await hmacKey(secret);
    for (const mac of parsed.v1) {
      // subtle.verify compares in constant time.
      if (await crypto.subtle.verify("HMAC", key, mac, message)) return { ok: true };
    }
  }
  return {
    ok: false,
    reason: "mismatch",
    message: "The signature does not match the body with this tenant's event secret.",
  };
}

function parseHeader(header: string): { t: number; v1: Uint8Array<ArrayBuffer>[] } | null {
  let t: number | null = null;
  const v1: Uint8Array<ArrayBuffer>[] = [];
  for (const part of header.split(",")) {
    const [name, value = ""] = part.trim().split("=", 2);
    if (name === "t" && /^\d{1,12}$/.test(value)) t = Number(value);
    else if (name === "v1" && /^[0-9a-f]{64}$/i.test(value)) v1.push(unhex(value));
    // Unknown schemes (v0, a future v2) are ignored, as senders add them side by side.
  }
  return t === null || v1.length === 0 ? null : { t, v1 };
}

function signedBytes(t: number, body: Uint8Array | string): Uint8Array<ArrayBuffer> {
  const prefix = new TextEncoder().encode(`${t}.`);
  const rest = typeof body === "string" ? new TextEncoder().encode(body) : body;
  const out = new Uint8Array(prefix.byteLength + rest.byteLength);
  out.set(prefix, 0);
  out.set(rest, prefix.byteLength);
  return out;
}

async function hmacKey(secret: string) {
  return crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function unhex(value: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(value.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(value.slice(i * 2, i * 2 + 2), 16);
  return out;
}
