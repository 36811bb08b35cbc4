// Checks a standard 5-field cron expression (minute hour day-of-month month day-of-week), the
// form Cloudflare Cron Triggers accept, so a tenant's schedule is refused when saved, not at 08:00.

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  {
    name: "month",
    min: 1,
    max: 12,
    names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
  },
  // 0 and 7 are both Sunday.
  { name: "day of week", min: 0, max: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
];

/** What is wrong with `expression`, in a sentence; null when it is a valid 5-field cron. */
export function cronProblem(expression: string): string | null {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) {
    return `A schedule has 5 fields (minute hour day-of-month month day-of-week), not ${parts.length}: e.g. "0 8 * * 1-5".`;
  }
  for (const [i, spec] of FIELDS.entries()) {
    const problem = fieldProblem(parts[i] ?? "", spec);
    if (problem) return `The ${spec.name} field "${parts[i]}" ${problem}.`;
  }
  return null;
}

function fieldProblem(field: string, spec: FieldSpec): string | null {
  for (const item of field.split(",")) {
    const problem = itemProblem(item, spec);
    if (problem) return problem;
  }
  return null;
}

function itemProblem(item: string, spec: FieldSpec): string | null {
  const [range = "", step, extra] = item.split("/");
  if (extra !== undefined) return "has more than one step";
  if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1 && Number(step) <= spec.max)) {
    return `has a step "${step}" that is not a number from 1 to ${spec.max}`;
  }
  if (range === "*") return null;
  const bounds = range.split("-");
  if (bounds.length > 2) return `has a range "${range}" with more than two ends`;
  const values = bounds.map((b) => tokenValue(b, spec));
  if (values.some((v) => v === null)) {
    const allowed = spec.names ? ` or ${spec.names[0]}–${spec.names.at(-1)}` : "";
    return `needs numbers from ${spec.min} to ${spec.max}${allowed}`;
  }
  const [low, high] = values as number[];
  if (high !== undefined && low !== undefined && low > high)
    return `has a range "${range}" that runs backwards`;
  return null;
}

function tokenValue(token: string, spec: FieldSpec): number | null {
  const named = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  if (named >= 0) return named + (spec.name === "month" ? 1 : 0);
  if (!/^\d{1,2}$/.test(token)) return null;
  const n = Number(token);
  return n >= spec.min && n <= spec.max ? n : null;
}
