// The sidebar as built (dist/Sidebar.html, script inlined) in real headless Chromium, with
// google.script.run bridged to the same built Code.js the flow test loads: every click runs the real
// server function against the real worker under workerd. Screenshots go to test/artifacts/sidebar/.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AddonBuild, buildAddon } from "../../scripts/build-addon.ts";
import { ROOT } from "../../scripts/stack.ts";
import { exampleRows, openSpreadsheet, type SheetEnvironment } from "../addon/environment.ts";
import { startThreadStack, type ThreadStack } from "../addon/stack-thread.ts";
import type { Tenant } from "../addon/tenants.ts";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const ARTIFACTS = path.join(ROOT, "test", "artifacts", "sidebar");
/** Apps Script sidebars are 300 px wide. */
const VIEWPORT = { width: 300, height: 900 };
const WAIT = { timeout: 60_000 };
/** Each step waits for the server functions it triggers, which call the real worker. */
const STEP_TIMEOUT = 90_000;
const SIDEBAR_URL = "http://sidebar.test/";

// google.script.run as Apps Script gives it to the page: a runner whose withSuccessHandler,
// withFailureHandler and withUserObject return configured copies, and where any other property is a
// server function. Calls are asynchronous; arguments and results travel as plain data (JSON here).
const GOOGLE_SCRIPT_SHIM = `
(() => {
  function runner(options) {
    return new Proxy({}, {
      get(_target, key) {
        if (typeof key !== "string" || key === "then") return undefined;
        if (key === "withSuccessHandler") return (handler) => runner({ ...options, success: handler });
        if (key === "withFailureHandler") return (handler) => runner({ ...options, failure: handler });
        if (key === "withUserObject") return (value) => runner({ ...options, user: value });
        return (...args) => {
          window.__googleScriptRun(key, JSON.parse(JSON.stringify(args))).then((answer) => {
            if (answer.ok) options.success?.(answer.value, options.user);
            else options.failure?.(new Error(answer.message), options.user);
          });
        };
      },
    });
  }
  window.google = { script: { run: runner({}), host: { close() {} } } };
})();
`;

let stack: ThreadStack;
let build: AddonBuild;
let context: BrowserContext;
let userDataDir: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}. The sidebar test needs Debian's chromium: apt-get install -y chromium`,
    );
  }
  userDataDir = await mkdtemp(path.join(tmpdir(), "profile-sync-chromium-"));
  [stack, build] = await Promise.all([
    startThreadStack(),
    buildAddon({ outDir: await mkdtemp(path.join(tmpdir(), "profile-sync-addon-")) }),
    mkdir(ARTIFACTS, { recursive: true }),
  ]);
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: VIEWPORT,
  });
});

afterAll(async () => {
  await context?.close();
  await stack?.stop();
  if (build) await rm(build.outDir, { recursive: true, force: true });
  if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
});

/** The sidebar of this spreadsheet, opened from the menu, in a browser page bridged to the add-on. */
async function openSidebar(environment: SheetEnvironment): Promise<{ page: Page; errors: string[] }> {
  environment.addon.run("showSidebar");
  const html = environment.ui.sidebars.at(-1)?.getContent();
  if (!html) throw new Error("showSidebar showed no sidebar.");
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.exposeFunction("__googleScriptRun", (name: string, args: unknown[]) => {
    try {
      return { ok: true, value: environment.addon.runFromSidebar(name, ...args) ?? null };
    } catch (error) {
      // Errors thrown in the vm are of its realm, so not `instanceof Error` here: read the message.
      const message = (error as { message?: unknown }).message;
      // Apps Script hands the failure handler an Error whose message starts with the error's type.
      return { ok: false, message: `Error: ${typeof message === "string" ? message : String(error)}` };
    }
  });
  await page.addInitScript(GOOGLE_SCRIPT_SHIM);
  // Served at a URL (answered here, never fetched) rather than set as content: init scripts run on
  // navigation only, and google.script.run must exist before the page's own script runs.
  await page.route(SIDEBAR_URL, (route) =>
    route.fulfill({ contentType: "text/html; charset=utf-8", body: html }),
  );
  await page.goto(SIDEBAR_URL);
  return { page, errors };
}

