// The admin's whole workflow, run on the BUILT add-on (what clasp pushes) in a vm, against the real
// worker under workerd with sqld: paste → auto-map → analyze → tick → apply → statuses, plus what
// must never go wrong (formulas from HRIS text, lost ticks, a failed step wiping the admin's work),
// and the number of Spreadsheet service calls for a 10,000-row export.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {
  ApplyResult,
  AutoMapResult,
  LogResult,
  PlanView,
  SidebarState,
  TickResult,
} from "../../addon/src/shared/sidebar-api.ts";
import { type AddonBuild, buildAddon } from "../../scripts/build-addon.ts";
import { connect as connectTo, exampleRows, openSpreadsheet, type SheetEnvironment } from "./environment.ts";
import { AuthMode } from "./fakes.ts";
import type { FakeSheet } from "./spreadsheet.ts";
import { startThreadStack, type ThreadStack } from "./stack-thread.ts";
import type { Tenant } from "./tenants.ts";

let stack: ThreadStack;
let build: AddonBuild;

beforeAll(async () => {
  [stack, build] = await Promise.all([
    startThreadStack(),
    buildAddon({ outDir: await mkdtemp(path.join(tmpdir(), "profile-sync-addon-")) }),
  ]);
});

afterAll(async () => {
  await stack?.stop();
  if (build) await rm(build.outDir, { recursive: true, force: true });
});

// Review's columns, 1-based as in the sheet.
const APPROVE = 1;
const ACTION = 2;
const PERSON = 3;
const CHANGES = 4;
const STATUS = 6;
const MESSAGE = 7;
const EXPORT_ROW = 8;
const ACTION_ID = 9;

function connect(environment: SheetEnvironment, tenant: Tenant): void {
  connectTo(environment, stack.url, tenant);
}

/** Server functions called as google.script.run does, typed as the sidebar sees them. */
function sidebar(environment: SheetEnvironment) {
  const call = <T>(name: string, ...args: unknown[]) => environment.addon.runFromSidebar(name, ...args) as T;
  return {
    autoMap: () => call<AutoMapResult>("autoMap"),
    analyze: (partial = false) => call<PlanView>("analyze", { partial }),
    approveAll: (kind: string) => call<TickResult>("approveAllOfKind", kind),
    apply: () => call<ApplyResult>("applyApproved"),
    override: () => call<PlanView>("overrideGuard"),
    state: () => call<SidebarState>("getState"),
    refreshLog: () => call<LogResult>("refreshLog"),
  };
}

/** The Review tab's data rows as values (what getValues gives). */
function reviewRows(environment: SheetEnvironment): unknown[][] {
  const review = environment.spreadsheet.sheet("Review");
  const last = review.getLastRow();
  return last < 2 ? [] : review.range(2, 1, last - 1, 10).getValues();
}

function rowsOf(environment: SheetEnvironment, kind: string): unknown[][] {
  return reviewRows(environment).filter((row) => row[ACTION - 1] === kind);
}

/** The admin ticks Approve on the Review rows of these people (by e-mail), by hand. */
function tick(environment: SheetEnvironment, emails: string[]): void {
  const review = environment.spreadsheet.sheet("Review");
  reviewRows(environment).forEach((row, index) => {
    const person = String(row[PERSON - 1]);
    if (emails.some((email) => person.includes(`<${email}>`)))
      review.range(index + 2, APPROVE, 1, 1).setValues([[true]]);
  });
}

function tickedEmails(environment: SheetEnvironment): string[] {
  return reviewRows(environment)
    .filter((row) => row[APPROVE - 1] === true)
    .map((row) => /<(.+)>/.exec(String(row[PERSON - 1]))?.[1] ?? "")
    .sort();
}

function kindCount(view: PlanView, kind: string) {
  return view.kinds.find((entry) => entry.kind === kind);
}

/** Opens a spreadsheet, shows the sidebar (which makes the Export tab) and pastes the rows into Export. */
function pasted(rows: string[][]): SheetEnvironment {
  const environment = openSpreadsheet(build.outDir);
  environment.addon.run("showSidebar");
  environment.spreadsheet.sheet("Export").paste(rows);
  return environment;
}

