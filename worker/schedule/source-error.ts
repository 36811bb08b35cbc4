// A source that could not be read (network, HTTP status, credentials, an empty sheet): its message
// is a sentence for the admin and lands on the sync run; the tenant's other work goes on.
import { AppError } from "../errors.ts";

export class SourceError extends Error {
  override name = "SourceError";
}

/** The text recorded on a sync run for any error: ours as written, others by kind only. */
export function errorSentence(error: unknown): string {
  if (error instanceof SourceError || error instanceof AppError) return error.message;
  const kind = error instanceof Error ? error.name : typeof error;
  return `The scheduled sync stopped on an unexpected ${kind}; it runs again at the next scheduled time.`;
}
