// A person's mapped values as one number, so "nothing changed" is one comparison per person instead
// of holding every member's fields. The export's row and the member are both written as the JSON
// array of what each mapped column would hold (dates and derived fields are compared on their
// own): equal JSON means nothing to write; a difference only means the row is planned in full.
// 53 bits (cyrb53): a changed person fingerprinting like the member is about one chance in 10^15.

/** Fingerprint of a text: the canonical JSON of a person's mapped values. */
export function fingerprint(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
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
