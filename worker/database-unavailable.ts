// Is an error the database being unavailable for a moment (sqld down or restarting, the network
// between, or every writer busy), as opposed to a query the database refused? The first is a 503
// the client may retry; the second is a bug. Only names, codes and the fixed messages of the
// transport are looked at, never a query's.

/** What workerd's and Node's fetch say when the connection is refused, reset or dropped. */
const TRANSPORT_MESSAGES =
  /^(Network connection lost\.?|fetch failed|.*\b(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT)\b.*|socket hang up|Connection refused.*)$/i;

/**
 * libSQL client codes for a stream or socket that broke, and SQLite's for a write lock it waited
 * for in vain (other writers held it past the busy timeout): the same request may pass in a moment.
 */
const TRANSIENT_CODES = new Set(["HRANA_CLOSED_ERROR", "HRANA_WEBSOCKET_ERROR", "SQLITE_BUSY"]);

/** The reason, for the log (`unreachable`, `SQLITE_BUSY`), or null when the error is something else. */
export function databaseUnavailable(error: unknown): string | null {
  // Drizzle wraps the client's error (`Failed query: …`), which may wrap the transport's.
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (TRANSPORT_MESSAGES.test(current.message)) return "unreachable";
    const { code, status } = current as { code?: unknown; status?: unknown };
    if (typeof code === "string" && TRANSIENT_CODES.has(code)) return code;
    // sqld (or a proxy before it) answering 502/503/504: up but not serving.
    if (current.name === "HttpServerError" && typeof status === "number" && status >= 502)
      return `HTTP ${status}`;
    current = current.cause;
  }
  return null;
}
