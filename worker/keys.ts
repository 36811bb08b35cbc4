// API keys: random, shown once, stored as SHA-256. A lookup by hash needs no secret comparison
// in our code, and a leaked database does not leak usable keys.
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export function generateApiKey(): { key: string; prefix: string } {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const body = Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join("");
  const key = `ps_${body}`;
  return { key, prefix: key.slice(0, 10) };
}

export async function sha256Hex(value: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
