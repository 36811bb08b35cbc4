/// <reference types="google-apps-script" />
// Small, faithful fakes of the Apps Script services, for running the BUILT add-on (dist/Code.js) in a
// Node vm context. Each fake implements only the members the add-on uses and throws on any other, and
// every service a test does not supply is forbidden outright, so an unexpected call fails the test
// instead of passing silently. The spreadsheet itself is in spreadsheet.ts.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";

type Ui = GoogleAppsScript.Base.Ui;
type Menu = GoogleAppsScript.Base.Menu;
type HtmlOutput = GoogleAppsScript.HTML.HtmlOutput;
type HttpResponse = GoogleAppsScript.URL_Fetch.HTTPResponse;
type FetchOptions = GoogleAppsScript.URL_Fetch.URLFetchRequestOptions;
type FetchRequest = GoogleAppsScript.URL_Fetch.URLFetchRequest;

/** The Apps Script globals a test may supply; the rest are forbidden. */
export interface AppsScriptServices {
  SpreadsheetApp: GoogleAppsScript.Spreadsheet.SpreadsheetApp;
  PropertiesService: GoogleAppsScript.Properties.PropertiesService;
  UrlFetchApp: GoogleAppsScript.URL_Fetch.UrlFetchApp;
  HtmlService: GoogleAppsScript.HTML.HtmlService;
  ScriptApp: GoogleAppsScript.Script.ScriptApp;
  LockService: GoogleAppsScript.Lock.LockService;
  CacheService: GoogleAppsScript.Cache.CacheService;
  Session: GoogleAppsScript.Base.Session;
  Utilities: GoogleAppsScript.Utilities.Utilities;
  Logger: GoogleAppsScript.Base.Logger;
}

const SERVICE_NAMES = [
  "SpreadsheetApp",
  "PropertiesService",
  "UrlFetchApp",
  "HtmlService",
  "ScriptApp",
  "LockService",
  "CacheService",
  "Session",
  "Utilities",
  "Logger",
] as const satisfies readonly (keyof AppsScriptServices)[];

/** The built add-on, loaded into its own global scope as Apps Script would. */
export interface LoadedAddon {
  /** The vm global object: top-level declarations of Code.js appear on it. */
  globals: Record<string, unknown>;
  /** "Service.member" for every touch of a forbidden service, even if the add-on caught the error. */
  forbiddenTouches: string[];
  /** Calls a top-level function directly, as a trigger or menu item would. */
  run(name: string, ...args: unknown[]): unknown;
  /** Calls a function as google.script.run does: by name, with arguments and result serialized. */
  runFromSidebar(name: string, ...args: unknown[]): unknown;
}

export interface LoadOptions {
  /** The Date the add-on sees, for a clock the test controls (see FakeClock). */
  Date?: DateConstructor;
}

export function loadAddon(
  code: string,
  services: Partial<AppsScriptServices> = {},
  options: LoadOptions = {},
): LoadedAddon {
  const forbiddenTouches: string[] = [];
  const globals: Record<string, unknown> = { console };
  // A sandbox property shadows the context's own built-in of the same name.
  if (options.Date) globals.Date = options.Date;
  for (const name of SERVICE_NAMES) globals[name] = services[name] ?? forbidden(name, forbiddenTouches);
  vm.runInContext(code, vm.createContext(globals), { filename: "Code.js" });
  const run = (name: string, ...args: unknown[]) => topLevelFunction(globals, name)(...args);
  const runFromSidebar = (name: string, ...args: unknown[]) => {
    // google.script.run refuses functions whose name ends in "_" and passes only plain data.
    if (name.endsWith("_")) throw new Error(`${name} is private to the server.`);
    return serialized(run(name, ...serialized(args)));
  };
  return { globals, forbiddenTouches, run, runFromSidebar };
}

function topLevelFunction(globals: Record<string, unknown>, name: string): (...args: unknown[]) => unknown {
  const candidate = globals[name];
  if (typeof candidate !== "function") throw new Error(`Code.js has no top-level function ${name}.`);
  return candidate as (...args: unknown[]) => unknown;
}

