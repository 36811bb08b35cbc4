// The API's share of the cron: deliver due webhook events, and forget what no longer protects
// anything (idempotency responses past 24 h, HRIS event ids past their retention).
import type { Db } from "../db/client.ts";
import { signingKeyOf } from "./derived-secrets.ts";
import type { Env } from "./env.ts";
import { purgeIdempotencyKeys } from "./store/idempotency.ts";
import { purgeProcessedEvents } from "./store/processed-events.ts";
import { deliverWebhooks } from "./webhook-delivery.ts";

/** Delivery rounds per cron run (50 events each); what is left waits for the next run. */
const DELIVERY_ROUNDS = 10;

export async function runApiUpkeep(db: Db, env: Env, now: Date) {
  const idempotencyKeys = await purgeIdempotencyKeys(db, now);
  const eventIds = await purgeProcessedEvents(db, now);
  let webhooks = 0;
  for (let round = 0; round < DELIVERY_ROUNDS; round++) {
    const delivery = await deliverWebhooks(db, fetch, new Date(), signingKeyOf(env));
    webhooks += delivery.sent + delivery.failed + delivery.retrying;
    if (delivery.sent + delivery.failed + delivery.retrying === 0) break;
  }
  console.log(
    `api upkeep: purged ${idempotencyKeys} idempotency keys, ${eventIds} event ids; ${webhooks} webhook attempts`,
  );
  return { idempotencyKeys, eventIds, webhooks };
}
