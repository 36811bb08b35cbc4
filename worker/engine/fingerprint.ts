// A person's mapped values as one number, so "nothing changed" is one comparison per person instead
// of holding every member's fields. The export's row and the member are both written as the JSON
// array of what each mapped column would hold (dates and derived fields are compared on their
// own): equal JSON means nothing to write; a difference only means the row is planned in full.
// 53 bits (cyrb53): a changed person fingerprinting like the member is about one chance in 10^15.

const SEED1 = 0xdeadbeef;
const SEED2 = 0x41c6ce57;
const MUL1 = 2654435761;
const MUL2 = 1597334677;
const OPEN = 0x5b; // [
const COMMA = 0x2c;
const CLOSE = 0x5d; // ]
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Fingerprint of a text: the canonical JSON of a person's mapped values. */
export function fingerprint(text: string): number {
  let h1 = SEED1;
  let h2 = SEED2;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, MUL1);
    h2 = Math.imul(h2 ^ c, MUL2);
  }
  return settle(h1, h2);
}

/**
 * Equal to fingerprint(JSON.stringify(values)), without writing the JSON: the roster fingerprints
 * every row of an export, and writing each row's JSON only to hash it cost as much as the hashing.
 * The characters are hashed as JSON.stringify writes them.
 */
export function rowFingerprint(values: readonly unknown[]): number {
  let h1 = SEED1;
  let h2 = SEED2;
  for (let i = 0; i < values.length; i++) {
    const mark = i === 0 ? OPEN : COMMA;
    h1 = Math.imul(h1 ^ mark, MUL1);
    h2 = Math.imul(h2 ^ mark, MUL2);
    const value = values[i];
    let json: string;
    if (typeof value === "string") {
      // Hashed as it stands between quotes, unless JSON escapes one of its characters: then the
      // hash goes back to before the value, and the value's JSON is hashed instead.
      const before1 = h1;
      const before2 = h2;
      h1 = Math.imul(h1 ^ QUOTE, MUL1);
      h2 = Math.imul(h2 ^ QUOTE, MUL2);
      let k = 0;
      for (; k < value.length; k++) {
        const c = value.charCodeAt(k);
        if (c < 0x20 || c === QUOTE || c === BACKSLASH || (c >= 0xd800 && c <= 0xdfff)) break;
        h1 = Math.imul(h1 ^ c, MUL1);
        h2 = Math.imul(h2 ^ c, MUL2);
      }
      if (k === value.length) {
        h1 = Math.imul(h1 ^ QUOTE, MUL1);
        h2 = Math.imul(h2 ^ QUOTE, MUL2);
        continue;
      }
      h1 = before1;
      h2 = before2;
      json = JSON.stringify(value);
    } else {
      // As an array's element: undefined and functions are written as null.
      json = (JSON.stringify([value]) as string).slice(1, -1);
    }
    for (let k = 0; k < json.length; k++) {
      const c = json.charCodeAt(k);
      h1 = Math.imul(h1 ^ c, MUL1);
      h2 = Math.imul(h2 ^ c, MUL2);
    }
  }
  if (values.length === 0) {
    h1 = Math.imul(h1 ^ OPEN, MUL1);
    h2 = Math.imul(h2 ^ OPEN, MUL2);
  }
  h1 = Math.imul(h1 ^ CLOSE, MUL1);
  h2 = Math.imul(h2 ^ CLOSE, MUL2);
  return settle(h1, h2);
}

function settle(h1: number, h2: number): number {
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** A segment or role value as the planner compares it: a role list joined, empty as null. */
export function flatten(value: string | string[] | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  return Array.isArray(value) ? value.join(", ") || null : value;
}
