// Is a tenant due? Its cron, read in its time zone, fired since its last scheduled run. The
// worker's own cron ticks every TICK_MINUTES (wrangler.toml), so a schedule fires at the first
// tick at or after its time; ticks that were missed are caught up by one run, not one per miss.
import { occurrenceBetween, parseCron } from "./cron.ts";

/** The worker's cron interval: keep in step with wrangler.toml `[triggers]`. */
export const TICK_MINUTES = 15;

/**
 * The occurrence a run at `now` would be for, or null when the tenant is not due. A tenant that
 * never ran looks back one tick only: configuring a schedule does not fire it at once.
 */
export function dueOccurrence(
  schedule: { cron: string; timeZone: string },
  lastRunAt: Date | null,
  now: Date,
): Date | null {
  const since = lastRunAt ?? new Date(now.getTime() - TICK_MINUTES * 60_000);
  return occurrenceBetween(parseCron(schedule.cron), schedule.timeZone, since, now);
}
