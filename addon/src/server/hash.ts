// A short fingerprint of an action's changes, so the Review tab's hidden key stays small however many
// fields an action touches. Not for security: it only has to tell two proposals apart.
import type { ActionBody } from "../shared/contract.ts";

// The approver is a member id. For a manager invited in the same plan, that id is minted anew by
// every plan, so hashing it would untick the report's invite on each re-analyze although nothing
// changed; the manager column it comes from is hashed, so a real change of manager still counts.
const MINTED_IDS: ReadonlySet<string> = new Set(["approverId"]);

/** cyrb53 (a public-domain 53-bit string hash) of the changes, in base 36. */
export function changesHash(changes: ActionBody["changes"]): string {
  const text = changes
    .map(({ field, before, after }) => {
      const stableAfter = MINTED_IDS.has(field) && after !== null ? "(set)" : after;
      return JSON.stringify([field, before, stableAfter]);
    })
    .join("\n");
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}