const BAMBOO = exampleRows("bamboohr");
const EMAIL = BAMBOO[0]?.indexOf("Work Email") ?? -1;
const JOB_TITLE = BAMBOO[0]?.indexOf("Job Title") ?? -1;
const FIVE = BAMBOO.slice(1, 6).map((row) => String(row[EMAIL]).trim().toLowerCase());

describe("the add-on menu", () => {
  it("is built in AuthMode.NONE without touching anything else", () => {
    const environment = openSpreadsheet(build.outDir);
    environment.addon.run("onOpen", { authMode: AuthMode.NONE });
    expect(environment.addon.forbiddenTouches).toEqual([]);
    expect(environment.calls.snapshot()).toEqual({ "SpreadsheetApp.getUi": 1 });
    expect(environment.properties.user.getKeys()).toEqual([]);
    expect(environment.fetchApp.requests).toEqual([]);
    expect(environment.ui.menus[0]?.entries).toEqual([
      { caption: "Open profile-sync", functionName: "showSidebar" },
      { caption: "Set up the tabs", functionName: "setUpTabs" },
    ]);
  });

  it("sets up the four tabs: frozen headers, widths, hidden ids, warning-only protection, validation", () => {
    const environment = openSpreadsheet(build.outDir);
    environment.addon.run("setUpTabs");
    const { spreadsheet } = environment;
    expect(spreadsheet.sheets.map((sheet) => sheet.name)).toEqual([
      "Sheet1",
      "Export",
      "Mapping",
      "Review",
      "Log",
    ]);
    for (const name of ["Export", "Mapping", "Review", "Log"])
      expect(spreadsheet.sheet(name).frozenRows).toBe(1);

    const mapping = spreadsheet.sheet("Mapping");
    expect(mapping.displayed()[0]).toEqual([
      "Column",
      "Field",
      "Kind",
      "Visibility",
      "Values",
      "Date order",
      "Reviewed",
      "Confidence",
      "Why",
    ]);
    expect(mapping.getColumnWidth(1)).toBe(200);
    expect(protectedRanges(mapping)).toEqual([
      { a1: "A:A", warningOnly: true },
      { a1: "H:I", warningOnly: true },
    ]);
    const [field, kind, , , , reviewed] = mapping.range(2, 2, 1, 6).getDataValidations()[0] ?? [];
    expect(field?.type).toBe("VALUE_IN_LIST");
    expect(field?.values).toEqual(expect.arrayContaining(["email", "employeeId", "startDate", "manager"]));
    expect(field?.allowInvalid).toBe(true);
    expect(kind?.values).toEqual(["core", "segment", "role"]);
    expect(kind?.allowInvalid).toBe(false);
    expect(reviewed?.type).toBe("CHECKBOX");

    const review = spreadsheet.sheet("Review");
    expect(protectedRanges(review)).toEqual([{ a1: "B:J", warningOnly: true }]);
    expect([...review.hiddenColumns].sort((a, b) => a - b)).toEqual([ACTION_ID, ACTION_ID + 1]);
    expect(
      review.rules.map((rule) => [rule.text, rule.ranges.map((range) => range.getA1Notation())]),
    ).toEqual([
      ["done", ["F:F"]],
      ["failed", ["F:F"]],
      ["stale", ["F:F"]],
      ["skipped", ["F:F"]],
    ]);

    const log = spreadsheet.sheet("Log");
    expect(log.protections.map((p) => [p.range, p.warningOnly])).toEqual([[null, true]]);
  });
});

