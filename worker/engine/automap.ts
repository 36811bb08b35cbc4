// Auto-map: proposes the data mapping table from an export's header and a sample of its rows.
// Columns → core fields by a synonym table, then existing segments/roles by name or by values, then
// new segments for columns that look like categories. Values → segment options by matching words.
// Everything here is a suggestion with a confidence and a reason: the admin reviews it.

import { resolveCountry } from "./countries.ts";
import { fold, normalizeHeader, slugify, tidy, words } from "./fold.ts";
import { CORE_FIELDS, type CoreField } from "./types.ts";

export {
  COUNTRIES,
  COUNTRY_REGIONS,
  type ContentRegion,
  type Country,
  defaultContentRegion,
  resolveCountry,
} from "./countries.ts";

export interface FieldInfo {
  key: string;
  label: string;
  kind: "segment" | "role";
  options: string[];
}

export interface ColumnSuggestion {
  column: string;
  /** A core field, an existing or new segment/role key, or null: ignore this column. */
  field: string | null;
  /** Meaningless when field is null (then "segment", the kind an admin most often picks by hand). */
  kind: "core" | "segment" | "role";
  /** 0..1: 1 is an exact synonym or name; below 0.6 deserves a look. */
  confidence: number;
  reason: string;
}

export interface ValueSuggestion {
  /** Trimmed HRIS value → existing or proposed option. */
  values: Record<string, string>;
  /** Options to create, in first-seen order, de-duplicated by fold and against existing options. */
  newOptions: string[];
  confidence: Record<string, number>;
}

// ---------------------------------------------------------------------------------------------
// Synonyms

/** A header spelling, alone (weight 1) or with a weight below 1 for spellings that usually, not always, mean the field. */
type Synonym = string | readonly [string, number];

// Per core field, the headers real exports use (BambooHR, Workday, HiBob, Personio, Google Workspace,
// Entra/Azure AD, generic spreadsheets), compared after normalizeHeader + fold. Order is preference:
// when two columns match a field equally well and are equally filled, the earlier spelling wins.
export const CORE_SYNONYMS: Readonly<Record<CoreField, readonly Synonym[]>> = {
  // Preferred before legal: people are addressed by the name they chose (Workday fills "Preferred"
  // with the legal name when there is none). A sparse preferred column still loses on fill.
  firstName: [
    "preferred first name",
    "preferred name first name",
    "first name",
    "given name",
    "firstname",
    "forename",
    "first",
    "fname",
    "legal first name",
    "legal name first name",
    ["preferred name", 0.8],
    ["known as", 0.8],
  ],
  lastName: [
    "preferred last name",
    "preferred name last name",
    "last name",
    "surname",
    "family name",
    "lastname",
    "last",
    "lname",
    "legal last name",
    "legal name last name",
  ],
  // `mail` before the UPN: the UPN is a sign-in name that is usually, not always, the mailbox.
  email: [
    "work email",
    "email",
    "primary work email",
    "work email address",
    "email address",
    "business email",
    "company email",
    "corporate email",
    "office email",
    "primary email",
    "mail",
    "email id",
    ["user principal name", 0.9],
    ["upn", 0.9],
  ],
  employeeId: [
    "employee id",
    "employee number",
    "employee no",
    "employeeid",
    "emp id",
    "emp no",
    "employee code",
    "employee reference",
    "worker id",
    "staff id",
    "staff number",
    "personnel number",
    "person number",
    "hris id",
    ["payroll number", 0.8],
    ["payroll id", 0.8],
    ["id", 0.6],
  ],
  jobTitle: [
    "job title",
    "business title",
    "title",
    "employee title",
    "position",
    "position title",
    "job position",
    "designation",
    "job",
    ["job profile", 0.8],
    ["job name", 0.8],
    ["job role", 0.8],
  ],
  // Ids and emails first: the approver is resolved by the manager's employee id or email.
  manager: [
    "manager employee id",
    "manager id",
    "manager email",
    "manager email address",
    "manager upn",
    "manager user principal name",
    "line manager email",
    "supervisor employee id",
    "supervisor id",
    "supervisor email",
    "reports to email",
    "reports to id",
    "manager",
    "line manager",
    "direct manager",
    "reporting manager",
    "reports to",
    "reporting to",
    "supervisor",
    "manager name",
    "supervisor name",
  ],
  // Workday has no "department": the supervisory organization is the closest thing.
  department: [
    "department",
    "department name",
    "dept",
    "work department",
    ["division", 0.8],
    ["business unit", 0.8],
    ["supervisory organization", 0.8],
    ["team", 0.7],
  ],
  location: [
    "location",
    "work location",
    "office location",
    "office",
    "site",
    "work site",
    "location name",
    "primary work location",
    "physical delivery office name",
    "workplace",
    "branch",
    ["building", 0.7],
    ["building id", 0.7],
    ["city", 0.7],
    ["work city", 0.7],
  ],
  // usageLocation is Entra's licensing country: right for nearly everyone, but not what HR maintains.
  country: [
    "country",
    "work country",
    "country code",
    "country region",
    "country or region",
    "location country",
    "work location country",
    "country of employment",
    "employment country",
    "country name",
    "address country",
    ["home country", 0.8],
    ["home address country", 0.8],
    ["usage location", 0.8],
  ],
  // "Hire Date" before "Original Hire Date": for a rehire the latest hire starts the current employment.
  startDate: [
    "start date",
    "hire date",
    "employee hire date",
    "date of hire",
    "date hired",
    "date of joining",
    "joining date",
    "join date",
    "date joined",
    "employment start date",
    "first day",
    "first working day",
    ["start", 0.9],
    ["original hire date", 0.9],
    ["seniority date", 0.8],
    ["continuous service date", 0.8],
    ["contract start date", 0.8],
  ],
  terminationDate: [
    "termination date",
    "term date",
    "date of termination",
    "termination effective date",
    "end date",
    "employment end date",
    "leave date",
    "leaving date",
    "date left",
    "last day",
    "last working day",
    "last day of work",
    "separation date",
    "exit date",
    "employee leave date time",
    ["contract end date", 0.8],
  ],
  employmentStatus: [
    "employment status",
    "status",
    "employee status",
    "worker status",
    "active status",
    "lifecycle status",
    "account enabled",
    "account status",
    "user status",
    "employment state",
    "active",
    "is active",
    "enabled",
  ],
};

