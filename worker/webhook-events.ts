// The events a tenant's webhook endpoints can subscribe to, and how a subscription matches them.
import type { ActionKind } from "../db/schema.ts";

export const WEBHOOK_EVENT_TYPES = [
  "member.invited",
  "member.updated",
  "member.reactivated",
  "member.deactivated",
  "member.removed_from_hub",
  "member.deleted",
  "member.archived",
  "plan.created",
  "plan.executed",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** What an endpoint may subscribe to: a type, a family (`member.*`, `plan.*`), or everything (`*`). */
export const WEBHOOK_SUBSCRIPTIONS = ["*", "member.*", "plan.*", ...WEBHOOK_EVENT_TYPES] as const;
export type WebhookSubscription = (typeof WEBHOOK_SUBSCRIPTIONS)[number];

/** The member event an executed plan action announces; null for kinds that change no member. */
export function memberEventOf(kind: ActionKind): WebhookEventType | null {
  switch (kind) {
    case "invite":
      return "member.invited";
    case "update":
      return "member.updated";
    case "reactivate":
      return "member.reactivated";
    case "deactivate":
      return "member.deactivated";
    case "delete_from_hub":
      return "member.removed_from_hub";
    case "delete_from_tenant":
      return "member.deleted";
    default:
      return null;
  }
}

export function subscribes(subscriptions: readonly string[], type: WebhookEventType): boolean {
  const family = `${type.split(".")[0]}.*`;
  return subscriptions.some((s) => s === "*" || s === type || s === family);
}
