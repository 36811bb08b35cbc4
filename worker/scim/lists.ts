// List answers (RFC 7644 §3.4.2): 1-based `startIndex` and `count` read leniently (a startIndex
// below 1 is 1; a count above the maximum is the maximum, as the RFC asks), and the ListResponse.
import { MAX_RESULTS } from "./discovery.ts";
import { LIST_RESPONSE } from "./schemas.ts";

export interface Page {
  startIndex: number;
  count: number;
}

export function pageOf(query: { startIndex?: string; count?: string }): Page {
  const start = Number.parseInt(query.startIndex ?? "", 10);
  const count = Number.parseInt(query.count ?? "", 10);
  return {
    startIndex: Number.isFinite(start) && start >= 1 ? start : 1,
    count: Number.isFinite(count) ? Math.min(Math.max(count, 0), MAX_RESULTS) : MAX_RESULTS,
  };
}

export function listResponse(resources: unknown[], totalResults: number, startIndex: number) {
  return {
    schemas: [LIST_RESPONSE],
    totalResults,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}