// A JSON round trip is close to what google.script.run does to plain values; it also turns objects
// from the vm realm into ordinary ones for assertions.
function serialized<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

/** A service the code under test must not touch: any member access is recorded and throws. */
export function forbidden<T>(name: string, touches: string[]): T {
  return new Proxy({} as T & object, {
    get(_target, key) {
      if (typeof key === "symbol") return undefined;
      touches.push(`${name}.${key}`);
      throw new Error(`${name}.${key} must not be used here.`);
    },
  });
}

/** An object serving `members`; any other member of T throws, naming itself. */
export function partial<T>(name: string, members: Partial<T>): T {
  return new Proxy(members as T & object, {
    get(target, key, receiver) {
      if (typeof key === "symbol" || key in target) return Reflect.get(target, key, receiver);
      throw new Error(`The fake ${name} has no ${key}.`);
    },
  });
}

// --- Script -------------------------------------------------------------------------------------

// Apps Script enum values; the add-on only compares them, so names are enough.
export const AuthMode = {
  NONE: "NONE",
  CUSTOM_FUNCTION: "CUSTOM_FUNCTION",
  LIMITED: "LIMITED",
  FULL: "FULL",
} as unknown as typeof GoogleAppsScript.Script.AuthMode;

export function fakeScriptApp(): GoogleAppsScript.Script.ScriptApp {
  return partial<GoogleAppsScript.Script.ScriptApp>("ScriptApp", { AuthMode });
}

// --- Ui and menus -------------------------------------------------------------------------------

export type MenuEntry = { caption: string; functionName: string } | "separator" | { subMenu: FakeMenu };

export class FakeMenu implements Menu {
  readonly caption: string;
  readonly entries: MenuEntry[] = [];
  addedToUi = false;

  constructor(caption: string) {
    this.caption = caption;
  }

  addItem(caption: string, functionName: string): Menu {
    this.entries.push({ caption, functionName });
    return this;
  }

  addSeparator(): Menu {
    this.entries.push("separator");
    return this;
  }

  addSubMenu(menu: Menu): Menu {
    if (!(menu instanceof FakeMenu)) throw new Error("addSubMenu takes a menu from this Ui.");
    this.entries.push({ subMenu: menu });
    return this;
  }

  addToUi(): void {
    this.addedToUi = true;
  }
}

/** A Ui that records the menus it creates and the sidebars it shows. */
export interface FakeUi {
  ui: Ui;
  menus: FakeMenu[];
  sidebars: HtmlOutput[];
}

// An editor add-on's menu is titled with the add-on's name; the caption here only tells menus apart.
const ADDON_MENU_CAPTION = "(add-on menu)";

export function fakeUi(): FakeUi {
  const menus: FakeMenu[] = [];
  const sidebars: HtmlOutput[] = [];
  const createMenu = (caption: string): Menu => {
    const menu = new FakeMenu(caption);
    menus.push(menu);
    return menu;
  };
  const ui = partial<Ui>("Ui", {
    createAddonMenu: () => createMenu(ADDON_MENU_CAPTION),
    createMenu,
    showSidebar: (output: HtmlOutput) => {
      sidebars.push(output);
    },
  });
  return { ui, menus, sidebars };
}

export function fakeSpreadsheetApp(ui: Ui): GoogleAppsScript.Spreadsheet.SpreadsheetApp {
  return partial<GoogleAppsScript.Spreadsheet.SpreadsheetApp>("SpreadsheetApp", { getUi: () => ui });
}

// --- Properties ---------------------------------------------------------------------------------

const PROPERTY_VALUE_LIMIT = 9 * 1024;

/** One property store. Like Apps Script, values are strings and each is at most 9 KB. */
export class FakeProperties implements GoogleAppsScript.Properties.Properties {
  readonly values = new Map<string, string>();

  deleteAllProperties(): this {
    this.values.clear();
    return this;
  }

  deleteProperty(key: string): this {
    this.values.delete(key);
    return this;
  }

  getKeys(): string[] {
    return [...this.values.keys()];
  }

  getProperties(): Record<string, string> {
    return Object.fromEntries(this.values);
  }

