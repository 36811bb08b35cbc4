// Keys: API keys (random, shown once, stored as SHA-256: a lookup by hash needs no secret
// comparison in our code, and a leaked database does not leak usable keys), and row ids that
// B-tree indexes append to.
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export function generateApiKey(): { key: string; prefix: string } {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const body = Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join("");
  const key = `ps_${body}`;
  return { key, prefix: key.slice(0, 10) };
}

export async function sha256Hex(value: string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value)));
}

/** sha256Hex of many values, digested concurrently (one at a time, each waits its turn). */
export function sha256HexAll(values: string[]): Promise<string[]> {
  const encoder = new TextEncoder();
  return Promise.all(values.map(async (v) => hex(await crypto.subtle.digest("SHA-256", encoder.encode(v)))));
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

function hex(buffer: ArrayBuffer): string {
  let text = "";
  for (const b of new Uint8Array(buffer)) text += HEX[b];
  return text;
}

let lastMs = 0;
let counter = 0;
// Random bytes drawn a few thousand at a time: one call per id costs more than the id.
const pool = new Uint8Array(4096);
let used = pool.length;

/**
 * A UUID (version 7, RFC 9562) that sorts after every one this isolate made before: the time in
 * milliseconds, then a counter, then 62 random bits. Rows keyed by it are appended to their
 * indexes' last pages, where a random UUID would land each on a page of its own: with thousands
 * of rows a batch, that is the difference between writing a few pages and rewriting the index.
 */
export function timeOrderedId(): string {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
  } else if (++counter > 0xfff) {
    // 4,096 in one millisecond: borrow the next one, so the order holds.
    lastMs += 1;
    counter = 0;
  }
  if (used + 8 > pool.length) {
    crypto.getRandomValues(pool);
    used = 0;
  }
  const r = pool.subarray(used, used + 8);
  used += 8;
  const time = lastMs.toString(16).padStart(12, "0");
  const variant = HEX[((r[0] as number) & 0x3f) | 0x80];
  return (
    `${time.slice(0, 8)}-${time.slice(8)}-7${counter.toString(16).padStart(3, "0")}-` +
    `${variant}${HEX[r[1] as number]}-${HEX[r[2] as number]}${HEX[r[3] as number]}${HEX[r[4] as number]}` +
    `${HEX[r[5] as number]}${HEX[r[6] as number]}${HEX[r[7] as number]}`
  );
}
