// Opaque keyset cursors for list endpoints. A cursor names the last row of the previous page by a
// unique sort key, so rows inserted meanwhile never shift a page: nothing is skipped or repeated.
import { AppError } from "./errors.ts";

/** `kind` keeps a cursor from one list from being replayed against another. */
export function encodeCursor(kind: string, key: (string | number)[]): string {
  const json = JSON.stringify([kind, ...key]);
  return btoa(String.fromCharCode(...new TextEncoder().encode(json)))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

export function decodeCursor(kind: string, cursor: string, arity: number): (string | number)[] {
  try {
    const binary = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
    const json = new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    const value: unknown = JSON.parse(json);
    if (
      Array.isArray(value) &&
      value[0] === kind &&
      value.length === arity + 1 &&
      value.slice(1).every((v) => typeof v === "string" || typeof v === "number")
    ) {
      return value.slice(1) as (string | number)[];
    }
  } catch {
    // fall through to the error below
  }
  throw new AppError("invalid_request", "The cursor is not one this list gave out.", [
    { field: "query.cursor", message: "Pass back the `nextCursor` of the previous page unchanged." },
  ]);
}
