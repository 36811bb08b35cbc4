// Where Google lives. Tests and local development point the worker at a fake on 127.0.0.1;
// the overrides are honoured only with ENVIRONMENT=development, so production always talks to Google.
import type { Env } from "../env.ts";

const TOKEN_URL = "https://oauth2.googleapis.com/token";
const SHEETS_URL = "https://sheets.googleapis.com";

export interface GoogleEndpoints {
  tokenUrl: string;
  /** Origin of the Sheets API v4, without a trailing slash. */
  sheetsUrl: string;
}

export function googleEndpoints(env: Env): GoogleEndpoints {
  const development = env.ENVIRONMENT === "development";
  return {
    tokenUrl: (development && env.GOOGLE_TOKEN_URL) || TOKEN_URL,
    sheetsUrl: ((development && env.SHEETS_API_URL) || SHEETS_URL).replace(/\/+$/, ""),
  };
}