  getProperty(key: string): string | null {
    return this.values.get(key) ?? null;
  }

  setProperties(properties: Record<string, string>, deleteAllOthers = false): this {
    if (deleteAllOthers) this.values.clear();
    for (const [key, value] of Object.entries(properties)) this.setProperty(key, value);
    return this;
  }

  setProperty(key: string, value: string): this {
    const text = String(value);
    if (Buffer.byteLength(text) > PROPERTY_VALUE_LIMIT) throw new Error(`Property ${key} is over 9 KB.`);
    this.values.set(key, text);
    return this;
  }
}

export interface FakePropertiesService {
  service: GoogleAppsScript.Properties.PropertiesService;
  user: FakeProperties;
  script: FakeProperties;
  document: FakeProperties;
}

export function fakePropertiesService(): FakePropertiesService {
  const stores = { user: new FakeProperties(), script: new FakeProperties(), document: new FakeProperties() };
  const service = partial<GoogleAppsScript.Properties.PropertiesService>("PropertiesService", {
    getUserProperties: () => stores.user,
    getScriptProperties: () => stores.script,
    getDocumentProperties: () => stores.document,
  });
  return { service, ...stores };
}

// --- HtmlService --------------------------------------------------------------------------------

/** HtmlService over a directory of built files (dist/), as Apps Script serves the project's files. */
export function fakeHtmlService(directory: string): GoogleAppsScript.HTML.HtmlService {
  const fileContent = (name: string) => readFileSync(path.join(directory, `${name}.html`), "utf8");
  return partial<GoogleAppsScript.HTML.HtmlService>("HtmlService", {
    createHtmlOutputFromFile: (name: string) => fakeHtmlOutput(fileContent(name)),
    createTemplateFromFile: (name: string) => fakeTemplate(fileContent(name)),
  });
}

// Real templates run <? ?> scriptlets. None are used yet, so the fake refuses them rather than
// pretend: whoever adds the first scriptlet also teaches this fake to evaluate it.
function fakeTemplate(raw: string): GoogleAppsScript.HTML.HtmlTemplate {
  return partial<GoogleAppsScript.HTML.HtmlTemplate>("HtmlTemplate", {
    getRawContent: () => raw,
    evaluate: () => {
      if (raw.includes("<?")) throw new Error("The fake HtmlTemplate cannot evaluate scriptlets yet.");
      return fakeHtmlOutput(raw);
    },
  });
}

export function fakeHtmlOutput(content: string): HtmlOutput {
  let title = "";
  const output: HtmlOutput = partial<HtmlOutput>("HtmlOutput", {
    getContent: () => content,
    getTitle: () => title,
    setTitle: (next: string) => {
      title = next;
      return output;
    },
  });
  return output;
}

// --- UrlFetchApp --------------------------------------------------------------------------------

/** One request as the add-on made it, for assertions on URL, method and headers. */
export interface RecordedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

interface WireResponse {
  status: number;
  headers: [string, string][];
  bodyBase64: string;
}

// UrlFetchApp is synchronous, so the fake makes a real HTTP request from a child process and waits
// for it. The server under test must therefore not depend on this thread's event loop, which is
// blocked meanwhile: not run on it, and not have its output pipes drained by it (a long run fills a
// pipe and stalls the server). stack-thread.ts runs the real stack from a worker thread for this.
const FETCH_CHILD = `
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString("utf8"));
try {
  const response = await fetch(input.url, input.init);
  const body = Buffer.from(await response.arrayBuffer()).toString("base64");
  process.stdout.write(JSON.stringify({ status: response.status, headers: [...response.headers], bodyBase64: body }));
} catch (error) {
  process.stdout.write(JSON.stringify({ failure: String(error?.cause?.code ?? error?.message ?? error) }));
}
`;
const FETCH_TIMEOUT_MS = 60_000;
// UrlFetchApp takes answers up to 50 MB; base64 and JSON around it need room beyond that.
const FETCH_MAX_OUTPUT = 128 * 1024 * 1024;