// Words that make a header about someone or something else, whatever field words it also holds:
// "Manager Department", "Emergency Contact Email", "Previous Job Title", "Email Usage [READ ONLY]".
const OTHER_SUBJECT = [
  "manager",
  "supervisor",
  "reports",
  "reporting",
  "emergency",
  "contact",
  "spouse",
  "partner",
  "dependent",
  "previous",
  "former",
  "prior",
  "old",
  "usage",
  "storage",
  "sign",
  "login",
] as const;

// Per field, extra header words that mean "not this one" (checked only for non-exact matches).
const NOT_THIS: Readonly<Partial<Record<CoreField, readonly string[]>>> = {
  // Never identify a person by an address that is not their work mailbox.
  email: [
    "personal",
    "home",
    "private",
    "alternate",
    "alternative",
    "secondary",
    "recovery",
    "other",
    "backup",
    "authentication",
    "external",
    "forwarding",
  ],
  employeeId: ["object", "tax", "national", "social", "security", "passport", "external"],
  country: ["nationality", "citizenship", "birth", "passport", "issuing", "tax"],
  location: ["home", "birth"],
  startDate: [
    "probation",
    "review",
    "position",
    "job",
    "role",
    "assignment",
    "leave",
    "visa",
    "permit",
    "birth",
  ],
  terminationDate: [
    "probation",
    "review",
    "position",
    "job",
    "role",
    "assignment",
    "visa",
    "permit",
    "birth",
  ],
};

// Extra words that turn a field into something else ("Department Code", "Email Status") unless the
// field is itself an identifier: "Manager Person Number" is still the manager.
const QUALIFIERS = [
  "id",
  "code",
  "number",
  "no",
  "key",
  "type",
  "count",
  "flag",
  "date",
  "status",
  "title",
] as const;
const QUALIFIED_OK: ReadonlySet<CoreField> = new Set(["employeeId", "manager", "country"]);