async function text(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).textContent()) ?? "";
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** The plan table as the admin reads it: action, rows, ticked. */
async function planTable(page: Page): Promise<string[][]> {
  return page
    .locator("#kinds tr")
    .evaluateAll((rows) =>
      rows.map((row) => [...row.querySelectorAll("td")].slice(0, 3).map((cell) => cell.textContent ?? "")),
    );
}

describe("the sidebar in Chromium", { timeout: STEP_TIMEOUT }, () => {
  let environment: SheetEnvironment;
  let tenant: Tenant;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    tenant = await stack.newTenant("Acme Robotics (sidebar)");
    environment = openSpreadsheet(build.outDir);
    ({ page, errors } = await openSidebar(environment));
    // The admin pastes the BambooHR export into the Export tab the sidebar made.
    environment.spreadsheet.sheet("Export").paste(exampleRows("bamboohr"));
  });

  it("starts unconnected", async () => {
    await expect.poll(() => text(page, "#connect-status"), WAIT).toBe("Not connected yet.");
    expect(await page.locator("#steps").isHidden()).toBe(true);
    await shot(page, "01-not-connected");
  });

  it("says in words why a connection failed, and stores nothing", async () => {
    await page.fill("#url", "http://127.0.0.1:1");
    await page.fill("#api-key", tenant.apiKey);
    await page.click("#connect");
    await expect
      .poll(() => text(page, "#connect-status"), WAIT)
      .toMatch(/^Could not connect to http:\/\/127\.0\.0\.1:1\. The server did not answer/);
    expect(await page.locator("#connect-status").getAttribute("class")).toBe("status error");
    expect(environment.properties.user.getKeys()).toEqual([]);
    await shot(page, "02-connect-error");
  });

  it("connects, forgets the key in the page, and picks the tenant's only hub", async () => {
    await page.fill("#url", stack.url);
    await page.fill("#api-key", tenant.apiKey);
    await page.click("#connect");
    await expect.poll(() => text(page, "#hub-status"), WAIT).toBe("This sheet syncs the hub “Mentoring”.");
    expect(await text(page, "#connect-status")).toBe(`Connected to ${stack.url}.`);
    expect(await page.inputValue("#api-key")).toBe("");
    expect(await page.locator("#hub option:checked").textContent()).toBe("Mentoring");
    expect(await page.locator("#steps").isVisible()).toBe(true);
    expect(JSON.parse(environment.properties.document.getProperty("profileSync.hub") ?? "{}")).toEqual({
      id: tenant.hubId,
      name: "Mentoring",
    });
    await shot(page, "03-connected");
  });

  it("auto-maps and lists what to check", async () => {
    await page.click("#auto-map");
    await expect
      .poll(() => text(page, "#auto-map-status"), WAIT)
      .toBe(
        "Mapped 13 of 17 columns. Check these in the Mapping tab: Employment Status → employment-status.",
      );
    expect(environment.spreadsheet.sheet("Mapping").getLastRow()).toBe(18);
    await shot(page, "04-auto-mapped");
  });

  it("analyzes and shows the counts per kind", async () => {
    await page.click("#analyze");
    await expect
      .poll(() => text(page, "#analyze-status"), WAIT)
      .toBe("Planned 35 actions: see the Review tab.");
    expect(await planTable(page)).toEqual([
      ["Invite", "32", "0"],
      ["Scheduled", "1", "–"],
      ["Skip", "2", "–"],
    ]);
    expect(await page.locator("#guard").isHidden()).toBe(true);
    expect(await page.locator("#kinds button").allTextContents()).toEqual(["Approve all invites"]);
    await shot(page, "05-analyzed");
  });

  it("ticks every invite in Review with “Approve all invites”", async () => {
    await page.click("text=Approve all invites");
    await expect.poll(() => planTable(page), WAIT).toContainEqual(["Invite", "32", "32"]);
    const review = environment.spreadsheet.sheet("Review");
    const ticks = review
      .range(2, 1, 35, 2)
      .getValues()
      .filter(([, action]) => action === "Invite");
    expect(ticks.every(([approve]) => approve === true)).toBe(true);
    await shot(page, "06-invites-approved");
  });

  it("applies, shows the outcome and the last sync, and the statuses are back in Review", async () => {
    await page.click("#apply");
    await expect.poll(() => text(page, "#apply-status"), WAIT).toBe("Applied: 32 done.");
    await expect.poll(() => text(page, "#last-sync"), WAIT).not.toBe("none yet");
    expect(await text(page, "#log-status")).toMatch(/^Log: \d+ runs\.$/);
    const statuses = environment.spreadsheet
      .sheet("Review")
      .range(2, 2, 35, 5)
      .getValues()
      .filter(([action]) => action === "Invite")
      .map((row) => row[4]);
    expect(new Set(statuses)).toEqual(new Set(["done"]));
    await shot(page, "07-applied");
    await shotOfReview(environment, "10-review-tab-after-apply");
  });

  it("shows the deprovisioning guard as a block with its override", async () => {
    // The admin pastes a truncated export: 3 people where there were 35.
    const exportSheet = environment.spreadsheet.sheet("Export");
    exportSheet.range(5, 1, exportSheet.getLastRow() - 4, exportSheet.getLastColumn()).clearContent();
    await page.click("#analyze");
    await expect.poll(() => page.locator("#guard").isVisible(), WAIT).toBe(true);
    expect(await text(page, "#guard-text")).toMatch(
      /^Blocked by the deprovisioning guard: this plan would deactivate or remove 29 people, more than the limit of 10 \(out of 32 active\)\./,
    );
    expect(await page.locator("#apply").isDisabled()).toBe(true);
    await shot(page, "08-guard-blocked");

    await page.click("#override");
    await expect
      .poll(() => text(page, "#guard-text"), WAIT)
      .toBe(
        "The deprovisioning guard was overridden for this plan: its 29 people to deactivate or remove may be applied.",
      );
    expect(await page.locator("#override").isHidden()).toBe(true);
    expect(await page.locator("#apply").isEnabled()).toBe(true);
    await shot(page, "09-guard-overridden");
  });

  it("shows a server error in words with what to do", async () => {
    await page.click("#apply");
    await expect
      .poll(() => text(page, "#error"), WAIT)
      .toBe(
        "Nothing is ticked in Review. Tick Approve on the rows to apply (or use “Approve all” in the sidebar), then Apply approved.",
      );
    await shot(page, "11-error");
  });

  it("raised no script errors in the page", () => {
    expect(errors).toEqual([]);
  });
});

