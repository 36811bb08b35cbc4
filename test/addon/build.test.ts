// Tests the BUILT add-on (what clasp pushes), not the TypeScript sources: the bundler is exactly the
// step that can hide an entry point from Apps Script.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import vm from "node:vm";
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AddonBuild, buildAddon } from "../../scripts/build-addon.ts";
import {
  AuthMode,
  FakeUrlFetchApp,
  fakeHtmlService,
  fakePropertiesService,
  fakeSpreadsheetApp,
  fakeUi,
  loadAddon,
} from "./fakes.ts";
import { FakeSpreadsheetApp } from "./spreadsheet.ts";

const ENTRY_POINTS = [
  "onOpen",
  "onInstall",
  "showSidebar",
  "setUpTabs",
  "getState",
  "getConnection",
  "saveConnection",
  "listHubs",
  "selectHub",
  "autoMap",
  "analyze",
  "approveAllOfKind",
  "overrideGuard",
  "applyApproved",
  "refreshLog",
];
const MENU = [
  { caption: "Open profile-sync", functionName: "showSidebar" },
  { caption: "Set up the tabs", functionName: "setUpTabs" },
];
const SCOPES = [
  "https://www.googleapis.com/auth/spreadsheets.currentonly",
  "https://www.googleapis.com/auth/script.container.ui",
  "https://www.googleapis.com/auth/script.external_request",
];

let build: AddonBuild;
let code: string;
let sidebarPage: string;

// Built into a temporary directory, so a test run never replaces an addon/dist someone is pushing.
beforeAll(async () => {
  build = await buildAddon({ outDir: await mkdtemp(path.join(tmpdir(), "profile-sync-addon-")) });
  code = await readFile(path.join(build.outDir, "Code.js"), "utf8");
  sidebarPage = await readFile(path.join(build.outDir, "Sidebar.html"), "utf8");
});

afterAll(async () => {
  if (build) await rm(build.outDir, { recursive: true, force: true });
});

describe("Code.js", () => {
  it("parses as a classic script, as Apps Script loads it", () => {
    expect(() => new vm.Script(code, { filename: "Code.js" })).not.toThrow();
  });

  it("declares every export of main.ts as a top-level function", () => {
    expect(build.entryPoints).toEqual(expect.arrayContaining(ENTRY_POINTS));
    const addon = loadAddon(code);
    for (const name of build.entryPoints) {
      expect(typeof addon.globals[name], name).toBe("function");
      expect(code, name).toMatch(new RegExp(`^function ${name}\\(`, "m"));
    }
  });

  it("runs nothing at load time", () => {
    const addon = loadAddon(code);
    expect(addon.forbiddenTouches).toEqual([]);
  });
});

describe("onOpen and onInstall", () => {
  it.each(["onOpen", "onInstall"])(
    "%s in AuthMode.NONE builds the add-on menu and nothing else",
    (trigger) => {
      const { ui, menus } = fakeUi();
      const addon = loadAddon(code, { SpreadsheetApp: fakeSpreadsheetApp(ui) });

      addon.run(trigger, { authMode: AuthMode.NONE });

      expect(addon.forbiddenTouches).toEqual([]);
      expect(menus).toHaveLength(1);
      expect(menus[0]?.addedToUi).toBe(true);
      expect(menus[0]?.entries).toEqual(MENU);
    },
  );

  it("names only top-level functions in its menu items", () => {
    const { ui, menus } = fakeUi();
    const addon = loadAddon(code, { SpreadsheetApp: fakeSpreadsheetApp(ui) });
    addon.run("onOpen", { authMode: AuthMode.NONE });
    for (const entry of menus.flatMap((menu) => menu.entries)) {
      if (typeof entry === "object" && "functionName" in entry) {
        expect(typeof addon.globals[entry.functionName], entry.functionName).toBe("function");
      }
    }
  });
});

describe("appsscript.json", () => {
  it("runs on V8 with exactly the three editor add-on scopes", async () => {
    const manifest = JSON.parse(await readFile(path.join(build.outDir, "appsscript.json"), "utf8"));
    expect(manifest.runtimeVersion).toBe("V8");
    expect(manifest.timeZone).toBe("Etc/UTC");
    expect(manifest.exceptionLogging).toBe("STACKDRIVER");
    expect([...manifest.oauthScopes].sort()).toEqual([...SCOPES].sort());
  });

  it("whitelists fetch URLs as https with a path", async () => {
    const manifest = JSON.parse(await readFile(path.join(build.outDir, "appsscript.json"), "utf8"));
    expect(manifest.urlFetchWhitelist.length).toBeGreaterThan(0);
    for (const entry of manifest.urlFetchWhitelist) expect(entry).toMatch(/^https:\/\/[^/]+\/.*$/);
  });
});

describe("Sidebar.html", () => {
  it("carries the sidebar script inline and loads no external script", () => {
    expect(sidebarPage).not.toMatch(/<script\b[^>]*\bsrc\s*=/i);
    expect(sidebarPage.match(/<script>/g)).toHaveLength(1);
    expect(sidebarPage).toContain("google.script.run");
    expect(sidebarPage).toContain("getElementById(id)");
    expect(sidebarPage).not.toContain("inline:sidebar.ts");
  });

  it("is what showSidebar shows, titled profile-sync, after making the Export tab to paste into", () => {
    const { ui, sidebars } = fakeUi();
    const app = new FakeSpreadsheetApp({ ui });
    const addon = loadAddon(code, {
      SpreadsheetApp: app.service,
      HtmlService: fakeHtmlService(build.outDir),
    });

    addon.run("showSidebar");

    expect(app.spreadsheet.sheet("Export").frozenRows).toBe(1);
    expect(sidebars).toHaveLength(1);
    expect(sidebars[0]?.getTitle()).toBe("profile-sync");
    expect(sidebars[0]?.getContent()).toBe(sidebarPage);
  });
});