/**
 * Below this a core match is not proposed. Confidence is header score × (0.5 + 0.5 × share of values
 * that look right), so an exact synonym needs a fifth of its values to fit: "Employment Status"
 * holding Full-Time/Part-Time with the odd "Terminated" is an employment type, not a status.
 */
const MIN_CORE_CONFIDENCE = 0.6;

// ---------------------------------------------------------------------------------------------
// What sample values look like

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ISO_OR_NUMERIC_DATE =
  /^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const DAY_MONTH_NAME = /^\d{1,2}[ -][A-Za-z]{3,9}\.?[ -]\d{2,4}$/;
const MONTH_NAME_DAY = /^[A-Za-z]{3,9}\.? \d{1,2},? \d{4}$/;
const PHONE = /^\+?[\d\s().-]{7,}$/;
const HONORIFICS: ReadonlySet<string> = new Set([
  "mr",
  "mrs",
  "ms",
  "miss",
  "mx",
  "dr",
  "prof",
  "sir",
  "madam",
]);
const FLAGS: ReadonlySet<string> = new Set(["true", "false", "yes", "no", "y", "n"]);
// Words an employment status is written with, across HRIS exports (BambooHR Active/Inactive, HiBob
// lifecycle, Workday worker status, Entra accountEnabled, Google Active/Suspended).
const STATUS_WORDS: ReadonlySet<string> = new Set([
  "active",
  "inactive",
  "terminated",
  "employed",
  "hired",
  "leave",
  "suspended",
  "enabled",
  "disabled",
  "deactivated",
  "true",
  "false",
  "yes",
  "no",
  "resigned",
  "retired",
  "left",
  "leaver",
  "pending",
  "withdrawn",
  "deceased",
  "notice",
  "onboarding",
  "offboarding",
  "former",
  "current",
  "1",
  "0",
]);

function isEmail(value: string): boolean {
  return EMAIL.test(value);
}

function isDate(value: string): boolean {
  return ISO_OR_NUMERIC_DATE.test(value) || DAY_MONTH_NAME.test(value) || MONTH_NAME_DAY.test(value);
}

function isPhone(value: string): boolean {
  return PHONE.test(value) && (value.match(/\d/g)?.length ?? 0) >= 7;
}

/** An identifier: one token with a digit in it ("E1042", "100234", "ACME-0042"). */
function isIdLike(value: string): boolean {
  return !/\s/.test(value) && /\d/.test(value) && value.length <= 40 && !isEmail(value);
}

/** Per-value plausibility (0..1) of a sample value for a core field. */
const VALUE_FIT: Readonly<Record<CoreField, (value: string) => number>> = {
  firstName: (v) => (/\p{L}/u.test(v) && !/[\d@]/.test(v) ? 1 : 0),
  lastName: (v) => (/\p{L}/u.test(v) && !/[\d@]/.test(v) ? 1 : 0),
  email: (v) => (isEmail(v) ? 1 : 0),
  employeeId: (v) => (isIdLike(v) ? 1 : 0),
  jobTitle: (v) => (HONORIFICS.has(fold(v)) || isEmail(v) ? 0 : 1),
  // Names resolve less reliably than ids and emails: prefer the column that gives one.
  manager: (v) => (isEmail(v) || isIdLike(v) ? 1 : 0.7),
  department: (v) => (isEmail(v) || isDate(v) ? 0 : 1),
  location: (v) => (isEmail(v) || isDate(v) ? 0 : 1),
  country: (v) => (resolveCountry(v) ? 1 : 0),
  startDate: (v) => (isDate(v) ? 1 : 0),
  terminationDate: (v) => (isDate(v) ? 1 : 0),
  employmentStatus: (v) => (words(v).some((w) => STATUS_WORDS.has(w)) ? 1 : 0),
};

// ---------------------------------------------------------------------------------------------
// Columns

interface Column {
  index: number;
  name: string;
  header: string;
  key: string;
  words: ReadonlySet<string>;
  /** Non-empty trimmed sample values. */
  values: string[];
  /** Share of sample rows with a value; 1 when there are no sample rows to judge by. */
  fill: number;
}

