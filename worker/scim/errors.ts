// SCIM errors (RFC 7644 §3.12): one JSON shape, `urn:ietf:params:scim:api:messages:2.0:Error`, with
// the HTTP status as a string and, for 400s (and 409 uniqueness), a `scimType` a client can branch on.
// Everything under /scim/v2 answers this way, never problem+json: SCIM clients read only this.
import { HTTPException } from "hono/http-exception";
import { AppError, type ErrorCode } from "../errors.ts";

export const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";
export const SCIM_CONTENT_TYPE = "application/scim+json";

export type ScimType =
  | "invalidFilter"
  | "tooMany"
  | "uniqueness"
  | "mutability"
  | "invalidSyntax"
  | "invalidPath"
  | "noTarget"
  | "invalidValue"
  | "invalidVers"
  | "sensitive";

export class ScimError extends Error {
  readonly status: number;
  readonly scimType: ScimType | null;

  constructor(status: number, scimType: ScimType | null, detail: string) {
    super(detail);
    this.name = "ScimError";
    this.status = status;
    this.scimType = scimType;
  }
}

/** 400 with a scimType: the request itself is at fault. */
export function badRequest(scimType: ScimType, detail: string): ScimError {
  return new ScimError(400, scimType, detail);
}

export function notFound(detail: string): ScimError {
  return new ScimError(404, null, detail);
}

const FROM_APP_ERROR: Partial<Record<ErrorCode, [number, ScimType | null]>> = {
  invalid_request: [400, "invalidSyntax"],
  unprocessable: [400, "invalidValue"],
  unauthorized: [401, null],
  forbidden: [403, null],
  not_found: [404, null],
  conflict: [409, null],
  deprovisioning_guard: [409, null],
  payload_too_large: [413, null],
  unsupported_media_type: [415, null],
  database_unavailable: [503, null],
};

/** Any error thrown under /scim/v2, as the SCIM error it is (internals never leave). */
export function toScimError(error: unknown): ScimError {
  if (error instanceof ScimError) return error;
  if (error instanceof AppError) {
    const [status, scimType] = FROM_APP_ERROR[error.code] ?? [500, null];
    const detail = status === 500 ? "Something went wrong on our side; try again." : error.message;
    return new ScimError(status, scimType, detail);
  }
  if (error instanceof HTTPException) {
    if (error.status === 413) return new ScimError(413, null, "The request body is too large.");
    if (error.status === 415) {
      return new ScimError(415, null, "Send SCIM requests as application/scim+json (or application/json).");
    }
    return badRequest("invalidSyntax", error.message || "The request is not valid.");
  }
  if (error instanceof SyntaxError) return badRequest("invalidSyntax", "The body is not valid JSON.");
  console.error(`scim unhandled ${error instanceof Error ? error.name : "error"}`);
  return new ScimError(500, null, "Something went wrong on our side; try again.");
}

export function scimErrorResponse(error: ScimError, headers: Record<string, string> = {}): Response {
  const body = {
    schemas: [ERROR_SCHEMA],
    status: String(error.status),
    ...(error.scimType ? { scimType: error.scimType } : {}),
    detail: error.message,
  };
  return new Response(JSON.stringify(body), {
    status: error.status,
    headers: { ...headers, "content-type": SCIM_CONTENT_TYPE },
  });
}
