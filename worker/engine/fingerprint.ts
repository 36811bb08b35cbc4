// A person's mapped values as one number, so "nothing changed" is one comparison per person instead
// of holding every member's fields: the export's row and the member are fingerprinted the same
// way from the same list of fields. 53 bits (cyrb53): two people differing yet fingerprinting
// alike is about one chance in 10^15 per comparison, and each row is compared with one member.

const FIELD_END = 0xffff;
const NULL = 0xfffe;

/** Fingerprint of a list of values in a fixed order; null and absent are the same. */
export function fingerprint(values: readonly (string | null | undefined)[]): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (const value of values) {
    if (value === null || value === undefined) {
      h1 = Math.imul(h1 ^ NULL, 2654435761);
      h2 = Math.imul(h2 ^ NULL, 1597334677);
    } else {
      for (let i = 0; i < value.length; i++) {
        const c = value.charCodeAt(i);
        h1 = Math.imul(h1 ^ c, 2654435761);
        h2 = Math.imul(h2 ^ c, 1597334677);
      }
    }
    h1 = Math.imul(h1 ^ FIELD_END, 2654435761);
    h2 = Math.imul(h2 ^ FIELD_END, 1597334677);
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
