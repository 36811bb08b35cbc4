// The sidebar's browser script. scripts/build-addon.ts bundles it and inlines it into Sidebar.html.
// It only talks to the server through google.script.run; all real work happens there.
import type { ActionKindName } from "../shared/contract.ts";
import type {
  ApplyResult,
  ConnectionStatus,
  HubOption,
  PlanView,
  SidebarState,
} from "../shared/sidebar-api.ts";
import { callServer, errorText } from "./server.ts";

type StatusTone = "ok" | "error" | "neutral";

const form = element("connect-form", HTMLFormElement);
const urlInput = element("url", HTMLInputElement);
const keyInput = element("api-key", HTMLInputElement);
const connectButton = element("connect", HTMLButtonElement);
const connectStatus = element("connect-status", HTMLElement);
const hubPicker = element("hub-picker", HTMLElement);
const hubSelect = element("hub", HTMLSelectElement);
const hubStatus = element("hub-status", HTMLElement);
const steps = element("steps", HTMLElement);
const autoMapButton = element("auto-map", HTMLButtonElement);
const autoMapStatus = element("auto-map-status", HTMLElement);
const partialInput = element("partial", HTMLInputElement);
const analyzeButton = element("analyze", HTMLButtonElement);
const analyzeStatus = element("analyze-status", HTMLElement);
const planSection = element("plan", HTMLElement);
const kindsBody = element("kinds", HTMLElement);
const issuesList = element("issues", HTMLElement);
const guardBox = element("guard", HTMLElement);
const guardText = element("guard-text", HTMLElement);
const overrideButton = element("override", HTMLButtonElement);
const applyButton = element("apply", HTMLButtonElement);
const applyProgress = element("apply-progress", HTMLProgressElement);
const applyStatus = element("apply-status", HTMLElement);
const lastSync = element("last-sync", HTMLElement);
const refreshLogButton = element("refresh-log", HTMLButtonElement);
const logStatus = element("log-status", HTMLElement);
const errorBox = element("error", HTMLElement);

let plan: PlanView | null = null;
let busy = false;

form.addEventListener("submit", (event) => {
  event.preventDefault();
  void run(connect);
});
hubSelect.addEventListener("change", () => void run(chooseHub));
autoMapButton.addEventListener("click", () => void run(autoMap));
analyzeButton.addEventListener("click", () => void run(analyze));
overrideButton.addEventListener("click", () => void run(override));
applyButton.addEventListener("click", () => void run(apply));
refreshLogButton.addEventListener("click", () => void run(refreshLog));
void run(load);

/** One server action at a time: buttons are disabled meanwhile, and errors end up in one place. */
async function run(action: () => Promise<void>): Promise<void> {
  if (busy) return;
  busy = true;
  showError(null);
  updateButtons();
  try {
    await action();
  } catch (error) {
    showError(errorText(error));
  } finally {
    busy = false;
    updateButtons();
  }
}

async function load(): Promise<void> {
  const state = await callServer("getState");
  urlInput.value = state.connection.url ?? "";
  showConnection(state.connection);
  showState(state);
  if (isConnected(state.connection)) await loadHubs(state.hub);
}

async function connect(): Promise<void> {
  setStatus(connectStatus, "Checking the deployment…", "neutral");
  try {
    const connection = await callServer("saveConnection", urlInput.value, keyInput.value);
    // The key is stored server-side now; leaving it in the page would only expose it.
    keyInput.value = "";
    urlInput.value = connection.url ?? "";
    showConnection(connection);
  } catch (error) {
    setStatus(connectStatus, errorText(error), "error");
    return;
  }
  await loadHubs(null);
}