describe("Sheets' own conversions, in the fake", () => {
  // The safety tests below can only fail if the fake turns text into formulas as Sheets does.
  it("turns written text starting with = + - @ into formulas, and keeps it text after an apostrophe", () => {
    const environment = openSpreadsheet(build.outDir);
    const sheet = environment.spreadsheet.sheet("Sheet1");
    sheet.range(1, 1, 1, 4).setValues([["=1+1", "+SUM(1)", "-A1", "@A1"]]);
    expect(sheet.formulas()).toHaveLength(4);
    sheet.range(2, 1, 1, 4).setValues([["'=1+1", "'+SUM(1)", "'-A1", "'@A1"]]);
    expect(sheet.range(2, 1, 1, 4).getValues()).toEqual([["=1+1", "+SUM(1)", "-A1", "@A1"]]);
    expect(sheet.range(2, 1, 1, 4).getFormulas()).toEqual([["", "", "", ""]]);
  });

  it("reads typed dates as Dates at midnight in the spreadsheet's zone and numbers as numbers", () => {
    const environment = pasted([
      ["Hire Date", "Id"],
      ["03/04/2019", "00123"],
    ]);
    const [date, id] = environment.spreadsheet.sheet("Export").range(2, 1, 1, 2).getValues()[0] ?? [];
    expect(date).toBeInstanceOf(Date);
    // Midnight in Berlin on 4 March is 23:00 UTC on 3 March: reading it as UTC gives the wrong day.
    expect((date as Date).toISOString()).toBe("2019-03-03T23:00:00.000Z");
    expect(id).toBe(123);
  });
});

