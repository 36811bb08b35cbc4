// The contract between the sidebar (browser) and the server functions it calls by name through
// google.script.run. Both tsconfigs include this file, so the two sides cannot drift apart silently.
// Values crossing google.script.run must be primitives or plain objects and arrays (no Date).

/** What the sidebar may know about the saved connection: never the API key itself. */
export interface ConnectionStatus {
  url: string | null;
  hasKey: boolean;
}

/**
 * Server functions the sidebar calls. Property syntax (not method syntax) so that parameter types are
 * checked strictly when main.ts is compared against this contract.
 */
export interface SidebarApi {
  getConnection: () => ConnectionStatus;
  saveConnection: (url: string, apiKey: string) => ConnectionStatus;
}
