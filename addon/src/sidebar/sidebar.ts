// The sidebar's browser script. scripts/build-addon.ts bundles it and inlines it into Sidebar.html.
// It only talks to the server through google.script.run; all real work happens there.
import type { ConnectionStatus, SidebarApi } from "../shared/sidebar-api.ts";

type StatusTone = "ok" | "error" | "neutral";

const form = element("connect-form", HTMLFormElement);
const urlInput = element("url", HTMLInputElement);
const keyInput = element("api-key", HTMLInputElement);
const connectButton = element("connect", HTMLButtonElement);
const statusLine = element("connect-status", HTMLElement);

form.addEventListener("submit", (event) => {
  event.preventDefault();
  void connect();
});
void showSavedConnection();

async function showSavedConnection(): Promise<void> {
  try {
    const connection = await callServer("getConnection");
    urlInput.value = connection.url ?? "";
    showConnection(connection);
  } catch (error) {
    showStatus(errorText(error), "error");
  }
}

async function connect(): Promise<void> {
  connectButton.disabled = true;
  showStatus("Checking the deployment…", "neutral");
  try {
    const connection = await callServer("saveConnection", urlInput.value, keyInput.value);
    // The key is stored server-side now; leaving it in the page would only expose it.
    keyInput.value = "";
    urlInput.value = connection.url ?? "";
    showConnection(connection);
  } catch (error) {
    showStatus(errorText(error), "error");
  } finally {
    connectButton.disabled = false;
  }
}

function showConnection(connection: ConnectionStatus): void {
  if (connection.url && connection.hasKey) showStatus(`Connected to ${connection.url}.`, "ok");
  else showStatus("Not connected yet.", "neutral");
}

function showStatus(message: string, tone: StatusTone): void {
  statusLine.textContent = message;
  statusLine.className = tone === "neutral" ? "status" : `status ${tone}`;
}

/** google.script.run as a promise, typed by the shared contract with the server. */
function callServer<Name extends keyof SidebarApi>(
  name: Name,
  ...args: Parameters<SidebarApi[Name]>
): Promise<ReturnType<SidebarApi[Name]>> {
  return new Promise((resolve, reject) => {
    google.script.run
      .withSuccessHandler(resolve)
      .withFailureHandler(reject)
      [name](...args);
  });
}

// Apps Script may prefix a server error's message with its type; the sentence after it is ours.
function errorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^(?:Error|Exception|ApiError): /, "");
}

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`Sidebar.html has no <${type.name}> #${id}.`);
  return found;
}