describe("paste → auto-map → analyze → tick → apply → status (examples/bamboohr.csv)", () => {
  let environment: SheetEnvironment;
  let api: ReturnType<typeof sidebar>;

  beforeAll(async () => {
    const tenant = await stack.newTenant("Acme Robotics (sheet)");
    environment = pasted(BAMBOO);
    api = sidebar(environment);
    connect(environment, tenant);
  });

  it("connects, keeps the key in user properties and the hub in document properties", () => {
    const { user, document } = environment.properties;
    expect(user.getProperty("profileSync.url")).toBe(stack.url);
    expect(user.getProperty("profileSync.apiKey")).toMatch(/^ps_/);
    expect(JSON.parse(document.getProperty("profileSync.hub") ?? "{}")).toMatchObject({ name: "Mentoring" });
    expect(JSON.stringify(environment.spreadsheet.sheets.map((sheet) => sheet.rows))).not.toContain("ps_");
  });

  it("auto-maps the Export into the Mapping tab with each suggestion's confidence", () => {
    const result = api.autoMap();
    expect(result).toMatchObject({ columns: 17, mapped: 13, kept: 0 });
    const rows = environment.spreadsheet.sheet("Mapping").displayed();
    const byColumn = new Map(rows.slice(1).map((row) => [row[0], row]));
    expect(byColumn.get("Work Email")?.slice(1, 3)).toEqual(["email", "core"]);
    expect(byColumn.get("Work Email")?.[7]).toBe("100%");
    expect(byColumn.get("Hire Date")?.[1]).toBe("startDate");
    expect(byColumn.get("Home Email")?.[1]).toBe("");
    // A new segment comes with its value map, one "HRIS value → option" per line.
    expect(byColumn.get("Employment Status")?.[4]).toContain("Full-Time → Full-Time");
    // The blank trailing column of the export gets no row.
    expect(byColumn.has("")).toBe(false);
  });

  it("keeps the rows the admin marked Reviewed when auto-mapping again", () => {
    const mapping = environment.spreadsheet.sheet("Mapping");
    const row = mapping.displayed().findIndex((cells) => cells[0] === "Department") + 1;
    // The admin decides Department is a public segment and marks the row reviewed.
    mapping.range(row, 2, 1, 6).setValues([["department", "core", "public", "", "", true]]);
    const result = api.autoMap();
    expect(result.kept).toBe(1);
    expect(mapping.range(row, 1, 1, 7).getValues()[0]).toEqual([
      "Department",
      "department",
      "core",
      "public",
      "",
      "",
      true,
    ]);
  });

  it("analyzes: saves the mapping, imports the rows with their sheet row numbers, writes Review", () => {
    environment.fetchApp.requests.length = 0;
    const view = api.analyze();

    const calls = environment.fetchApp.requests.map((r) => `${r.method} ${new URL(r.url).pathname}`);
    expect(calls[0]).toMatch(/^PUT \/v1\/hubs\/.+\/mapping$/);
    expect(calls[1]).toMatch(/^POST \/v1\/hubs\/.+\/imports$/);
    const body = JSON.parse(environment.fetchApp.requests[1]?.body ?? "{}");
    expect(body.rowNumbers).toEqual(Array.from({ length: 35 }, (_, i) => i + 2));
    const hire = body.columns.indexOf("Hire Date");
    // Sheets made 03/04/2019 a Date; the add-on sends the day as written, in the sheet's zone.
    expect(body.rows[0][hire]).toBe("2019-03-04");
    expect(body.rows[0][body.columns.indexOf("Employee #")]).toBe(1001);

    expect(kindCount(view, "invite")).toMatchObject({
      count: 32,
      ticked: 0,
      approvable: true,
      plural: "invites",
    });
    expect(kindCount(view, "scheduled")).toMatchObject({ count: 1, approvable: false });
    expect(kindCount(view, "skip")).toMatchObject({ count: 2 });
    expect(view.guard.blocked).toBe(false);

    const review = environment.spreadsheet.sheet("Review");
    expect(environment.spreadsheet.active).toBe(review);
    const rows = reviewRows(environment);
    expect(rows).toHaveLength(35);
    const maggie = rows.find((row) => String(row[PERSON - 1]).startsWith("Margaret Okafor"));
    expect(maggie?.slice(0, 3)).toEqual([
      false,
      "Invite",
      "Margaret Okafor <maggie.okafor@acmerobotics.example>",
    ]);
    expect(String(maggie?.[CHANGES - 1]).split("\n")).toEqual(
      expect.arrayContaining(["startDate: — → 2019-03-04", "jobTitle: — → Chief Executive Officer"]),
    );
    expect(maggie?.[STATUS - 1]).toBe("pending");
    expect(maggie?.[EXPORT_ROW - 1]).toBe(2);
    expect(String(maggie?.[ACTION_ID - 1])).toMatch(/^[0-9a-f-]{36}$/);
    // Checkboxes only where there is something to approve.
    const rules = review
      .range(2, APPROVE, 35, 1)
      .getDataValidations()
      .map((line) => line[0]?.type ?? null);
    rows.forEach((row, index) => {
      expect(rules[index], String(row[ACTION - 1])).toBe(row[ACTION - 1] === "Invite" ? "CHECKBOX" : null);
    });
    const skip = rows.find((row) => row[ACTION - 1] === "Skip");
    expect(skip?.[APPROVE - 1]).toBe("");
  });

  it("keeps the admin's ticks on a re-analyze, except for an action that changed", () => {
    tick(environment, FIVE);
    expect(tickedEmails(environment)).toEqual([...FIVE].sort());
    const before = reviewRows(environment).map((row) => row[ACTION_ID - 1]);

    const view = api.analyze();
    expect(kindCount(view, "invite")?.ticked).toBe(5);
    expect(tickedEmails(environment)).toEqual([...FIVE].sort());
    // A new plan: every action id is new, the ticks followed their actions.
    const after = reviewRows(environment).map((row) => row[ACTION_ID - 1]);
    expect(after.filter((id) => before.includes(id))).toEqual([]);

    // The HRIS changes one ticked person's job title: that invite is not what the admin approved.
    const exportSheet = environment.spreadsheet.sheet("Export");
    exportSheet.range(2, JOB_TITLE + 1, 1, 1).setValues([["Chair of the Board"]]);
    const changed = api.analyze();
    expect(kindCount(changed, "invite")?.ticked).toBe(4);
    expect(tickedEmails(environment)).toEqual(FIVE.slice(1).sort());
  });

  it("leaves Review untouched when Analyze fails, and says what to fix", () => {
    const snapshot = reviewRows(environment);
    const mapping = environment.spreadsheet.sheet("Mapping");
    const row = mapping.displayed().findIndex((cells) => cells[0] === "Job Title") + 1;
    mapping.range(row, 2, 1, 1).setValues([["jobTitel"]]);

    expect(() => api.analyze()).toThrow(
      new RegExp(`Fix the Mapping tab, then Analyze again\\. Row ${row}: "jobTitel" is not a core field`),
    );
    expect(reviewRows(environment)).toEqual(snapshot);

    mapping.range(row, 2, 1, 1).setValues([["jobTitle"]]);
    const { user } = environment.properties;
    const url = user.getProperty("profileSync.url") ?? "";
    user.setProperty("profileSync.url", "http://127.0.0.1:1");
    try {
      expect(() => api.analyze()).toThrow(
        /The server did not answer.*Check the deployment URL under Connect and that the deployment is running/,
      );
    } finally {
      user.setProperty("profileSync.url", url);
    }
    expect(reviewRows(environment)).toEqual(snapshot);
  });

  it("refuses to run while another editor holds the document lock", () => {
    const snapshot = reviewRows(environment);
    environment.lock.documentLock.heldElsewhere = true;
    try {
      expect(() => api.analyze()).toThrow(/Someone else is running Auto-map, Analyze or Apply/);
    } finally {
      environment.lock.documentLock.heldElsewhere = false;
    }
    expect(reviewRows(environment)).toEqual(snapshot);
    expect(environment.lock.documentLock.held).toBe(false);
  });

  it("applies the ticked rows only, writes each row's status back, coloured, and logs the run", () => {
    const result = api.apply();
    expect(result.complete).toBe(true);
    expect(result.progress).toMatchObject({ approved: 4, done: 4, pending: 0, failed: 0 });
    expect(result.written).toBe(35);

    const invites = rowsOf(environment, "Invite");
    const done = invites.filter((row) => row[STATUS - 1] === "done");
    expect(done.map((row) => row[APPROVE - 1])).toEqual([true, true, true, true]);
    expect(invites.filter((row) => row[STATUS - 1] === "pending")).toHaveLength(28);
    expect(done.every((row) => row[MESSAGE - 1] !== undefined)).toBe(true);

    const review = environment.spreadsheet.sheet("Review");
    const doneRow = reviewRows(environment).findIndex((row) => row[STATUS - 1] === "done") + 2;
    const pendingRow = reviewRows(environment).findIndex((row) => row[STATUS - 1] === "pending") + 2;
    expect(
      review.rules.filter((rule) => rule.applies(review, doneRow, STATUS)).map((r) => r.background),
    ).toEqual(["#e6f4ea"]);
    expect(review.rules.some((rule) => rule.applies(review, pendingRow, STATUS))).toBe(false);

    // The run is in Log, as the API recorded it (import, then execution), with a chart of actions per run.
    const log = environment.spreadsheet.sheet("Log");
    const runs = log.displayed().slice(1);
    const execution = runs.find((row) => row[9]?.startsWith("Apply:"));
    expect(execution?.slice(4, 9)).toEqual(["4", "4", "0", "0", "0"]);
    expect(runs.some((row) => row[9]?.startsWith("Plan: invite 32"))).toBe(true);
    expect(log.charts).toHaveLength(1);
    const chart = log.charts[0];
    expect(chart?.type).toBe("COLUMN");
    expect(chart?.options.title).toBe("Actions per run");
    expect(chart?.ranges.map((range) => range.getA1Notation())).toEqual(["A:A", "E:E"]);
    expect(chart?.series()[1]?.points).toEqual(runs.map((row) => Number(row[4])));
    expect(environment.properties.document.getProperty("profileSync.lastSyncAt")).toMatch(/^\d{4}-/);
    expect(environment.properties.document.getProperty("profileSync.apply")).toBeNull();
  });

  it("approves all invites from the sidebar and applies the rest", () => {
    const ticked = api.approveAll("invite");
    expect(ticked).toMatchObject({ kind: "invite", ticked: 32 });
    expect(kindCount(ticked.plan, "invite")?.ticked).toBe(32);
    expect(rowsOf(environment, "Invite").every((row) => row[APPROVE - 1] === true)).toBe(true);
    expect(() => api.approveAll("skip")).toThrow(/“skip” is not a kind of action that can be approved/);

    const result = api.apply();
    expect(result.progress).toMatchObject({ approved: 32, done: 32, complete: true });
    expect(rowsOf(environment, "Invite").every((row) => row[STATUS - 1] === "done")).toBe(true);
    expect(rowsOf(environment, "Scheduled")[0]?.[STATUS - 1]).toBe("pending");

    const state = api.state();
    expect(state.plan?.progress.done).toBe(32);
    expect(state.applyUnfinished).toBe(false);
    expect(state.lastSyncAt).not.toBeNull();
  });

  it("shows the deprovisioning guard as a block, refuses to apply, and applies after the override", () => {
    // A truncated export: 3 people instead of 35. Everyone else would be deactivated.
    const exportSheet = environment.spreadsheet.sheet("Export");
    exportSheet.range(5, 1, exportSheet.getLastRow() - 4, exportSheet.getLastColumn()).clearContent();
    const view = api.analyze();
    expect(view.guard).toMatchObject({ blocked: true, overridden: false, limit: 10 });
    expect(view.guard.deprovisions).toBeGreaterThan(10);
    expect(view.status).toBe("blocked");

    api.approveAll("deactivate");
    expect(() => api.apply()).toThrow(/If they are right, press Override in the sidebar/);
    expect(rowsOf(environment, "Deactivate").every((row) => row[STATUS - 1] === "pending")).toBe(true);

    const overridden = api.override();
    expect(overridden.guard).toMatchObject({ blocked: false, overridden: true });
    const result = api.apply();
    expect(result.complete).toBe(true);
    expect(result.progress.done).toBe(view.guard.deprovisions);
    expect(rowsOf(environment, "Deactivate").every((row) => row[STATUS - 1] === "done")).toBe(true);
  });
});

