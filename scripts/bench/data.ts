// A synthetic HRIS export for the benchmark, deterministic for a given size: 20 columns shaped
// like BambooHR's, departments and countries skewed the way real companies are (a few large, a
// long tail), a management tree, and the next export a week later: 5% of people changed, 1%
// leavers (half marked terminated, half simply gone), 1% new hires, and a few bad rows.
import type { MappingColumn } from "../../db/schema.ts";

export const COLUMNS = [
  "Employee ID",
  "First Name",
  "Last Name",
  "Preferred Name",
  "Work Email",
  "Personal Email",
  "Job Title",
  "Department",
  "Division",
  "Location",
  "Country",
  "Manager ID",
  "Hire Date",
  "Status",
  "Employment Type",
  "Termination Date",
  "Cost Center",
  "Seniority",
  "Work Phone",
  "Team",
] as const;

type Column = (typeof COLUMNS)[number];

/** What the admin mapped: core fields, two segments; phone, personal email and the like ignored. */
export const MAPPING: MappingColumn[] = COLUMNS.map((column) => {
  const core: Partial<Record<Column, string>> = {
    "Employee ID": "employeeId",
    "First Name": "firstName",
    "Last Name": "lastName",
    "Work Email": "email",
    "Job Title": "jobTitle",
    Department: "department",
    Location: "location",
    Country: "country",
    "Manager ID": "manager",
    "Hire Date": "startDate",
    Status: "employmentStatus",
    "Termination Date": "terminationDate",
  };
  const segment: Partial<Record<Column, string>> = { Division: "division", Seniority: "seniority" };
  const field = core[column] ?? segment[column] ?? null;
  return {
    column,
    field,
    kind: core[column] || !field ? "core" : "segment",
    visibility: "public",
    values: {},
    reviewed: true,
  };
});

const FIRST = [
  "Ada",
  "Grace",
  "Alan",
  "Margaret",
  "Tomás",
  "Priya",
  "Jonas",
  "Chen",
  "Fatima",
  "Olu",
  "Sofia",
  "Lukas",
  "Aiko",
  "Mateo",
  "Zoë",
  "Björn",
  "Amara",
  "Ravi",
  "Ines",
  "Kwame",
  "Léa",
  "Noah",
  "Yuki",
  "Elena",
  "Omar",
  "Hannah",
  "Diego",
  "Mei",
  "Sven",
  "Nadia",
];
const LAST = [
  "Okafor",
  "Álvarez",
  "Raghunathan",
  "Weber",
  "Smith",
  "Nakamura",
  "García",
  "Müller",
  "Johnson",
  "Kowalski",
  "Dubois",
  "Rossi",
  "Silva",
  "Kim",
  "Nguyen",
  "O'Brien",
  "Andersson",
  "Haddad",
  "Patel",
  "Novak",
  "Jensen",
  "Costa",
  "Moreau",
  "Schmidt",
  "Lopez",
  "Ivanova",
  "Brown",
  "Tanaka",
  "Ali",
  "Berg",
];
const DEPARTMENTS = [
  "Engineering",
  "Sales",
  "Customer Success",
  "Operations",
  "Manufacturing",
  "Finance",
  "Marketing",
  "Human Resources",
  "Legal",
  "Product",
  "Design",
  "Research",
  "Supply Chain",
  "Quality",
  "IT",
  "Security",
  "Facilities",
  "Procurement",
  "Data",
  "Support",
  "Training",
  "Communications",
  "Partnerships",
  "Strategy",
  "Internal Audit",
  "Risk",
  "Compliance",
  "Logistics",
  "Field Service",
  "Executive",
];
const DIVISIONS = ["Technology", "Go-to-Market", "G&A", "Operations"];
const PLACES: [country: string, cities: string[]][] = [
  ["United States", ["Austin", "New York", "Seattle", "Chicago", "Denver"]],
  ["India", ["Bangalore", "Pune", "Hyderabad"]],
  ["Germany", ["Berlin", "Munich", "Hamburg"]],
  ["United Kingdom", ["London", "Manchester"]],
  ["Brazil", ["São Paulo", "Rio de Janeiro"]],
  ["France", ["Paris", "Lyon"]],
  ["Japan", ["Tokyo", "Osaka"]],
  ["Spain", ["Madrid", "Barcelona"]],
  ["Canada", ["Toronto", "Vancouver"]],
  ["Poland", ["Warsaw", "Kraków"]],
  ["Mexico", ["Mexico City"]],
  ["Netherlands", ["Amsterdam"]],
  ["Australia", ["Sydney", "Melbourne"]],
  ["Singapore", ["Singapore"]],
  ["Sweden", ["Stockholm"]],
  ["Ireland", ["Dublin"]],
  ["Italy", ["Milan", "Rome"]],
  ["South Africa", ["Cape Town"]],
  ["Kenya", ["Nairobi"]],
  ["Nigeria", ["Lagos"]],
];
const LEVELS = ["Junior", "Mid-level", "Senior", "Staff", "Principal"];
const TITLES = [
  "Analyst",
  "Engineer",
  "Specialist",
  "Manager",
  "Coordinator",
  "Associate",
  "Lead",
  "Consultant",
];
const TYPES = ["Full-Time", "Part-Time", "Contractor"];

/** Mulberry32: a small fast PRNG, so a size always gives the same file. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Zipf-like: index 0 most often, the tail rarely. */
function skewed(rand: () => number, n: number): number {
  return Math.min(n - 1, Math.floor(n * rand() ** 2.2));
}

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)] as T;
}

interface Person {
  n: number;
  cells: string[];
}

