// A tenant's 5-field cron read in its time zone: when did it last fire? The expression was
// checked when it was saved (worker/cron-syntax.ts); this reads it. Day-of-month and day-of-week
// both restricted means either may match, as in Vixie cron and Cloudflare.
import { instantOf, type WallTime, wallClock } from "./wall-clock.ts";

export interface CronSpec {
  /** Descending, so the latest time of a day is tried first. */
  minutes: number[];
  hours: number[];
  daysOfMonth: Set<number>;
  months: Set<number>;
  /** 0 = Sunday (7 is read as 0). */
  daysOfWeek: Set<number>;
  domRestricted: boolean;
  dowRestricted: boolean;
}

const MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const DAY_MS = 86_400_000;
/** How far back an occurrence is looked for: a leap-day schedule fires once in four years. */
const MAX_LOOKBACK_DAYS = 1_500;

export function parseCron(expression: string): CronSpec {
  const [minute = "", hour = "", dom = "", month = "", dow = ""] = expression.trim().split(/\s+/);
  const descending = (values: Set<number>) => [...values].sort((a, b) => b - a);
  return {
    minutes: descending(expand(minute, 0, 59)),
    hours: descending(expand(hour, 0, 23)),
    daysOfMonth: expand(dom, 1, 31),
    months: expand(month, 1, 12, MONTH_NAMES, 1),
    daysOfWeek: new Set([...expand(dow, 0, 7, DAY_NAMES, 0)].map((d) => d % 7)),
    domRestricted: !dom.startsWith("*"),
    dowRestricted: !dow.startsWith("*"),
  };
}

function expand(field: string, min: number, max: number, names: string[] = [], base = 0): Set<number> {
  const value = (token: string) => {
    const named = names.indexOf(token.toUpperCase());
    return named >= 0 ? named + base : Number(token);
  };
  const values = new Set<number>();
  for (const item of field.split(",")) {
    const [range = "*", stepText] = item.split("/");
    const step = stepText ? Number(stepText) : 1;
    let [low, high] = bounds(range, min, max, value);
    // "5/15" means from 5 to the end, in steps of 15.
    if (stepText && range !== "*" && !range.includes("-")) high = max;
    for (let v = low; v <= high; v += step) values.add(v);
  }
  return values;
}

function bounds(range: string, min: number, max: number, value: (t: string) => number): [number, number] {
  if (range === "*") return [min, max];
  const [from = "", to] = range.split("-");
  return [value(from), value(to ?? from)];
}

/**
 * The latest time the schedule fired in `timeZone` at or before `now` and strictly after `after`;
 * null when it did not fire in between.
 */
export function occurrenceBetween(spec: CronSpec, timeZone: string, after: Date, now: Date): Date | null {
  if (now <= after) return null;
  const local = wallClock(now, timeZone);
  const today = dayNumber(local);
  const stop = Math.max(dayNumber(wallClock(after, timeZone)) - 1, today - MAX_LOOKBACK_DAYS);
  for (let day = today; day >= stop; day--) {
    const date = new Date(day * DAY_MS);
    if (!dayMatches(spec, date)) continue;
    const found = latestOnDay(spec, timeZone, date, day === today ? local : null, now);
    if (found === undefined) continue;
    return found > after ? found : null;
  }
  return null;
}

/** The latest occurrence on this local date not after `now`; undefined when there is none. */
function latestOnDay(
  spec: CronSpec,
  timeZone: string,
  date: Date,
  localNow: WallTime | null,
  now: Date,
): Date | undefined {
  for (const hour of spec.hours) {
    if (localNow && hour > localNow.hour) continue;
    for (const minute of spec.minutes) {
      if (localNow && hour === localNow.hour && minute > localNow.minute) continue;
      const wall = {
        year: date.getUTCFullYear(),
        month: date.getUTCMonth() + 1,
        day: date.getUTCDate(),
        hour,
        minute,
      };
      const instant = instantOf(wall, timeZone);
      if (instant <= now) return instant;
    }
  }
  return undefined;
}

function dayMatches(spec: CronSpec, date: Date): boolean {
  if (!spec.months.has(date.getUTCMonth() + 1)) return false;
  const dom = spec.daysOfMonth.has(date.getUTCDate());
  const dow = spec.daysOfWeek.has(date.getUTCDay());
  if (spec.domRestricted && spec.dowRestricted) return dom || dow;
  return dom && dow;
}

/** Days since 1970-01-01 of a local calendar date. */
function dayNumber(wall: WallTime): number {
  return Math.floor(Date.UTC(wall.year, wall.month - 1, wall.day) / DAY_MS);
}