describe("HRIS text that looks like a formula", () => {
  it("stays text in every cell the add-on writes", async () => {
    const tenant = await stack.newTenant("Hostile Co");
    const hostile = ['=HYPERLINK("https://evil.example","Click")', "+SUM(1,2)", "-2+3", "@SUM(A1)"];
    const header = ["Email", "First Name", "Last Name", "=Employee Id"];
    const environment = openSpreadsheet(build.outDir);
    environment.addon.run("showSidebar");
    // The admin imported the file as plain text (no conversions): the cells hold the text itself.
    const rows = hostile.map((text, i) => [`p${i}@hostile.example`, text, `Row${i}`, `E${i}`]);
    environment.spreadsheet
      .sheet("Export")
      .paste([header, ...rows].map((line) => line.map((cell) => `'${cell}`)));
    connect(environment, tenant);
    const api = sidebar(environment);

    api.autoMap();
    api.analyze();

    for (const name of ["Mapping", "Review"]) {
      expect(environment.spreadsheet.sheet(name).formulas(), name).toEqual([]);
    }
    const mappingColumns = environment.spreadsheet.sheet("Mapping").range(2, 1, 4, 1).getValues().flat();
    expect(mappingColumns).toContain("=Employee Id");
    const people = reviewRows(environment).map((row) => String(row[PERSON - 1]));
    for (const [i, text] of hostile.entries()) {
      expect(
        people.find((person) => person.includes(`<p${i}@hostile.example>`))?.startsWith(text),
        text,
      ).toBe(true);
    }
    const changes = reviewRows(environment).map((row) => String(row[CHANGES - 1]));
    expect(changes.join("\n")).toContain(`firstName: — → ${hostile[0]}`);
  });
});