async function loadHubs(current: HubOption | null): Promise<void> {
  const hubs = await callServer("listHubs");
  hubSelect.replaceChildren(option("", "Choose a hub…"), ...hubs.map((hub) => option(hub.id, hub.name)));
  hubPicker.hidden = false;
  if (current && hubs.some((hub) => hub.id === current.id)) {
    hubSelect.value = current.id;
    showHub(current);
    return;
  }
  if (hubs.length === 1 && hubs[0]) {
    hubSelect.value = hubs[0].id;
    await chooseHub();
    return;
  }
  setStatus(
    hubStatus,
    hubs.length ? "Choose the hub this sheet keeps in step." : "This deployment has no hubs yet.",
    "neutral",
  );
}

async function chooseHub(): Promise<void> {
  if (!hubSelect.value) return;
  showHub(await callServer("selectHub", hubSelect.value));
}

async function autoMap(): Promise<void> {
  setStatus(autoMapStatus, "Reading the Export tab…", "neutral");
  const result = await callServer("autoMap");
  const kept = result.kept ? ` ${result.kept} reviewed row${plural(result.kept)} kept as you left them.` : "";
  const unsure = result.unsure.length ? ` Check these in the Mapping tab: ${result.unsure.join("; ")}.` : "";
  setStatus(autoMapStatus, `Mapped ${result.mapped} of ${result.columns} columns.${kept}${unsure}`, "ok");
}

async function analyze(): Promise<void> {
  setStatus(analyzeStatus, "Analyzing the export…", "neutral");
  const view = await callServer("analyze", { partial: partialInput.checked });
  const total = view.kinds.reduce((sum, kind) => sum + kind.count, 0);
  setStatus(
    analyzeStatus,
    total
      ? `Planned ${total} action${plural(total)}: see the Review tab.`
      : "Nothing to change: the platform already matches the export.",
    "ok",
  );
  setStatus(applyStatus, "", "neutral");
  showPlan(view);
}

async function approveAll(kind: ActionKindName): Promise<void> {
  const result = await callServer("approveAllOfKind", kind);
  showPlan(result.plan);
}

async function override(): Promise<void> {
  showPlan(await callServer("overrideGuard"));
}

// Apply runs in invocations of at most a few minutes (Apps Script's limit); each returns progress
// and the sidebar calls again until the plan is complete.
async function apply(): Promise<void> {
  applyProgress.hidden = false;
  applyProgress.removeAttribute("value");
  setStatus(applyStatus, "Applying the approved rows…", "neutral");
  let result: ApplyResult;
  try {
    do {
      result = await callServer("applyApproved");
      showProgress(result);
      showPlan(result.plan);
    } while (!result.complete);
  } catch (error) {
    setStatus(applyStatus, "", "neutral");
    throw error;
  } finally {
    applyProgress.hidden = true;
  }
  const { done, failed, stale } = result.progress;
  const problems =
    failed + stale
      ? ` ${failed} failed and ${stale} changed since Analyze (stale): see Status and Message in Review.`
      : "";
  setStatus(applyStatus, `Applied: ${done} done.${problems}`, failed + stale ? "error" : "ok");
  await refreshLog();
}

async function refreshLog(): Promise<void> {
  const result = await callServer("refreshLog");
  showLastSync(result.lastSyncAt);
  logStatus.textContent = result.note ?? `Log: ${result.runs} run${plural(result.runs)}.`;
}

function showState(state: SidebarState): void {
  showLastSync(state.lastSyncAt);
  if (state.plan) showPlan(state.plan);
  if (state.planError) showError(state.planError);
  if (state.applyUnfinished)
    setStatus(
      applyStatus,
      "An Apply stopped before it finished: press Apply approved to continue it.",
      "neutral",
    );
}

function showConnection(connection: ConnectionStatus): void {
  if (isConnected(connection)) setStatus(connectStatus, `Connected to ${connection.url}.`, "ok");
  else setStatus(connectStatus, "Not connected yet.", "neutral");
}

function showHub(hub: HubOption): void {
  setStatus(hubStatus, `This sheet syncs the hub “${hub.name}”.`, "ok");
  steps.hidden = false;
}