export class FakeUrlFetchApp implements GoogleAppsScript.URL_Fetch.UrlFetchApp {
  readonly requests: RecordedRequest[] = [];
  /** Called before each request is sent: a test may advance its clock or fail the request here. */
  beforeSend: ((request: RecordedRequest) => void) | null = null;

  fetch(url: string, params: FetchOptions = {}): HttpResponse {
    const request = toRecordedRequest(url, params);
    this.requests.push(request);
    this.beforeSend?.(request);
    const response = new FakeHttpResponse(exchange(request));
    const status = response.getResponseCode();
    if (status >= 400 && !params.muteHttpExceptions) {
      const excerpt = response.getContentText().slice(0, 200);
      throw new Error(
        `Request failed for ${url} returned code ${status}. Truncated server response: ${excerpt} (use muteHttpExceptions option to examine full response)`,
      );
    }
    return response;
  }

  // Apps Script runs these in parallel; one after another gives the same answers.
  fetchAll(requests: (FetchRequest | string)[]): HttpResponse[] {
    return requests.map((request) =>
      typeof request === "string" ? this.fetch(request) : this.fetch(request.url, request),
    );
  }

  getRequest(url: string, params: FetchOptions = {}): FetchRequest {
    return { ...params, url };
  }
}

function toRecordedRequest(url: string, params: FetchOptions): RecordedRequest {
  const headers: Record<string, string> = { ...params.headers };
  const body = payloadText(params.payload);
  if (body !== undefined) headers["Content-Type"] = params.contentType ?? "application/x-www-form-urlencoded";
  return { url, method: (params.method ?? "get").toUpperCase(), headers, body };
}

// Apps Script sends a string payload as is and an object as form fields; blobs are not faked yet.
function payloadText(payload: FetchOptions["payload"]): string | undefined {
  if (payload === undefined || typeof payload === "string") return payload;
  if (typeof (payload as { getBytes?: unknown }).getBytes === "function") {
    throw new Error("The fake UrlFetchApp does not send blobs yet.");
  }
  return new URLSearchParams(
    Object.entries(payload).map(([key, value]): [string, string] => [key, String(value)]),
  ).toString();
}

