// Which deployment this admin talks to, and with which API key. Kept in user properties, never in
// the sheet or document properties: anyone who can edit the spreadsheet could read those.
import type { ConnectionStatus } from "../shared/sidebar-api.ts";
import { type ApiTarget, callApi, messageOf } from "./api.ts";
import { isJsonObject } from "./json.ts";

type Properties = GoogleAppsScript.Properties.Properties;

const URL_PROPERTY = "profileSync.url";
const KEY_PROPERTY = "profileSync.apiKey";

// Apps Script has no URL class, so the shape is checked by pattern. Plain http is allowed only for a
// worker on this machine (wrangler dev): anywhere else the API key would travel unencrypted.
const HOST = "[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?";
const PORT_AND_PATH = "(?::\\d{1,5})?(?:/[^\\s?#]*)?";
const HTTPS_URL = new RegExp(`^https://${HOST}${PORT_AND_PATH}$`, "i");
const LOCAL_HTTP_URL = new RegExp(`^http://(?:localhost|127\\.0\\.0\\.1)${PORT_AND_PATH}$`, "i");

/** What the sidebar may see: the URL, and whether a key is stored. */
export function connectionStatus(store: Properties): ConnectionStatus {
  return { url: store.getProperty(URL_PROPERTY), hasKey: Boolean(store.getProperty(KEY_PROPERTY)) };
}

/** The saved connection for API calls, or an error telling the admin to connect first. */
export function requireConnection(store: Properties): ApiTarget {
  const url = store.getProperty(URL_PROPERTY);
  const apiKey = store.getProperty(KEY_PROPERTY);
  if (!url || !apiKey) throw new Error("Connect to a profile-sync deployment first (in the sidebar).");
  return { url, apiKey };
}

/**
 * Checks the deployment answers its health check, then stores URL and key. Nothing is stored unless
 * the check passes, so a typo never replaces a working connection.
 */
export function connect(store: Properties, rawUrl: unknown, rawKey: unknown): ConnectionStatus {
  const target = { url: deploymentUrl(rawUrl), apiKey: apiKey(rawKey) };
  checkHealth(target);
  store.setProperties({ [URL_PROPERTY]: target.url, [KEY_PROPERTY]: target.apiKey });
  return connectionStatus(store);
}

/** The deployment URL without trailing slashes, or an error saying what is wrong with it. */
export function deploymentUrl(raw: unknown): string {
  const url = text(raw).replace(/\/+$/, "");
  if (HTTPS_URL.test(url) || LOCAL_HTTP_URL.test(url)) return url;
  if (url === "") throw new Error("Enter the deployment URL, such as https://profile-sync.example.com.");
  if (/^http:\/\//i.test(url)) {
    throw new Error("Use an https:// address, so the API key is never sent unencrypted.");
  }
  throw new Error(`"${url}" is not a web address such as https://profile-sync.example.com.`);
}

function apiKey(raw: unknown): string {
  const key = text(raw);
  if (key === "") throw new Error("Enter the API key for this deployment.");
  return key;
}

// The sidebar is ours, but google.script.run functions can be called with anything.
function text(raw: unknown): string {
  return typeof raw === "string" ? raw.trim() : "";
}

function checkHealth(target: ApiTarget): void {
  let answer: unknown;
  try {
    answer = callApi(target, "get", "/healthz");
  } catch (error) {
    throw new Error(`Could not connect to ${target.url}. ${messageOf(error)}`);
  }
  if (!isJsonObject(answer) || answer.status !== "ok") {
    throw new Error(
      `${target.url} answered, but its health check did not say "ok". Is this a profile-sync deployment?`,
    );
  }
}
