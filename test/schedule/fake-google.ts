// A local stand-in for Google's OAuth token endpoint and the Sheets API v4 values.get and
// values.batchUpdate, plus CSV URLs, on 127.0.0.1. It follows Google's documented shapes
// (https://developers.google.com/identity/protocols/oauth2/service-account#httprest,
// https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets.values) and checks what
// Google checks: the JWT assertion's RS256 signature against the service account's public key and
// its claims (iss, scope, aud, iat, exp), and the access token on every Sheets call. Its A1 reading
// is its own, so a mistake in the worker's cannot cancel out here.
import { generateKeyPairSync, randomUUID, verify } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const SHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets";
type Cell = string | number | boolean;

export interface FakeSheet {
  /** Tab name → rows (row 1 first). */
  tabs: Map<string, Cell[][]>;
  /** How the spreadsheet is shared with the service account. */
  access: "writer" | "reader" | "none";
}

export interface CsvFile {
  body: string;
  status?: number;
  bearer?: string;
}

export interface Recorded {
  method: string;
  path: string;
  at: number;
}

export interface FakeGoogle {
  origin: string;
  tokenUrl: string;
  clientEmail: string;
  /** The JSON key file of the service account, as GOOGLE_SERVICE_ACCOUNT_JSON holds it. */
  serviceAccountJson: string;
  sheets: Map<string, FakeSheet>;
  csv: Map<string, CsvFile>;
  requests: Recorded[];
  /** Bodies of values:batchUpdate calls, in order. */
  batchUpdates: { spreadsheetId: string; body: BatchBody }[];
  /** Why assertions were refused, in order. */
  refusals: string[];
  tokensIssued: () => number;
  csvUrl: (name: string) => string;
  /** A tab's cell by A1 column letters and row number, as now stored. */
  cell: (spreadsheetId: string, tab: string, column: string, row: number) => Cell | undefined;
  close: () => Promise<void>;
}

interface BatchBody {
  valueInputOption?: string;
  data?: { range?: string; majorDimension?: string; values?: Cell[][] }[];
}