describe("saveConnection and getConnection", () => {
  let deployment: StubDeployment;

  beforeAll(async () => {
    deployment = await startStubDeployment();
  });

  afterAll(async () => {
    await deployment?.stop();
  });

  function connectedAddon() {
    const properties = fakePropertiesService();
    const fetchApp = new FakeUrlFetchApp();
    const addon = loadAddon(code, { PropertiesService: properties.service, UrlFetchApp: fetchApp });
    return { addon, properties, fetchApp };
  }

  it("stores URL and key when the health check answers ok, and never hands the key back", () => {
    const { addon, properties, fetchApp } = connectedAddon();
    const url = `${deployment.url}/ok`;

    const saved = addon.runFromSidebar("saveConnection", `  ${url}/ `, " secret-key ");

    expect(saved).toEqual({ url, hasKey: true });
    expect(properties.user.getProperties()).toEqual({
      "profileSync.url": url,
      "profileSync.apiKey": "secret-key",
    });
    expect(properties.document.getKeys()).toEqual([]);
    expect(fetchApp.requests).toMatchObject([
      { url: `${url}/healthz`, method: "GET", headers: { Authorization: "Bearer secret-key" } },
    ]);
    expect(addon.runFromSidebar("getConnection")).toEqual({ url, hasKey: true });
    expect(JSON.stringify(addon.runFromSidebar("getConnection"))).not.toContain("secret-key");
  });

  it("reports no connection before one is saved", () => {
    const { addon } = connectedAddon();
    expect(addon.runFromSidebar("getConnection")).toEqual({ url: null, hasKey: false });
  });

  it.each([
    [
      "a problem answer, in the problem's words",
      "down",
      /Could not connect to .*\. The database is not reachable\./,
    ],
    ["an HTTP error without a problem body", "bad-gateway", /The server answered HTTP 502\./],
    ["a health answer that is not ok", "wrong", /health check did not say "ok"/],
    ["a rejected key", "locked", /The API key was not accepted/],
  ])("refuses %s and stores nothing", (_case, route, message) => {
    const { addon, properties } = connectedAddon();
    properties.user.setProperties({
      "profileSync.url": "https://kept.example.com",
      "profileSync.apiKey": "old",
    });

    expect(() => addon.runFromSidebar("saveConnection", `${deployment.url}/${route}`, "new-key")).toThrow(
      message,
    );

    expect(properties.user.getProperties()).toEqual({
      "profileSync.url": "https://kept.example.com",
      "profileSync.apiKey": "old",
    });
  });

  it("says so when nothing answers", () => {
    const { addon, properties } = connectedAddon();
    // Port 1 on the loopback interface: nothing listens there, so the connection is refused at once.
    expect(() => addon.runFromSidebar("saveConnection", "http://127.0.0.1:1", "key")).toThrow(
      /Could not connect to http:\/\/127\.0\.0\.1:1\. The server did not answer/,
    );
    expect(properties.user.getKeys()).toEqual([]);
  });

  it.each([
    ["", /Enter the deployment URL/],
    ["http://profile-sync.example.com", /Use an https:\/\/ address/],
    ["profile-sync.example.com", /is not a web address/],
    ["https://profile-sync.example.com?x=1", /is not a web address/],
  ])("refuses the URL %j without fetching", (url, message) => {
    const { addon, fetchApp } = connectedAddon();
    expect(() => addon.runFromSidebar("saveConnection", url, "key")).toThrow(message);
    expect(fetchApp.requests).toEqual([]);
  });

  it("asks for the API key without fetching", () => {
    const { addon, fetchApp } = connectedAddon();
    expect(() => addon.runFromSidebar("saveConnection", "https://profile-sync.example.com", " ")).toThrow(
      /Enter the API key/,
    );
    expect(fetchApp.requests).toEqual([]);
  });
});

interface StubDeployment {
  url: string;
  stop(): Promise<void>;
}

// Health answers under a few base paths, one per kind of deployment. It runs in a worker thread
// because the fake UrlFetchApp blocks this thread's event loop while it waits for the answer.
const STUB_SERVER = `
const http = require("node:http");
const { parentPort } = require("node:worker_threads");
const answers = {
  "/ok/healthz": [200, "application/json", { status: "ok" }],
  "/wrong/healthz": [200, "application/json", { status: "starting" }],
  "/down/healthz": [503, "application/problem+json", { title: "Unavailable", detail: "The database is not reachable." }],
  "/locked/healthz": [401, "text/plain", "no"],
  "/bad-gateway/healthz": [502, "text/html", "<h1>Bad gateway</h1>"],
};
const server = http.createServer((request, response) => {
  const [status, type, body] = answers[request.url] ?? [404, "text/plain", "not found"];
  response.writeHead(status, { "Content-Type": type });
  response.end(typeof body === "string" ? body : JSON.stringify(body));
});
server.listen(0, "127.0.0.1", () => parentPort.postMessage(server.address().port));
`;

async function startStubDeployment(): Promise<StubDeployment> {
  const worker = new Worker(STUB_SERVER, { eval: true });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      await worker.terminate();
    },
  };
}
