// A tiny JSON client for the profile-sync HTTP API over UrlFetchApp (Apps Script has no fetch()).
// UrlFetchApp is synchronous. muteHttpExceptions only stops it throwing on HTTP error codes; it still
// throws when the server cannot be reached, so both paths end here as an Error a person can read.
import { isJsonObject, parseJson } from "./json.ts";

export interface ApiTarget {
  /** Deployment base URL without a trailing slash, as stored by connection.ts. */
  url: string;
  apiKey: string;
}

export type ApiMethod = GoogleAppsScript.URL_Fetch.HttpMethod;

/**
 * One entry of a problem's `errors`. Written out rather than imported from worker/contract/common.ts,
 * which brings the worker's Response-based error helpers into the Apps Script type world; the entries
 * are checked one by one when read anyway.
 */
export interface ProblemDetail {
  field?: string;
  row?: number;
  message: string;
}

/**
 * An error answer from the API. The status and the problem's code let callers treat 401 or a guard
 * refusal differently; `details` are the problem's per-field or per-row errors, when it lists any.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string | null;
  readonly details: ProblemDetail[];

  constructor(message: string, status: number, code: string | null = null, details: ProblemDetail[] = []) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Calls the API and returns the parsed JSON answer (null for an empty one), or throws. */
export function callApi(target: ApiTarget, method: ApiMethod, path: string, body?: unknown): unknown {
  const response = send(target, method, path, body);
  const status = response.getResponseCode();
  if (status < 200 || status >= 300) throw errorFrom(response, status);
  const text = response.getContentText();
  if (text.trim() === "") return null;
  const parsed = parseJson(text);
  if (parsed === undefined) throw new ApiError("The server's answer was not JSON.", status);
  return parsed;
}

/** The message of anything thrown. Duck-typed: errors from Apps Script services need not be ours. */
export function messageOf(error: unknown): string {
  if (
    typeof error === "object" &&
    error !== null &&
    "message" in error &&
    typeof error.message === "string"
  ) {
    return error.message;
  }
  return String(error);
}

function send(target: ApiTarget, method: ApiMethod, path: string, body: unknown) {
  const options: GoogleAppsScript.URL_Fetch.URLFetchRequestOptions = {
    method,
    headers: { Authorization: `Bearer ${target.apiKey}`, Accept: "application/json" },
    muteHttpExceptions: true,
  };
  if (body !== undefined) {
    options.contentType = "application/json";
    options.payload = JSON.stringify(body);
  }
  try {
    return UrlFetchApp.fetch(target.url + path, options);
  } catch (error) {
    throw new ApiError(`The server did not answer (${messageOf(error)}).`, 0);
  }
}

function errorFrom(response: GoogleAppsScript.URL_Fetch.HTTPResponse, status: number): ApiError {
  const problem = isProblem(response) ? parseJson(response.getContentText()) : undefined;
  if (!isJsonObject(problem)) return new ApiError(statusMessage(status), status);
  const code = typeof problem.code === "string" ? problem.code : null;
  return new ApiError(
    problemMessage(problem) ?? statusMessage(status),
    status,
    code,
    problemDetails(problem),
  );
}

// RFC 9457: the API explains its errors as application/problem+json; `detail` is written for this
// occurrence, `title` for the kind of problem, so detail is the better sentence when present.
function problemMessage(problem: Record<string, unknown>): string | undefined {
  return [problem.detail, problem.title].find((value): value is string => {
    return typeof value === "string" && value.trim() !== "";
  });
}

function problemDetails(problem: Record<string, unknown>): ProblemDetail[] {
  if (!Array.isArray(problem.errors)) return [];
  return problem.errors.flatMap((entry: unknown): ProblemDetail[] => {
    if (!isJsonObject(entry) || typeof entry.message !== "string") return [];
    return [
      {
        message: entry.message,
        ...(typeof entry.field === "string" ? { field: entry.field } : {}),
        ...(typeof entry.row === "number" ? { row: entry.row } : {}),
      },
    ];
  });
}

function isProblem(response: GoogleAppsScript.URL_Fetch.HTTPResponse): boolean {
  return headerValue(response, "content-type").toLowerCase().startsWith("application/problem+json");
}

function statusMessage(status: number): string {
  if (status === 401) return "The API key was not accepted (HTTP 401).";
  if (status === 403) return "The API key may not do this (HTTP 403).";
  return `The server answered HTTP ${status}.`;
}

// Header names arrive in whatever case the server sent them.
function headerValue(response: GoogleAppsScript.URL_Fetch.HTTPResponse, name: string): string {
  for (const [key, value] of Object.entries(response.getHeaders())) {
    if (key.toLowerCase() === name) return String(value);
  }
  return "";
}
