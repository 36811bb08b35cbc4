// One error type for the whole API. Its `code` is stable (clients may branch on it) and decides
// the HTTP status; every error leaves the worker as application/problem+json.
export const ERROR_STATUS = {
  invalid_request: 400,
  unauthorized: 401,
  invalid_signature: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  idempotency_conflict: 409,
  idempotency_in_progress: 409,
  deprovisioning_guard: 409,
  gone: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unreadable_file: 422,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  database_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ProblemDetail {
  /** JSON pointer-ish path of the field at fault (`body.columns[2]`), when there is one. */
  field?: string;
  /** Row of the uploaded file at fault, when there is one. */
  row?: number;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ProblemDetail[];

  constructor(code: ErrorCode, message: string, details: ProblemDetail[] = []) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

const TITLES: Record<ErrorCode, string> = {
  invalid_request: "The request is not valid",
  unauthorized: "An API key is needed",
  invalid_signature: "The event signature does not verify",
  forbidden: "This API key may not do that",
  not_found: "Not found",
  conflict: "Conflict with the current state",
  idempotency_conflict: "Idempotency key reused with a different request",
  idempotency_in_progress: "The first request with this idempotency key is still running",
  deprovisioning_guard: "Blocked by the deprovisioning guard",
  gone: "No longer available",
  payload_too_large: "The request body is too large",
  unsupported_media_type: "Unsupported content type",
  unreadable_file: "The file cannot be read",
  unprocessable: "The request cannot be processed",
  rate_limited: "Too many requests",
  internal: "Something went wrong on our side",
  database_unavailable: "The database is not reachable",
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  instance?: string;
  errors?: ProblemDetail[];
}

export function toProblem(error: AppError, instance?: string): Problem {
  return {
    type: `https://profile-sync.dev/problems/${error.code.replaceAll("_", "-")}`,
    title: TITLES[error.code],
    status: error.status,
    code: error.code,
    detail: error.message,
    ...(instance ? { instance } : {}),
    ...(error.details.length ? { errors: error.details } : {}),
  };
}

export function problemResponse(
  error: AppError,
  instance?: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(toProblem(error, instance)), {
    status: error.status,
    headers: { ...headers, "content-type": "application/problem+json" },
  });
}