describe("an Apply longer than Apps Script's time limit", () => {
  it("stops starting work after 4.5 minutes, saves where it was, and continues when called again", async () => {
    const tenant = await stack.newTenant("Slow Co");
    const environment = pasted(BAMBOO);
    connect(environment, tenant);
    const api = sidebar(environment);
    api.autoMap();
    api.analyze();
    tick(environment, FIVE.slice(0, 2));
    // Every request takes 150 simulated seconds: after the two approval requests (300 s), starting an
    // execute call could run past the 4.5 minutes.
    environment.fetchApp.beforeSend = () => environment.clock.advance(150_000);

    const first = api.apply();
    expect(first.complete).toBe(false);
    expect(first.progress).toMatchObject({ approved: 2, pending: 2, done: 0 });
    const methods = environment.fetchApp.requests.map(
      (r) => `${r.method} ${new URL(r.url).pathname.split("/").pop()}`,
    );
    expect(methods.filter((m) => m === "POST execute")).toEqual([]);
    expect(
      JSON.parse(environment.properties.document.getProperty("profileSync.apply") ?? "{}"),
    ).toMatchObject({
      phase: "execute",
    });
    expect(api.state().applyUnfinished).toBe(true);

    // The sidebar calls again: no approvals this time, straight to execution.
    environment.fetchApp.requests.length = 0;
    const second = api.apply();
    expect(second.complete).toBe(true);
    expect(second.progress).toMatchObject({ approved: 2, done: 2 });
    const again = environment.fetchApp.requests.map((r) => new URL(r.url).pathname.split("/").pop());
    expect(again).not.toContain("approvals");
    expect(again[0]).toBe("execute");
    expect(environment.properties.document.getProperty("profileSync.apply")).toBeNull();
    expect(tickedEmails(environment)).toEqual(
      rowsOf(environment, "Invite")
        .filter((row) => row[STATUS - 1] === "done")
        .map((row) => /<(.+)>/.exec(String(row[PERSON - 1]))?.[1])
        .sort(),
    );
  });

  it("explains that nothing is ticked instead of applying nothing", async () => {
    const tenant = await stack.newTenant("Untouched Co");
    const environment = pasted(BAMBOO);
    connect(environment, tenant);
    const api = sidebar(environment);
    expect(() => api.apply()).toThrow(/There is no plan to apply yet\. Press Analyze/);
    api.autoMap();
    api.analyze();
    expect(() => api.apply()).toThrow(/Nothing is ticked in Review\. Tick Approve on the rows to apply/);
  });
});