/**
 * The Review tab of the fake spreadsheet as a table, with the status colours its conditional format
 * rules give: what the admin sees in the sheet once Apply has written the statuses back.
 */
async function shotOfReview(environment: SheetEnvironment, name: string): Promise<void> {
  const review = environment.spreadsheet.sheet("Review");
  const rows = review.displayed();
  const visible = (rows[0] ?? [])
    .map((_, index) => index)
    .filter((index) => !review.isColumnHiddenByUser(index + 1));
  const escaped = (value: string) =>
    value.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);
  const body = rows
    .slice(0, 14)
    .map((row, r) => {
      const cells = visible.map((c) => {
        const rule = review.rules.find((candidate) => candidate.applies(review, r + 1, c + 1));
        const style = rule ? ` style="background:${rule.background};color:${rule.fontColor}"` : "";
        const tag = r === 0 ? "th" : "td";
        return `<${tag}${style}>${escaped(row[c] ?? "").replace(/\n/g, "<br>")}</${tag}>`;
      });
      return `<tr>${cells.join("")}</tr>`;
    })
    .join("");
  const page = await context.newPage();
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.setContent(
    `<style>body{font:12px Arial;margin:8px}table{border-collapse:collapse}th{background:#e8eaed}` +
      `td,th{border:1px solid #dadce0;padding:3px 6px;vertical-align:top;max-width:320px}</style>` +
      `<p>Review tab (first 13 rows), as the add-on left it</p><table>${body}</table>`,
  );
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  await page.close();
}
