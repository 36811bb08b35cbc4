// A CSV source: a GET on the configured URL, with the tenant's bearer token when it has one. The
// body is parsed by the same parser as an upload (delimiters, BOM, encodings).
import { DEFAULT_IMPORT_LIMITS } from "../../import-limits.ts";
import type { Snapshot } from "../../sync.ts";
import { SourceError } from "../source-error.ts";

/** As an upload: larger exports are refused rather than half-read. */
const MAX_BYTES = DEFAULT_IMPORT_LIMITS.bytes;

export async function readCsv(url: string, bearer: string | null, fetcher: typeof fetch): Promise<Snapshot> {
  // Error messages name the URL without its query, which may carry a key.
  const parsed = new URL(url);
  const where = `${parsed.origin}${parsed.pathname}`;
  let response: Response;
  try {
    response = await fetcher(url, {
      headers: {
        accept: "text/csv, text/plain;q=0.9, */*;q=0.1",
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      },
    });
  } catch (error) {
    const kind = error instanceof Error ? error.message : String(error);
    throw new SourceError(`The CSV at ${where} could not be fetched: ${kind}.`);
  }
  if (!response.ok) {
    const hint =
      response.status === 401 || response.status === 403 ? " Check the source's bearer token." : "";
    throw new SourceError(`The CSV at ${where} answered HTTP ${response.status}.${hint}`);
  }
  if (Number(response.headers.get("content-length") ?? 0) > MAX_BYTES) {
    throw new SourceError(`The CSV at ${where} is larger than ${MAX_BYTES / 1024 / 1024} MB.`);
  }
  const body = new Uint8Array(await response.arrayBuffer());
  if (body.byteLength > MAX_BYTES) {
    throw new SourceError(`The CSV at ${where} is larger than ${MAX_BYTES / 1024 / 1024} MB.`);
  }
  return { format: "csv", body };
}