describe("Spreadsheet service calls for 10,000 rows", () => {
  // Each step's calls must not grow with the rows: reading and writing are one call per block.
  // Measured (the printed table): with the tabs in place Analyze makes 23 calls and Apply 18, for 10
  // rows and for 10,000. The first use of a tab adds its one-time layout (header, widths, protection,
  // dropdowns, status colours, chart): 70 for Analyze, 54 for Apply, 90 for Auto-map. The bounds sit a
  // little above the measurements, so a per-row call anywhere (10,000 calls) fails by far.
  const FIRST_USE_BOUND = 100;
  const STEADY_BOUND = 30;
  const PEOPLE = 10_000;

  function generated(people: number): string[][] {
    const header = [
      "Employee ID",
      "First Name",
      "Last Name",
      "Work Email",
      "Job Title",
      "Department",
      "Hire Date",
      "Status",
    ];
    const departments = ["Engineering", "Sales", "People", "Finance", "Operations"];
    const rows = Array.from({ length: people }, (_, i) => [
      `E${100000 + i}`,
      `First${i}`,
      `Last${i}`,
      `person${i}@big.example`,
      `Title ${i % 50}`,
      departments[i % departments.length] ?? "",
      `${(i % 12) + 1}/${(i % 28) + 1}/${2015 + (i % 10)}`,
      "Active",
    ]);
    return [header, ...rows];
  }

  /** Runs the workflow on a fresh tenant and returns the calls of each step. */
  async function measure(people: number) {
    const tenant = await stack.newTenant(`Big Co ${people}`);
    const rows = generated(people);
    const environment = pasted(rows);
    connect(environment, tenant);
    const api = sidebar(environment);
    const { calls } = environment;
    const step = <T>(run: () => T) => {
      calls.reset();
      const result = run();
      return {
        result,
        calls: calls.total(),
        detail: calls.snapshot(),
        getValues: calls.of("getValues"),
        setValues: calls.of("setValues"),
      };
    };
    const applyAll = () => {
      const applies = [step(() => api.apply())];
      while (!applies.at(-1)?.result.complete) applies.push(step(() => api.apply()));
      return applies;
    };
    const autoMap = step(() => api.autoMap());
    const firstAnalyze = step(() => api.analyze());
    const analyzeAgain = step(() => api.analyze());
    const approveAll = step(() => api.approveAll("invite"));
    const firstApplies = applyAll();
    // The HRIS changes everyone's job title: a plan of updates, analyzed and applied with every tab in place.
    const title = (rows[0] ?? []).indexOf("Job Title") + 1;
    environment.spreadsheet
      .sheet("Export")
      .range(2, title, people, 1)
      .setValues(rows.slice(1).map((_, i) => [`Senior Title ${i % 50}`]));
    const updates = step(() => api.analyze());
    api.approveAll("update");
    const applyUpdates = applyAll();
    return {
      environment,
      autoMap,
      firstAnalyze,
      analyzeAgain,
      approveAll,
      firstApplies,
      updates,
      applyUpdates,
    };
  }

  it("is a small constant per Analyze and per Apply, the same for 10 rows as for 10,000", async () => {
    const small = await measure(10);
    const big = await measure(PEOPLE);

    expect(big.firstAnalyze.result.kinds).toEqual([
      expect.objectContaining({ kind: "invite", count: PEOPLE }),
    ]);
    expect(big.firstApplies.at(-1)?.result.progress).toMatchObject({ approved: PEOPLE, done: PEOPLE });
    expect(big.updates.result.kinds).toEqual([expect.objectContaining({ kind: "update", count: PEOPLE })]);
    expect(big.applyUpdates.at(-1)?.result.progress).toMatchObject({ approved: PEOPLE, done: PEOPLE });
    expect(rowsOf(big.environment, "Update")).toHaveLength(PEOPLE);
    expect(rowsOf(big.environment, "Update").every((row) => row[STATUS - 1] === "done")).toBe(true);

    const perStep = (m: Awaited<ReturnType<typeof measure>>) => ({
      "Auto-map (first use: lays out Mapping)": m.autoMap.calls,
      "Analyze (first use: lays out Review)": m.firstAnalyze.calls,
      "Analyze again (same export)": m.analyzeAgain.calls,
      "Approve all invites": m.approveAll.calls,
      "Apply (first use: lays out Log)": m.firstApplies.map((a) => a.calls).join("+"),
      "Analyze (10,000 updates)": m.updates.calls,
      "Apply (10,000 updates)": m.applyUpdates.map((a) => a.calls).join("+"),
    });
    const smallSteps = perStep(small);
    const bigSteps = perStep(big);
    console.log(
      [
        `Spreadsheet service calls per step (all calls on SpreadsheetApp, Spreadsheet, Sheet, Range, builders, protections, rules, charts):`,
        `  ${"step".padEnd(40)} ${"10 rows".padStart(8)} ${`${PEOPLE} rows`.padStart(12)}`,
        ...Object.keys(bigSteps).map(
          (name) =>
            `  ${name.padEnd(40)} ${String(smallSteps[name as keyof typeof smallSteps]).padStart(8)} ${String(bigSteps[name as keyof typeof bigSteps]).padStart(12)}`,
        ),
        `  Analyze (${PEOPLE} updates) by method: ${JSON.stringify(big.updates.detail)}`,
        `  Apply (${PEOPLE} updates) by method: ${JSON.stringify(big.applyUpdates[0]?.detail)}`,
      ].join("\n"),
    );

    for (const step of [big.autoMap, big.firstAnalyze, ...big.firstApplies]) {
      expect(step.calls).toBeLessThanOrEqual(FIRST_USE_BOUND);
    }
    for (const step of [big.analyzeAgain, big.updates, big.approveAll, ...big.applyUpdates]) {
      expect(step.calls).toBeLessThanOrEqual(STEADY_BOUND);
    }
    // Analyze: one read each of Export, Mapping and the old Review; one write of Review.
    expect(big.updates.getValues).toBe(3);
    expect(big.updates.setValues).toBe(1);
    // Apply: one read each of Review and Log; one write of the statuses and one of Log.
    expect(big.applyUpdates[0]?.getValues).toBe(2);
    expect(big.applyUpdates[0]?.setValues).toBe(2);
    // The same steps on 10 rows cost the same, give or take growing a tab past its 1,000 rows.
    expect(Math.abs(big.updates.calls - small.updates.calls)).toBeLessThanOrEqual(1);
    expect(Math.abs(big.analyzeAgain.calls - small.analyzeAgain.calls)).toBeLessThanOrEqual(1);
    expect(
      Math.abs((big.applyUpdates[0]?.calls ?? 0) - (small.applyUpdates[0]?.calls ?? 0)),
    ).toBeLessThanOrEqual(1);
  }, 600_000);
});

function protectedRanges(sheet: FakeSheet) {
  return sheet.protections.map((p) => ({ a1: p.range?.getA1Notation(), warningOnly: p.warningOnly }));
}