function exchange(request: RecordedRequest): WireResponse {
  const init = { method: request.method, headers: request.headers, body: request.body };
  let output: string;
  try {
    output = execFileSync(process.execPath, ["--input-type=module", "--eval", FETCH_CHILD], {
      input: JSON.stringify({ url: request.url, init }),
      encoding: "utf8",
      timeout: FETCH_TIMEOUT_MS,
      maxBuffer: FETCH_MAX_OUTPUT,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ETIMEDOUT") throw new Error(`Timeout: ${request.url}`);
    throw error;
  }
  const answer = JSON.parse(output) as WireResponse | { failure: string };
  // Apps Script's own wording when nothing answers.
  if ("failure" in answer) throw new Error(`Address unavailable: ${request.url}`);
  return answer;
}

class FakeHttpResponse implements HttpResponse {
  readonly #wire: WireResponse;
  readonly #body: Buffer;

  constructor(wire: WireResponse) {
    this.#wire = wire;
    this.#body = Buffer.from(wire.bodyBase64, "base64");
  }

  getResponseCode(): number {
    return this.#wire.status;
  }

  getContentText(charset = "utf-8"): string {
    return new TextDecoder(charset).decode(this.#body);
  }

  // Apps Script's bytes are signed (Java's byte).
  getContent(): number[] {
    return [...new Int8Array(this.#body.buffer, this.#body.byteOffset, this.#body.byteLength)];
  }

  // fetch() lowercases header names; servers usually send them capitalized, and the add-on must not
  // care which, so the fake hands them back capitalized.
  getHeaders(): Record<string, string> {
    return Object.fromEntries(this.#wire.headers.map(([name, value]) => [capitalized(name), value]));
  }

  getAllHeaders(): Record<string, string | string[]> {
    return this.getHeaders();
  }

  getAs(): GoogleAppsScript.Base.Blob {
    throw new Error("The fake HTTPResponse has no blobs yet.");
  }

  getBlob(): GoogleAppsScript.Base.Blob {
    throw new Error("The fake HTTPResponse has no blobs yet.");
  }
}

function capitalized(headerName: string): string {
  return headerName.replace(
    /(^|-)([a-z])/g,
    (_match, dash: string, letter: string) => dash + letter.toUpperCase(),
  );
}

// --- LockService --------------------------------------------------------------------------------

/** The document lock. `heldElsewhere` stands for another execution holding it. */
export class FakeLock implements GoogleAppsScript.Lock.Lock {
  heldElsewhere = false;
  held = false;
  /** Every tryLock/waitLock/releaseLock, in order, for assertions. */
  readonly calls: string[] = [];

  tryLock(timeoutInMillis: number): boolean {
    this.calls.push(`tryLock(${timeoutInMillis})`);
    if (this.heldElsewhere) return false;
    if (this.held) throw new Error("The fake lock is not re-entrant here: the add-on asked for it twice.");
    this.held = true;
    return true;
  }

  waitLock(timeoutInMillis: number): void {
    if (!this.tryLock(timeoutInMillis)) {
      throw new Error("Lock timeout: another process was holding the lock for too long.");
    }
  }

  hasLock(): boolean {
    return this.held;
  }

  releaseLock(): void {
    this.calls.push("releaseLock");
    this.held = false;
  }
}

export function fakeLockService(): { service: GoogleAppsScript.Lock.LockService; documentLock: FakeLock } {
  const documentLock = new FakeLock();
  const service = partial<GoogleAppsScript.Lock.LockService>("LockService", {
    getDocumentLock: () => documentLock,
  });
  return { service, documentLock };
}

// --- Session ------------------------------------------------------------------------------------

// Only what needs no OAuth scope beyond the manifest's: the user's e-mail would need userinfo.email.
export function fakeSession(
  options: { timeZone?: string; locale?: string } = {},
): GoogleAppsScript.Base.Session {
  return partial<GoogleAppsScript.Base.Session>("Session", {
    getScriptTimeZone: () => options.timeZone ?? "Etc/UTC",
    getActiveUserLocale: () => options.locale ?? "en",
    getTemporaryActiveUserKey: () => "temporary-key-of-the-admin",
  });
}

// --- Utilities ----------------------------------------------------------------------------------

/** Utilities.formatDate with Java SimpleDateFormat letters y M d H m s and quoted literals. */
export function fakeUtilities(): GoogleAppsScript.Utilities.Utilities {
  return partial<GoogleAppsScript.Utilities.Utilities>("Utilities", {
    formatDate: (date: GoogleAppsScript.Base.Date, timeZone: string, format: string) =>
      formatDate(date as unknown as Date, timeZone, format),
  });
}

function formatDate(date: Date, timeZone: string, format: string): string {
  if (Object.prototype.toString.call(date) !== "[object Date]") throw new Error("formatDate takes a Date.");
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(date);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const fields: Record<string, string> = {
    yyyy: part("year"),
    MM: part("month"),
    dd: part("day"),
    HH: part("hour"),
    mm: part("minute"),
    ss: part("second"),
  };
  return format.replace(/'([^']*)'|yyyy|MM|dd|HH|mm|ss|[A-Za-z]/g, (token, literal: string | undefined) => {
    if (literal !== undefined) return literal;
    const value = fields[token];
    if (value === undefined)
      throw new Error(`The fake formatDate does not know the pattern letter "${token}".`);
    return value;
  });
}

// --- a clock the test controls ------------------------------------------------------------------

/** Time as the add-on sees it: starts at `start` and moves only when the test says so. */
export class FakeClock {
  now: number;

  constructor(start: Date) {
    this.now = start.getTime();
  }

  advance(ms: number): void {
    this.now += ms;
  }

  /** A Date whose now() and argument-less constructor read this clock. */
  dateClass(): DateConstructor {
    const clock = this;
    class ClockDate extends Date {
      constructor(...args: unknown[]) {
        if (args.length === 0) super(clock.now);
        else super(...(args as [string | number | Date]));
      }

      static override now(): number {
        return clock.now;
      }
    }
    return ClockDate as DateConstructor;
  }
}
