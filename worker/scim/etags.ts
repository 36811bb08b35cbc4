// ETags (RFC 7644 §3.14): weak, from a User's member version or a digest of a Group's name and
// members. If-Match on a write must name the current one (or `*`), else 412 and nothing changes.
import { ScimError } from "./errors.ts";

export function weakEtag(version: string | number): string {
  return `W/"${version}"`;
}

function opaque(tag: string): string {
  return tag.trim().replace(/^W\//, "");
}

export function checkIfMatch(ifMatch: string | undefined, etag: string): void {
  if (ifMatch === undefined) return;
  const tags = ifMatch.split(",").map((t) => t.trim());
  if (tags.includes("*") || tags.some((t) => opaque(t) === opaque(etag))) return;
  throw new ScimError(
    412,
    null,
    `The resource changed: it is at version ${etag}, not ${ifMatch}. Read it again, then retry.`,
  );
}

/** If-None-Match on a read: true when the client already has this version (answer 304). */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(",").some((t) => t.trim() === "*" || opaque(t) === opaque(etag));
}

/** A short digest of a value, FNV-1a: enough to tell versions of a Group apart. */
export function digest(value: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}