function hireDate(rand: () => number): string {
  const year = 2005 + Math.floor(rand() * 20);
  const month = 1 + Math.floor(rand() * 12);
  const day = 1 + Math.floor(rand() * 28);
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

function ascii(value: string): string {
  return value
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .replace(/[^A-Za-z]/g, "")
    .toLowerCase();
}

function person(n: number, rand: () => number, managerOf: (n: number) => number | null): Person {
  const first = pick(rand, FIRST);
  const last = pick(rand, LAST);
  const department = DEPARTMENTS[skewed(rand, DEPARTMENTS.length)] as string;
  const [country, cities] = PLACES[skewed(rand, PLACES.length)] as [string, string[]];
  const manager = managerOf(n);
  const level = pick(rand, LEVELS);
  const cells = [
    `E${100000 + n}`,
    first,
    last,
    rand() < 0.1 ? first.slice(0, 3) : "",
    `${ascii(first)}.${ascii(last)}.${n}@bigcorp.example`,
    rand() < 0.5 ? `${ascii(first)}${n}@mail.example` : "",
    `${level} ${pick(rand, TITLES)}`,
    department,
    DIVISIONS[DEPARTMENTS.indexOf(department) % DIVISIONS.length] as string,
    pick(rand, cities),
    country,
    manager === null ? "" : `E${100000 + manager}`,
    hireDate(rand),
    "Active",
    TYPES[skewed(rand, TYPES.length)] as string,
    "",
    `CC-${String(100 + DEPARTMENTS.indexOf(department)).padStart(3, "0")}`,
    level,
    `+1 555 ${String(1000000 + n).slice(-7)}`,
    `${department} ${1 + Math.floor(rand() * 12)}`,
  ];
  return { n, cells };
}

/** Managers: person 1 runs the company; each next person reports to someone hired before them. */
function managerFor(rand: () => number): (n: number) => number | null {
  return (n) => {
    if (n <= 1) return null;
    // Most people report to one of the first tenth (the managers); the top ones to person 1.
    const pool = Math.max(1, Math.floor((n - 1) / 10));
    return 1 + Math.floor(rand() * Math.min(pool, n - 1));
  };
}

export interface Exports {
  /** The snapshot the tenant already holds (its previous export). */
  previous: string;
  /** This week's export. */
  current: string;
  /** What the current export should plan, roughly: for the printout. */
  expected: { changed: number; terminated: number; gone: number; hired: number; bad: number };
  /** Employee ids of people in both exports, unchanged, for the event benchmark. */
  steady: string[];
  columns: readonly string[];
}

function csvLine(cells: string[]): string {
  return cells.map((c) => (/[",\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(",");
}

const COL = Object.fromEntries(COLUMNS.map((c, i) => [c, i])) as Record<Column, number>;

/** The previous export of `rows` people and the current one, derived from it. */
export function generateExports(rows: number, seed = 42): Exports {
  const rand = random(seed);
  const managerOf = managerFor(rand);
  const people: Person[] = [];
  for (let n = 1; n <= rows; n++) people.push(person(n, rand, managerOf));
  const previous = [COLUMNS.join(","), ...people.map((p) => csvLine(p.cells))].join("\n");

  const expected = { changed: 0, terminated: 0, gone: 0, hired: 0, bad: 0 };
  const steady: string[] = [];
  const current: string[] = [COLUMNS.join(",")];
  const change = random(seed + 1);
  for (const p of people) {
    const cells = [...p.cells];
    const roll = change();
    // Person 1..10% are managers: they stay, so the tree stays whole.
    const isManager = p.n <= Math.max(1, rows / 10);
    if (roll < 0.005 && !isManager) {
      expected.gone++;
      continue;
    }
    if (roll < 0.01 && !isManager) {
      cells[COL.Status] = "Terminated";
      cells[COL["Termination Date"]] = "2025-01-31";
      expected.terminated++;
    } else if (roll < 0.06) {
      const what = Math.floor(change() * 4);
      if (what === 0) cells[COL["Job Title"]] = `${pick(change, LEVELS)} ${pick(change, TITLES)} II`;
      if (what === 1) cells[COL.Department] = DEPARTMENTS[skewed(change, DEPARTMENTS.length)] as string;
      if (what === 2)
        cells[COL.Seniority] = pick(change, LEVELS) === cells[COL.Seniority] ? "Staff" : "Principal";
      if (what === 3) cells[COL.Location] = `${cells[COL.Location]} (remote)`;
      expected.changed++;
    } else if (steady.length < 5_000) {
      steady.push(cells[COL["Employee ID"]] as string);
    }
    // Unmapped columns drift too (phones, teams): they must not make an update.
    if (change() < 0.05) cells[COL["Work Phone"]] = `+1 555 ${String(2000000 + p.n).slice(-7)}`;
    current.push(csvLine(cells));
  }
  const hires = Math.max(1, Math.round(rows * 0.01));
  for (let i = 1; i <= hires; i++) {
    const hire = person(rows + i, change, managerOf);
    hire.cells[COL["Hire Date"]] = "2025-06-02";
    current.push(csvLine(hire.cells));
    expected.hired++;
  }
  // Bad rows: an address that is not one, an unreadable date, and a person listed twice.
  const bad = Math.max(3, Math.round(rows * 0.001));
  for (let i = 0; i < bad; i++) {
    const broken = person(rows + hires + 1 + i, change, managerOf).cells;
    if (i % 3 === 0) broken[COL["Work Email"]] = `not-an-address-${i}`;
    if (i % 3 === 1) broken[COL["Hire Date"]] = "31/31/2024";
    if (i % 3 === 2) broken[COL["Employee ID"]] = `E${100000 + rows - i}`;
    current.push(csvLine(broken));
    expected.bad++;
  }
  return { previous, current: current.join("\n"), expected, steady, columns: COLUMNS };
}