interface Candidate {
  column: number;
  field: string;
  kind: ColumnSuggestion["kind"];
  confidence: number;
  /** For ranking between columns after confidence: lower is the more preferred spelling. */
  rank: number;
  reason: string;
}

/**
 * Suggests a field for each column. `samples` are data rows (same shape as Table.rows); `fields` are
 * the tenant's segments and roles with their options. One suggestion per column, in column order.
 */
export function suggestColumns(
  columns: string[],
  samples: string[][],
  fields: FieldInfo[],
): ColumnSuggestion[] {
  const cols = columns.map((name, index) => describeColumn(name, index, samples));
  const result: (ColumnSuggestion | null)[] = cols.map(skipReason);
  const open = cols.filter((c) => result[c.index] === null);

  const existing = new Map(open.map((c) => [c.index, bestExistingField(c, fields)] as const));
  const coreCandidates = open.flatMap((c) => coreCandidatesFor(c, existing.get(c.index) ?? null));
  const lost = assignUnique(coreCandidates, result, cols);

  const existingCandidates = open.flatMap((c) => {
    const found = result[c.index] ? null : existing.get(c.index);
    return found ? [found] : [];
  });
  assignUnique(existingCandidates, result, cols);

  const takenKeys = new Set(fields.map((f) => f.key));
  for (const c of cols) {
    if (result[c.index]) continue;
    result[c.index] = leftover(c, lost.get(c.index), takenKeys);
  }
  return result.map((s, i) => s ?? ignore(columns[i] ?? "", "no suggestion"));
}

function describeColumn(name: string, index: number, samples: string[][]): Column {
  const header = normalizeHeader(name);
  const raw = samples.map((row) => (row[index] ?? "").trim());
  const values = raw.filter(Boolean);
  return {
    index,
    name,
    header,
    key: fold(header),
    words: new Set(words(header)),
    values,
    fill: raw.length === 0 ? 1 : values.length / raw.length,
  };
}

/** `confidence` is how sure we are the column should be ignored. */
function ignore(column: string, reason: string, confidence = 1): ColumnSuggestion {
  return { column, field: null, kind: "segment", confidence, reason };
}

/** Columns never mapped automatically, whatever their values. */
function skipReason(c: Column): ColumnSuggestion | null {
  if (!c.key) return ignore(c.name, "The column has no header.");
  // Google Workspace's download repeats its upload template: these columns are always empty.
  if (/\[\s*upload only\s*\]/i.test(c.name)) {
    return ignore(c.name, "Upload-only column of the export template: always empty.");
  }
  return null;
}

// ---- core fields

function coreCandidatesFor(c: Column, existing: Candidate | null): Candidate[] {
  const found: Candidate[] = [];
  for (const field of CORE_FIELDS) {
    const match = headerMatch(c, field);
    if (!match) continue;
    const confidence = round(match.score * (0.5 + 0.5 * valueFit(c, field)));
    if (confidence < MIN_CORE_CONFIDENCE) continue;
    found.push({ column: c.index, field, kind: "core", confidence, rank: match.rank, reason: match.reason });
  }
  // The tenant's own segment wins when it is the surer match: a segment named exactly like the
  // column beats a looser core synonym ("Business Unit"), but an exact core synonym keeps the column
  // ("Department" stays core even when a "Department" segment exists).
  const best = Math.max(0, ...found.map((f) => f.confidence));
  return existing && existing.confidence > best ? [] : found;
}

interface HeaderMatch {
  score: number;
  rank: number;
  reason: string;
}

const SYNONYM_INDEX: ReadonlyMap<
  CoreField,
  readonly { key: string; words: string[]; weight: number; text: string }[]
> = new Map(
  CORE_FIELDS.map((field) => [
    field,
    CORE_SYNONYMS[field].map((s) => {
      const [text, weight] = typeof s === "string" ? [s, 1] : s;
      return { key: fold(text), words: words(text), weight, text };
    }),
  ]),
);

