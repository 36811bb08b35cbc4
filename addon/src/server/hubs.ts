// The hub this spreadsheet syncs: chosen in the sidebar from the hubs the API key's tenant has.
import type { HubOption } from "../shared/sidebar-api.ts";
import { requireConnection } from "./connection.ts";
import { setHub } from "./document-state.ts";
import { listHubs } from "./endpoints.ts";

export function hubOptions(): HubOption[] {
  const target = requireConnection(PropertiesService.getUserProperties());
  return listHubs(target).map((hub) => ({ id: hub.id, name: hub.name }));
}

/** Keeps the choice only if the API still lists the hub: a stale id would fail every later step. */
export function chooseHub(rawHubId: unknown): HubOption {
  const hub = hubOptions().find((option) => option.id === rawHubId);
  if (!hub)
    throw new Error(
      "That hub is not among this deployment's hubs any more. Reload the list and choose again.",
    );
  setHub(PropertiesService.getDocumentProperties(), hub);
  return hub;
}