export async function startFakeGoogle(): Promise<FakeGoogle> {
  const keyId = randomUUID().replace(/-/g, "");
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const clientEmail = "profile-sync@test-project.iam.gserviceaccount.com";
  const tokens = new Set<string>();
  const state = {
    sheets: new Map<string, FakeSheet>(),
    csv: new Map<string, CsvFile>(),
    requests: [] as Recorded[],
    batchUpdates: [] as { spreadsheetId: string; body: BatchBody }[],
    refusals: [] as string[],
  };
  let tokenUrl = "";

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    state.requests.push({ method: req.method ?? "", path: url.pathname, at: Date.now() });
    const body = await readBody(req);
    if (req.method === "POST" && url.pathname === "/token") return token(req, body, res);
    if (url.pathname.startsWith("/csv/")) return csvFile(req, url, res);
    const sheetsPath = /^\/v4\/spreadsheets\/([^/]+)\/values(?:\/(.+)|:batchUpdate)$/.exec(url.pathname);
    if (sheetsPath) {
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
      if (!bearer || !tokens.has(bearer)) {
        return googleError(res, 401, "UNAUTHENTICATED", "Request had invalid authentication credentials.");
      }
      const spreadsheetId = decodeURIComponent(sheetsPath[1] ?? "");
      const sheet = state.sheets.get(spreadsheetId);
      if (!sheet) return googleError(res, 404, "NOT_FOUND", "Requested entity was not found.");
      if (sheet.access === "none")
        return googleError(res, 403, "PERMISSION_DENIED", "The caller does not have permission");
      if (req.method === "GET" && sheetsPath[2])
        return valuesGet(res, url, sheet, decodeURIComponent(sheetsPath[2]));
      if (req.method === "POST" && url.pathname.endsWith(":batchUpdate")) {
        return batchUpdate(res, sheet, spreadsheetId, body);
      }
    }
    json(res, 404, { error: { code: 404, message: "Not found", status: "NOT_FOUND" } });
  });

  function token(req: IncomingMessage, body: string, res: ServerResponse) {
    const refuse = (why: string) => {
      state.refusals.push(why);
      json(res, 400, { error: "invalid_grant", error_description: why });
    };
    if (!req.headers["content-type"]?.startsWith("application/x-www-form-urlencoded")) {
      return refuse("Content-Type must be application/x-www-form-urlencoded");
    }
    const form = new URLSearchParams(body);
    if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer") {
      return refuse("Invalid grant_type");
    }
    const problem = assertionProblem(form.get("assertion") ?? "");
    if (problem) return refuse(problem);
    const access = `ya29.${randomUUID()}`;
    tokens.add(access);
    json(res, 200, { access_token: access, expires_in: 3599, token_type: "Bearer" });
  }

  function assertionProblem(jwt: string): string | null {
    const [h = "", p = "", s = ""] = jwt.split(".");
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(h, "base64url").toString("utf8"));
      claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8"));
    } catch {
      return "Malformed JWT";
    }
    if (header.alg !== "RS256" || header.typ !== "JWT")
      return `Unexpected JWT header ${JSON.stringify(header)}`;
    if (header.kid !== keyId) return "Unknown key id";
    if (!verify("RSA-SHA256", Buffer.from(`${h}.${p}`), publicKey, Buffer.from(s, "base64url"))) {
      return "Invalid JWT Signature.";
    }
    const now = Math.floor(Date.now() / 1000);
    if (claims.iss !== clientEmail) return `Invalid issuer ${String(claims.iss)}`;
    if (
      !String(claims.scope ?? "")
        .split(" ")
        .includes(SHEETS_SCOPE)
    )
      return `Missing scope ${SHEETS_SCOPE}`;
    if (claims.aud !== tokenUrl) return `Invalid audience ${String(claims.aud)}`;
    if (typeof claims.iat !== "number" || typeof claims.exp !== "number") return "Missing iat or exp";
    if (claims.iat > now + 60) return "iat is in the future";
    if (claims.exp <= now) return "The assertion has expired";
    if (claims.exp - claims.iat > 3600) return "exp is more than an hour after iat";
    return null;
  }

  function valuesGet(res: ServerResponse, url: URL, sheet: FakeSheet, range: string) {
    if (url.searchParams.get("majorDimension") && url.searchParams.get("majorDimension") !== "ROWS") {
      return googleError(res, 400, "INVALID_ARGUMENT", "Only ROWS is supported here.");
    }
    const a1 = readA1(range, sheet);
    if (!a1) return googleError(res, 400, "INVALID_ARGUMENT", `Unable to parse range: ${range}`);
    const grid = sheet.tabs.get(a1.tab) ?? [];
    const lastRow = Math.min(a1.endRow ?? grid.length, grid.length);
    const rows: Cell[][] = [];
    for (let r = a1.startRow; r <= lastRow; r++) {
      const row = (grid[r - 1] ?? []).slice(a1.startCol - 1, a1.endCol ?? undefined);
      rows.push(trimEnd(row));
    }
    while (rows.length && rows.at(-1)?.length === 0) rows.pop();
    const width = Math.max(1, ...rows.map((r) => r.length));
    const answer: Record<string, unknown> = {
      range: `${quoteTab(a1.tab)}!${letters(a1.startCol)}${a1.startRow}:${letters(a1.startCol + width - 1)}${a1.startRow + Math.max(rows.length, 1) - 1}`,
      majorDimension: "ROWS",
    };
    if (rows.length) answer.values = rows;
    json(res, 200, answer);
  }

  function batchUpdate(res: ServerResponse, sheet: FakeSheet, spreadsheetId: string, raw: string) {
    if (sheet.access !== "writer")
      return googleError(res, 403, "PERMISSION_DENIED", "The caller does not have permission");
    const body = JSON.parse(raw) as BatchBody;
    if (body.valueInputOption !== "RAW" && body.valueInputOption !== "USER_ENTERED") {
      return googleError(res, 400, "INVALID_ARGUMENT", "Invalid valueInputOption");
    }
    state.batchUpdates.push({ spreadsheetId, body });
    const responses = [];
    let cells = 0;
    for (const entry of body.data ?? []) {
      const a1 = readA1(entry.range ?? "", sheet);
      if (!a1) return googleError(res, 400, "INVALID_ARGUMENT", `Unable to parse range: ${entry.range}`);
      const grid = sheet.tabs.get(a1.tab) ?? [];
      sheet.tabs.set(a1.tab, grid);
      const values = entry.values ?? [];
      values.forEach((row, i) => {
        const r = a1.startRow - 1 + i;
        grid[r] ??= [];
        row.forEach((value, j) => {
          const target = grid[r] as Cell[];
          while (target.length < a1.startCol - 1 + j) target.push("");
          target[a1.startCol - 1 + j] = value;
        });
      });
      const width = Math.max(0, ...values.map((v) => v.length));
      cells += values.reduce((n, v) => n + v.length, 0);
      responses.push({
        spreadsheetId,
        updatedRange: `${quoteTab(a1.tab)}!${letters(a1.startCol)}${a1.startRow}:${letters(a1.startCol + width - 1)}${a1.startRow + values.length - 1}`,
        updatedRows: values.length,
        updatedColumns: width,
        updatedCells: values.reduce((n, v) => n + v.length, 0),
      });
    }
    json(res, 200, {
      spreadsheetId,
      totalUpdatedRows: responses.reduce((n, r) => n + r.updatedRows, 0),
      totalUpdatedColumns: Math.max(0, ...responses.map((r) => r.updatedColumns)),
      totalUpdatedCells: cells,
      totalUpdatedSheets: new Set(responses.map((r) => r.updatedRange.split("!")[0])).size,
      responses,
    });
  }

  function csvFile(req: IncomingMessage, url: URL, res: ServerResponse) {
    const file = state.csv.get(decodeURIComponent(url.pathname.slice("/csv/".length)));
    if (!file) return json(res, 404, { error: "no such file" });
    if (file.bearer && req.headers.authorization !== `Bearer ${file.bearer}`) {
      res.writeHead(401, { "www-authenticate": "Bearer" }).end();
      return;
    }
    res.writeHead(file.status ?? 200, { "content-type": "text/csv; charset=utf-8" }).end(file.body);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  tokenUrl = `${origin}/token`;
  return {
    origin,
    tokenUrl,
    clientEmail,
    serviceAccountJson: JSON.stringify({
      type: "service_account",
      project_id: "test-project",
      private_key_id: keyId,
      private_key: privateKey,
      client_email: clientEmail,
      client_id: "1234567890",
      token_uri: "https://oauth2.googleapis.com/token",
    }),
    ...state,
    tokensIssued: () => tokens.size,
    csvUrl: (name) => `${origin}/csv/${encodeURIComponent(name)}`,
    cell: (spreadsheetId, tab, column, row) =>
      state.sheets.get(spreadsheetId)?.tabs.get(tab)?.[row - 1]?.[columnIndex(column)],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface A1 {
  tab: string;
  startCol: number;
  startRow: number;
  endCol: number | null;
  endRow: number | null;
}

/** "Tab!B2:D", "'My tab'!A:C", "Tab" (whole tab), "A1:C3" (first tab). */
function readA1(range: string, sheet: FakeSheet): A1 | null {
  const match = /^(?:(?:'((?:[^']|'')+)'|([^!']+))!)?(.*)$/.exec(range);
  if (!match) return null;
  let tab = match[1]?.replace(/''/g, "'") ?? match[2];
  let cells = match[3] ?? "";
  if (!tab && sheet.tabs.has(cells)) {
    tab = cells;
    cells = "";
  }
  tab ??= [...sheet.tabs.keys()][0] ?? "Sheet1";
  if (!sheet.tabs.has(tab)) return null;
  if (cells === "") return { tab, startCol: 1, startRow: 1, endCol: null, endRow: null };
  const parts = /^([A-Z]+)(\d*)(?::([A-Z]+)(\d*))?$/.exec(cells);
  if (!parts) return null;
  return {
    tab,
    startCol: columnIndex(parts[1] ?? "A") + 1,
    startRow: parts[2] ? Number(parts[2]) : 1,
    endCol: parts[3] ? columnIndex(parts[3]) + 1 : null,
    endRow: parts[4] ? Number(parts[4]) : null,
  };
}

function columnIndex(column: string): number {
  return [...column].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;
}

function letters(n: number): string {
  return n <= 0 ? "" : letters(Math.floor((n - 1) / 26)) + String.fromCharCode(65 + ((n - 1) % 26));
}

function quoteTab(tab: string): string {
  return /^[A-Za-z0-9_]+$/.test(tab) ? tab : `'${tab.replace(/'/g, "''")}'`;
}

function trimEnd(row: Cell[]): Cell[] {
  const copy = [...row];
  while (copy.length && (copy.at(-1) === "" || copy.at(-1) === undefined)) copy.pop();
  return copy.map((c) => c ?? "");
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json; charset=UTF-8" }).end(JSON.stringify(body));
}

function googleError(res: ServerResponse, code: number, status: string, message: string) {
  json(res, code, { error: { code, message, status } });
}