function headerMatch(c: Column, field: CoreField): HeaderMatch | null {
  const synonyms = SYNONYM_INDEX.get(field) ?? [];
  const exact = synonyms.findIndex((s) => s.key === c.key);
  const exactSynonym = synonyms[exact];
  if (exactSynonym) {
    return { score: exactSynonym.weight, rank: exact, reason: `Header matches "${exactSynonym.text}".` };
  }
  if (!allowedExtras(c, field)) return null;
  let best: HeaderMatch | null = null;
  synonyms.forEach((s, rank) => {
    // One-word synonyms ("job", "title", "site") are too common inside other headers to count.
    if (s.words.length < 2 || !s.words.every((w) => c.words.has(w))) return;
    // Contained synonyms score by how much of the header they explain: "Employee Work Email" is
    // mostly "work email"; never as sure as an exact synonym.
    const score = (0.5 + (0.4 * s.words.length) / c.words.size) * s.weight;
    if (!best || score > best.score) best = { score, rank, reason: `Header contains "${s.text}".` };
  });
  return best;
}

function allowedExtras(c: Column, field: CoreField): boolean {
  const fieldWords = new Set((SYNONYM_INDEX.get(field) ?? []).flatMap((s) => s.words));
  const extras = [...c.words].filter((w) => !fieldWords.has(w));
  const banned = new Set<string>(NOT_THIS[field] ?? []);
  if (field !== "manager") for (const w of OTHER_SUBJECT) banned.add(w);
  if (!QUALIFIED_OK.has(field)) for (const w of QUALIFIERS) banned.add(w);
  return !extras.some((w) => banned.has(w));
}

function valueFit(c: Column, field: CoreField): number {
  if (c.values.length === 0) return 1;
  const plausibility = VALUE_FIT[field];
  return c.values.reduce((sum, v) => sum + plausibility(v), 0) / c.values.length;
}

// ---- existing segments and roles

function bestExistingField(c: Column, fields: FieldInfo[]): Candidate | null {
  let best: Candidate | null = null;
  for (const f of fields) {
    for (const candidate of [byLabel(c, f), byValues(c, f)]) {
      if (candidate && (!best || candidate.confidence > best.confidence)) best = candidate;
    }
  }
  return best;
}

function byLabel(c: Column, f: FieldInfo): Candidate | null {
  const label = normalizeHeader(f.label);
  if (fold(label) === c.key || slugify(c.name) === f.key) {
    return {
      column: c.index,
      field: f.key,
      kind: f.kind,
      confidence: 1,
      rank: 0,
      reason: `Same name as the ${f.kind} "${f.label}".`,
    };
  }
  const score = jaccard(c.words, new Set(words(label)));
  // Half the words in common ("Job Function" ~ "Function"): a lead, never a certainty.
  if (score < 0.5) return null;
  return {
    column: c.index,
    field: f.key,
    kind: f.kind,
    confidence: round(0.4 + 0.4 * score),
    rank: 1,
    reason: `Name resembles the ${f.kind} "${f.label}".`,
  };
}

// At least half the column's distinct values already being options means it is the same list;
// fewer can be coincidence ("Yes", "Other").
const MIN_VALUE_OVERLAP = 0.5;

function byValues(c: Column, f: FieldInfo): Candidate | null {
  if (f.options.length === 0) return null;
  const values = f.kind === "role" ? c.values.flatMap((v) => v.split(/[,;|]/)) : c.values;
  const distinct = distinctByFold(values);
  if (distinct.length === 0) return null;
  const matcher = optionMatcher(f.options);
  const matched = distinct.filter((v) => matcher(v) !== null).length;
  const ratio = matched / distinct.length;
  if (ratio < MIN_VALUE_OVERLAP) return null;
  return {
    column: c.index,
    field: f.key,
    kind: f.kind,
    // Values alone are weaker evidence than a name: capped below a name match.
    confidence: round(0.9 * ratio),
    rank: 2,
    reason: `${matched} of ${distinct.length} values match options of the ${f.kind} "${f.label}".`,
  };
}

// ---- assignment

/**
 * Gives each field to the best column that wants it: higher confidence, then fuller column, then the
 * more preferred spelling, then the earlier column. Returns, for columns left without a field, the
 * field they lost and to whom.
 */