function showPlan(view: PlanView): void {
  plan = view;
  planSection.hidden = false;
  kindsBody.replaceChildren(...view.kinds.map(kindRow));
  showIssues(view);
  showGuard(view);
  updateButtons();
}

function kindRow(kind: PlanView["kinds"][number]): HTMLTableRowElement {
  const row = document.createElement("tr");
  row.dataset.kind = kind.kind;
  row.append(
    cell(kind.label),
    cell(String(kind.count), "number"),
    cell(kind.approvable ? String(kind.ticked) : "–", "number"),
  );
  const actions = document.createElement("td");
  if (kind.approvable) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.textContent = `Approve all ${kind.plural}`;
    button.addEventListener("click", () => void run(() => approveAll(kind.kind)));
    actions.append(button);
  }
  row.append(actions);
  return row;
}

function showIssues(view: PlanView): void {
  const { errors, warnings, messages } = view.issues;
  issuesList.hidden = messages.length === 0;
  const more = errors + warnings - messages.length;
  const items = messages.map((message) => listItem(message));
  if (more > 0) items.push(listItem(`…and ${more} more.`));
  issuesList.replaceChildren(...items);
}

function showGuard(view: PlanView): void {
  const { guard } = view;
  guardBox.hidden = !guard.blocked && !guard.overridden;
  guardBox.classList.toggle("overridden", !guard.blocked);
  overrideButton.hidden = !guard.blocked;
  const people = `${guard.deprovisions} ${guard.deprovisions === 1 ? "person" : "people"}`;
  guardText.textContent = guard.blocked
    ? `Blocked by the deprovisioning guard: this plan would deactivate or remove ${people}, more than the limit of ${guard.limit} (out of ${guard.active} active). ` +
      "A truncated export must never empty the directory. Check the Deactivate and Remove rows in Review: if they are right, override the guard for this plan; if the export is incomplete, paste all of it and Analyze again."
    : `The deprovisioning guard was overridden for this plan: its ${people} to deactivate or remove may be applied.`;
}

function showProgress(result: ApplyResult): void {
  const { approved, done, failed, stale, skipped } = result.progress;
  const finished = done + failed + stale + skipped;
  applyProgress.max = Math.max(approved, 1);
  applyProgress.value = finished;
  if (!result.complete)
    setStatus(applyStatus, `Applying… ${finished} of ${approved} finished. Continuing.`, "neutral");
}

function showLastSync(iso: string | null): void {
  lastSync.textContent = iso ? new Date(iso).toLocaleString() : "none yet";
}

function updateButtons(): void {
  const blocked = plan?.guard.blocked ?? false;
  for (const button of [autoMapButton, analyzeButton, overrideButton, refreshLogButton, connectButton]) {
    button.disabled = busy;
  }
  applyButton.disabled = busy || blocked || plan === null;
  for (const button of kindsBody.querySelectorAll("button")) button.disabled = busy;
  hubSelect.disabled = busy;
}

function showError(message: string | null): void {
  errorBox.hidden = message === null;
  errorBox.textContent = message ?? "";
}

function setStatus(target: HTMLElement, message: string, tone: StatusTone): void {
  target.textContent = message;
  target.className = tone === "neutral" ? "status" : `status ${tone}`;
}

function isConnected(connection: ConnectionStatus): boolean {
  return Boolean(connection.url && connection.hasKey);
}

function option(value: string, label: string): HTMLOptionElement {
  const item = document.createElement("option");
  item.value = value;
  item.textContent = label;
  return item;
}

function cell(text: string, className = ""): HTMLTableCellElement {
  const item = document.createElement("td");
  item.textContent = text;
  if (className) item.className = className;
  return item;
}

function listItem(text: string): HTMLLIElement {
  const item = document.createElement("li");
  item.textContent = text;
  return item;
}

function plural(n: number): string {
  return n === 1 ? "" : "s";
}

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`Sidebar.html has no <${type.name}> #${id}.`);
  return found;
}
