// Errors as the admin reads them: what went wrong (the API's own sentence when it sent one) and what
// to do about it.
import { ApiError } from "./api.ts";

export function withAdvice(error: unknown): Error {
  if (!(error instanceof ApiError)) return error instanceof Error ? error : new Error(String(error));
  const advice = adviceFor(error);
  return new Error(advice ? `${error.message} ${advice}` : error.message);
}

function adviceFor(error: ApiError): string {
  if (error.code === "deprovisioning_guard") {
    return "Check the Deactivate and Remove rows in Review. If they are right, press Override in the sidebar; if the export is incomplete, paste the whole export and Analyze again.";
  }
  if (error.status === 0) {
    return "Check the deployment URL under Connect and that the deployment is running, then try again.";
  }
  if (error.status === 401) return "Connect again with a valid API key.";
  if (error.status === 403) return "Connect with an admin API key to make changes.";
  if (error.status === 404) return "If the hub or plan was removed, choose the hub again and press Analyze.";
  if (error.status === 413)
    return "Split the export into smaller parts and analyze each with “partial” ticked.";
  if (error.status === 429) return "Wait a minute, then try again.";
  if (error.status >= 500) {
    return "Try again in a minute; if it keeps failing, tell whoever runs the profile-sync deployment.";
  }
  return "";
}