function assignUnique(
  candidates: Candidate[],
  result: (ColumnSuggestion | null)[],
  cols: Column[],
): Map<number, { field: string; winner: string }> {
  const strength = (x: Candidate) => x.confidence * (0.75 + 0.25 * (cols[x.column]?.fill ?? 1));
  const sorted = [...candidates].sort(
    (a, b) => strength(b) - strength(a) || a.rank - b.rank || a.column - b.column,
  );
  const owner = new Map<string, number>();
  const lost = new Map<number, { field: string; winner: string }>();
  for (const x of sorted) {
    if (result[x.column]) continue;
    const taken = owner.get(x.field);
    if (taken !== undefined) {
      if (!lost.has(x.column)) lost.set(x.column, { field: x.field, winner: cols[taken]?.name ?? "" });
      continue;
    }
    owner.set(x.field, x.column);
    result[x.column] = {
      column: cols[x.column]?.name ?? "",
      field: x.field,
      kind: x.kind,
      confidence: x.confidence,
      reason: x.reason,
    };
  }
  for (const index of owner.values()) lost.delete(index);
  return lost;
}

// ---- columns no field claimed

const CORE_SET: ReadonlySet<string> = new Set(CORE_FIELDS);

function isCore(field: string): field is CoreField {
  return CORE_SET.has(field);
}

// Header words of columns that are never a useful segment: contact details, credentials, activity.
const NOT_A_CATEGORY = [
  "password",
  "phone",
  "telephone",
  "mobile",
  "fax",
  "street",
  "address",
  "postal",
  "zip",
  "postcode",
  "sign",
  "login",
  "usage",
  "storage",
  "photo",
  "url",
  "linkedin",
  "object",
  "guid",
  "uuid",
  "consent",
] as const;
// Personal data a mentoring match must not use unless an admin decides to, deliberately.
const SENSITIVE = [
  "birth",
  "birthday",
  "dob",
  "age",
  "salary",
  "pay",
  "compensation",
  "ssn",
  "national",
  "passport",
  "gender",
  "sex",
  "ethnicity",
  "race",
  "religion",
  "disability",
  "marital",
  "nationality",
] as const;
const MAX_NEW_OPTIONS = 100;
// A category repeats: at most 60% as many distinct values as rows (department 9 of 35 rows, not
// job title 31 of 35). Below that, values are free text or identifiers.
const MAX_DISTINCT_SHARE = 0.6;

function leftover(
  c: Column,
  lost: { field: string; winner: string } | undefined,
  takenKeys: Set<string>,
): ColumnSuggestion {
  if (lost) {
    const field = isCore(lost.field) ? normalizeHeader(lost.field).toLowerCase() : lost.field;
    return ignore(
      c.name,
      `"${lost.winner}" is a better match for ${field}; map this column by hand if you need it.`,
      0.9,
    );
  }
  const why = notCategoryReason(c);
  if (why) return ignore(c.name, why, 0.8);
  const key = uniqueKey(slugify(c.name), takenKeys);
  takenKeys.add(key);
  const distinct = distinctByFold(c.values).length;
  return {
    column: c.name,
    field: key,
    kind: "segment",
    // A new segment is a guess: 0.4–0.7, higher the more the values repeat.
    confidence: round(0.4 + 0.3 * (1 - distinct / c.values.length)),
    reason: `New segment: ${distinct} distinct values look like categories.`,
  };
}

function notCategoryReason(c: Column): string | null {
  if (c.words.size > 0 && NOT_A_CATEGORY.some((w) => c.words.has(w)))
    return "Contact, account or activity data, not a category.";
  if (SENSITIVE.some((w) => c.words.has(w)))
    return "Sensitive personal data: map it deliberately if a programme needs it.";
  if (c.values.length === 0) return "Empty in this export.";
  return valuesReason(c.values);
}

function valuesReason(values: string[]): string | null {
  const share = (test: (v: string) => boolean) => values.filter(test).length / values.length;
  if (share(isEmail) > 0.5) return "Values are email addresses, not categories.";
  if (share(isDate) > 0.5) return "Values are dates, not categories.";
  if (share(isPhone) > 0.5) return "Values are phone numbers, not categories.";
  const distinct = distinctByFold(values);
  if (distinct.every((v) => FLAGS.has(fold(v)))) return "A yes/no flag, not a category.";
  if (distinct.length < 2) return "The same value on every row: nothing to segment by.";
  if (distinct.length > MAX_NEW_OPTIONS || distinct.length > values.length * MAX_DISTINCT_SHARE) {
    return "Mostly distinct values (free text or identifiers), not categories.";
  }
  return null;
}

