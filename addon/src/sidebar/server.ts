// google.script.run as promises, typed by the contract shared with the server.
import type { SidebarApi } from "../shared/sidebar-api.ts";

export function callServer<Name extends keyof SidebarApi>(
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
export function errorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^(?:Error|Exception|ApiError): /, "");
}