function uniqueKey(base: string, taken: ReadonlySet<string>): string {
  const key = base || "segment";
  if (!taken.has(key)) return key;
  let n = 2;
  while (taken.has(`${key}-${n}`)) n++;
  return `${key}-${n}`;
}

// ---------------------------------------------------------------------------------------------
// Values

// Words that say what kind of group a value is, not which one ("Engineering Team" ≡ "Engineering"),
// and connectives ("Research and Development" ≡ "Research & Development").
const NOISE_WORDS: ReadonlySet<string> = new Set([
  "and",
  "of",
  "the",
  "for",
  "de",
  "team",
  "department",
  "dept",
  "group",
  "division",
  "unit",
  "office",
]);

// Word-overlap (Jaccard) needed to map a value to an option that does not fold equal. 0.6 lets one
// extra word on a two-word name through ("Customer Success" ~ "Customer Success Management", 2/3)
// but never maps a one-word value onto a two-word option or back ("Sales" vs "Sales Operations",
// 1/2), where the second word usually names a different team.
export const VALUE_MATCH_THRESHOLD = 0.6;
/** Jaccard matches are never as sure as an exact fold. */
const MAX_OVERLAP_CONFIDENCE = 0.95;
/** A value mapped to an option that does not exist yet: proposed, to be reviewed. */
const NEW_OPTION_CONFIDENCE = 0.5;

function significantWords(value: string): Set<string> {
  const all = words(value);
  const kept = all.filter((w) => !NOISE_WORDS.has(w));
  return new Set(kept.length > 0 ? kept : all);
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  return shared / (a.size + b.size - shared);
}

interface OptionMatch {
  option: string;
  confidence: number;
}

/** Finds an option for a value: equal fold (1), else the best word overlap above the threshold. */
function optionMatcher(options: readonly string[]): (value: string) => OptionMatch | null {
  const byFold = new Map<string, string>();
  for (const o of options) if (!byFold.has(fold(o))) byFold.set(fold(o), o);
  const wordSets = options.map((o) => ({ option: o, words: significantWords(o) }));
  return (value) => {
    const exact = byFold.get(fold(value));
    if (exact !== undefined) return { option: exact, confidence: 1 };
    const valueWords = significantWords(value);
    let best: OptionMatch | null = null;
    // Ties go to the option listed first: the admin's order is the only tie-breaker we have.
    for (const o of wordSets) {
      const score = jaccard(valueWords, o.words);
      if (score >= VALUE_MATCH_THRESHOLD && (!best || score > best.confidence)) {
        best = { option: o.option, confidence: score };
      }
    }
    return best
      ? { option: best.option, confidence: round(Math.min(best.confidence, MAX_OVERLAP_CONFIDENCE)) }
      : null;
  };
}

/**
 * Maps each distinct HRIS value to an existing option, or to a proposed new option. New options are
 * the values themselves, tidied, first spelling winning among values that match each other.
 */
export function suggestValues(values: string[], options: string[]): ValueSuggestion {
  const result: ValueSuggestion = { values: {}, newOptions: [], confidence: {} };
  const existing = optionMatcher(options);
  for (const raw of values) {
    const value = raw.trim();
    if (!value || Object.hasOwn(result.values, value)) continue;
    const match = existing(value) ?? proposed(result.newOptions, value);
    result.values[value] = match.option;
    result.confidence[value] = match.confidence;
  }
  return result;
}

function proposed(newOptions: string[], value: string): OptionMatch {
  const match = optionMatcher(newOptions)(value);
  if (match) return { option: match.option, confidence: NEW_OPTION_CONFIDENCE };
  const option = tidy(value);
  newOptions.push(option);
  return { option, confidence: NEW_OPTION_CONFIDENCE };
}

function distinctByFold(values: string[]): string[] {
  const seen = new Map<string, string>();
  for (const v of values) {
    const t = v.trim();
    if (t && !seen.has(fold(t))) seen.set(fold(t), t);
  }
  return [...seen.values()];
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
