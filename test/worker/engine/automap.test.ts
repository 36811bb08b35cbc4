import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  CORE_SYNONYMS,
  COUNTRIES,
  COUNTRY_REGIONS,
  type ColumnSuggestion,
  defaultContentRegion,
  type FieldInfo,
  resolveCountry,
  suggestColumns,
  suggestValues,
  VALUE_MATCH_THRESHOLD,
} from "../../../worker/engine/automap.ts";
import { parseCsv } from "../../../worker/engine/parse.ts";
import { CORE_FIELDS } from "../../../worker/engine/types.ts";

/** One column, no samples: the header alone decides. */
function suggestOne(header: string): ColumnSuggestion {
  const [s] = suggestColumns([header], [], []);
  if (!s) throw new Error("no suggestion");
  return s;
}

/** Builds sample rows from columns of values (all the same length). */
function rowsOf(...columns: string[][]): string[][] {
  const length = Math.max(...columns.map((c) => c.length));
  return Array.from({ length }, (_, r) => columns.map((c) => c[r] ?? ""));
}

function byColumn(suggestions: ColumnSuggestion[]): Record<string, ColumnSuggestion> {
  return Object.fromEntries(suggestions.map((s) => [s.column, s]));
}

const emails = (n: number, domain = "acme.example") =>
  Array.from({ length: n }, (_, i) => `person${i}@${domain}`);
const names = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken"];

describe("suggestColumns: core synonyms", () => {
  // Every spelling named in the issue, the vendor exports' real headers, and at least one per field.
  it.each([
    // email
    ["Work Email", "email", 1],
    ["E-mail", "email", 1],
    ["Email Address", "email", 1],
    ["Primary Work Email", "email", 1],
    ["userPrincipalName", "email", 0.9],
    ["Email", "email", 1],
    ["mail", "email", 1],
    ["Email Address [Required]", "email", 1],
    ["E-Mail Address", "email", 1],
    ["work_email", "email", 1],
    // employee id
    ["Employee #", "employeeId", 1],
    ["Employee ID", "employeeId", 1],
    ["Worker ID", "employeeId", 1],
    ["Employee_ID", "employeeId", 1],
    ["employeeId", "employeeId", 1],
    ["Employee Number", "employeeId", 1],
    ["Emp. No.", "employeeId", 1],
    ["Personnel Number", "employeeId", 1],
    // manager
    ["Reporting to", "manager", 1],
    ["Manager", "manager", 1],
    ["Supervisor", "manager", 1],
    ["Manager Email", "manager", 1],
    ["Manager Employee ID", "manager", 1],
    ["Reports to", "manager", 1],
    ["Line Manager", "manager", 1],
    // start date
    ["Hire Date", "startDate", 1],
    ["Start date", "startDate", 1],
    ["Original Hire Date", "startDate", 0.9],
    ["employeeHireDate", "startDate", 1],
    ["Date of Joining", "startDate", 1],
    ["Hire Date (MM/DD/YYYY)", "startDate", 1],
    // first and last name
    ["First Name", "firstName", 1],
    ["First name", "firstName", 1],
    ["Legal First Name", "firstName", 1],
    ["Preferred First Name", "firstName", 1],
    ["Legal Name - First Name", "firstName", 1],
    ["givenName", "firstName", 1],
    ["First Name [Required]", "firstName", 1],
    ["Preferred Name", "firstName", 0.8],
    ["Last Name", "lastName", 1],
    ["Last name", "lastName", 1],
    ["Legal Last Name", "lastName", 1],
    ["surname", "lastName", 1],
    ["Family Name", "lastName", 1],
    ["Last Name [Required]", "lastName", 1],
    // job title
    ["Job Title", "jobTitle", 1],
    ["Business Title", "jobTitle", 1],
    ["Employee Title", "jobTitle", 1],
    ["jobTitle", "jobTitle", 1],
    ["Title", "jobTitle", 1],
    ["Position", "jobTitle", 1],
    ["Job Profile", "jobTitle", 0.8],
    // department
    ["Department", "department", 1],
    ["department", "department", 1],
    ["Dept.", "department", 1],
    ["Division", "department", 0.8],
    ["Supervisory Organization", "department", 0.8],
    // location
    ["Location", "location", 1],
    ["Site", "location", 1],
    ["Work Location", "location", 1],
    ["officeLocation", "location", 1],
    ["physicalDeliveryOfficeName", "location", 1],
    ["Building ID", "location", 0.7],
    // country
    ["Country", "country", 1],
    ["Work Country", "country", 1],
    ["Country/Region", "country", 1],
    ["country", "country", 1],
    ["usageLocation", "country", 0.8],
    // termination date
    ["Termination Date", "terminationDate", 1],
    ["Term Date", "terminationDate", 1],
    ["End Date", "terminationDate", 1],
    ["Last Day", "terminationDate", 1],
    ["employeeLeaveDateTime", "terminationDate", 1],
    // employment status
    ["Status", "employmentStatus", 1],
    ["Employment Status", "employmentStatus", 1],
    ["Worker Status", "employmentStatus", 1],
    ["Active Status", "employmentStatus", 1],
    ["Lifecycle status", "employmentStatus", 1],
    ["accountEnabled", "employmentStatus", 1],
    ["Status [READ ONLY]", "employmentStatus", 1],
  ])("%j → %s (confidence %d)", (header, field, confidence) => {
    const s = suggestOne(header);
    expect(s).toMatchObject({ column: header, field, kind: "core", confidence });
    expect(s.reason).toMatch(/header matches/i);
  });

  it("has synonyms for every core field, each first spelling mapping back to its field", () => {
    for (const field of CORE_FIELDS) {
      const first = CORE_SYNONYMS[field][0];
      const header = typeof first === "string" ? first : (first?.[0] ?? "");
      expect(suggestOne(header).field).toBe(field);
    }
  });

  it("never lists one spelling under two fields", () => {
    const seen = new Map<string, string>();
    for (const field of CORE_FIELDS) {
      for (const s of CORE_SYNONYMS[field]) {
        const text = typeof s === "string" ? s : s[0];
        expect(seen.get(text), text).toBeUndefined();
        seen.set(text, field);
      }
    }
  });

  it.each([
    ["Employee Work Email", "email"],
    ["Supervisor Email Address", "manager"],
    ["Current Job Title", "jobTitle"],
  ])("%j contains a synonym → %s with a confidence below 1", (header, field) => {
    const s = suggestOne(header);
    expect(s.field).toBe(field);
    expect(s.confidence).toBeGreaterThanOrEqual(0.6);
    expect(s.confidence).toBeLessThan(1);
    expect(s.reason).toMatch(/header contains/i);
  });

  it.each([
    ["Personal Email", "email"],
    ["Home Email", "email"],
    ["Recovery Email", "email"],
    ["Work Secondary Email", "email"],
    ["alternateEmailAddress", "email"],
    ["authenticationEmail", "email"],
    ["Email Usage [READ ONLY]", "email"],
    ["New Primary Email [UPLOAD ONLY]", "email"],
    ["objectId", "employeeId"],
    ["Manager First Name", "firstName"],
    ["Manager Department", "department"],
    ["Department Code", "department"],
    ["Nationality", "country"],
    ["Country of Birth", "country"],
    ["Probation End Date", "terminationDate"],
    ["Position Start Date", "startDate"],
    ["Last Sign In [READ ONLY]", "lastName"],
    ["Previous Job Title", "jobTitle"],
    ["Worker", "employeeId"],
    ["Job Function", "jobTitle"],
    ["Job Level", "jobTitle"],
    ["Site Code", "location"],
  ])("%j is not %s", (header, field) => {
    expect(suggestOne(header).field).not.toBe(field);
  });
});

describe("suggestColumns: two columns for one core field", () => {
  it.each([[["Personal Email", "Work Email"]], [["Work Email", "Personal Email"]]])(
    "work email beats personal email in %j",
    (columns) => {
      const rows = rowsOf(emails(8, "acme.example"), emails(8, "gmail.example"));
      const ordered = columns[0] === "Work Email" ? rows : rows.map((r) => [...r].reverse());
      const s = byColumn(suggestColumns(columns, ordered, []));
      expect(s["Work Email"]).toMatchObject({ field: "email", kind: "core" });
      expect(s["Personal Email"]?.field).toBeNull();
    },
  );

  it("a personal email alone is never used as the identity", () => {
    expect(suggestColumns(["Personal Email"], rowsOf(emails(6)), [])[0]?.field).toBeNull();
  });

  it("preferred names beat legal names when both are filled", () => {
    const columns = ["Legal First Name", "Legal Last Name", "Preferred First Name", "Preferred Last Name"];
    const s = byColumn(suggestColumns(columns, rowsOf(names, names, names, names), []));
    expect(s["Preferred First Name"]?.field).toBe("firstName");
    expect(s["Preferred Last Name"]?.field).toBe("lastName");
    expect(s["Legal First Name"]?.field).toBeNull();
    expect(s["Legal First Name"]?.reason).toMatch(/"Preferred First Name" is a better match for first name/);
  });

  it("a mostly empty preferred name loses to the legal name", () => {
    const sparse = names.map((n, i) => (i === 0 ? n : ""));
    const s = byColumn(
      suggestColumns(["Preferred First Name", "Legal First Name"], rowsOf(sparse, names), []),
    );
    expect(s["Legal First Name"]?.field).toBe("firstName");
    expect(s["Preferred First Name"]?.field).toBeNull();
  });

  it("BambooHR's nickname-style Preferred Name loses to First Name", () => {
    const nick = ["", "", "Maggie", "", "", "", "", ""];
    const s = byColumn(suggestColumns(["First Name", "Preferred Name"], rowsOf(names, nick), []));
    expect(s["First Name"]?.field).toBe("firstName");
    expect(s["Preferred Name"]?.field).toBeNull();
  });

  it("a manager id beats a manager name: the approver is resolved by id or email", () => {
    const ids = ["E1", "E1", "E2", "E2", "E3", "E3"];
    const mgrNames = ["Ada L", "Ada L", "Alan T", "Alan T", "Grace H", "Grace H"];
    const s = byColumn(suggestColumns(["Manager", "Manager Employee ID"], rowsOf(mgrNames, ids), []));
    expect(s["Manager Employee ID"]?.field).toBe("manager");
    expect(s.Manager?.field).toBeNull();
  });

  it("a manager given by name still maps, with a lower confidence", () => {
    const s = suggestColumns(["Reports to"], rowsOf(["Ada Lovelace", "Alan Turing"]), [])[0];
    expect(s).toMatchObject({ field: "manager", confidence: 0.85 });
  });

  it("mail beats userPrincipalName", () => {
    const s = byColumn(suggestColumns(["userPrincipalName", "mail"], rowsOf(emails(5), emails(5)), []));
    expect(s.mail?.field).toBe("email");
    expect(s.userPrincipalName?.field).toBeNull();
  });

  it("a status column beats an employment-type column called Employment Status", () => {
    const status = [
      "Active",
      "Active",
      "Inactive",
      "Active",
      "Active",
      "Active",
      "Active",
      "Active",
      "Active",
      "Active",
    ];
    const type = ["Full-Time", "Part-Time", "Terminated", "Full-Time", "Full-Time", "Contractor"];
    type.push("Full-Time", "Full-Time", "Part-Time", "Full-Time");
    const s = byColumn(suggestColumns(["Employment Status", "Status"], rowsOf(type, status), []));
    expect(s.Status?.field).toBe("employmentStatus");
    expect(s["Employment Status"]).toMatchObject({ field: "employment-status", kind: "segment" });
  });

  it("Hire Date beats Original Hire Date", () => {
    const dates = ["2024-01-02", "2023-05-06", "2022-03-04"];
    const s = byColumn(suggestColumns(["Original Hire Date", "Hire Date"], rowsOf(dates, dates), []));
    expect(s["Hire Date"]?.field).toBe("startDate");
    expect(s["Original Hire Date"]?.field).toBeNull();
  });

  it("the fuller of two equal spellings wins", () => {
    const half = emails(6).map((e, i) => (i % 2 ? e : ""));
    const s = byColumn(suggestColumns(["Email", "Work Email"], rowsOf(half, emails(6)), []));
    expect(s["Work Email"]?.field).toBe("email");
    expect(s.Email?.field).toBeNull();
  });

  it("between equal columns the earlier one wins", () => {
    const s = suggestColumns(["E-mail", "Email"], rowsOf(emails(3), emails(3)), []);
    expect(s.map((x) => x.field)).toEqual(["email", null]);
  });

  it("each core field is given to one column at most", () => {
    const columns = ["Email", "Work Email", "E-mail", "mail", "Email Address"];
    const s = suggestColumns(columns, rowsOf(...columns.map(() => emails(4))), []);
    expect(s.filter((x) => x.field === "email")).toHaveLength(1);
  });
});

describe("suggestColumns: sample values", () => {
  it("a Title column of honorifics is not a job title", () => {
    const s = suggestColumns(["Title"], rowsOf(["Mr", "Ms", "Dr", "Mr", "Ms", "Mrs"]), [])[0];
    expect(s?.field).not.toBe("jobTitle");
  });

  it("an Email column without addresses is not the email", () => {
    const s = suggestColumns(["Email"], rowsOf(["yes", "no", "yes", "yes"]), [])[0];
    expect(s?.field).not.toBe("email");
  });

  it("a country column whose values are countries keeps confidence 1", () => {
    const s = suggestColumns(["Country"], rowsOf(["GB", "Germany", "USA", "Deutschland"]), [])[0];
    expect(s).toMatchObject({ field: "country", confidence: 1 });
  });

  it("an empty core column still maps (a termination date is blank for everyone employed)", () => {
    const s = suggestColumns(["Termination Date"], rowsOf(["", "", ""]), [])[0];
    expect(s).toMatchObject({ field: "terminationDate", kind: "core" });
  });
});

describe("suggestColumns: segments and roles", () => {
  const fields: FieldInfo[] = [
    { key: "seniority", label: "Seniority", kind: "segment", options: ["Junior", "Mid", "Senior", "Lead"] },
    { key: "business-unit", label: "Business unit", kind: "segment", options: ["Hardware", "Software"] },
    { key: "department", label: "Department", kind: "segment", options: ["Engineering", "Sales"] },
    {
      key: "discipline",
      label: "Discipline",
      kind: "segment",
      options: ["Engineering", "Design", "Sales & Marketing"],
    },
    { key: "roles", label: "Programme roles", kind: "role", options: ["Mentor", "Mentee"] },
  ];

  it("maps a column to the segment of the same name with confidence 1", () => {
    const s = suggestColumns(["seniority"], rowsOf(["Senior", "Junior", "Senior"]), fields)[0];
    expect(s).toMatchObject({ field: "seniority", kind: "segment", confidence: 1 });
  });

  it("a segment named exactly like the column beats a weaker core synonym", () => {
    const s = suggestColumns(["Business Unit"], rowsOf(["Hardware", "Software"]), fields)[0];
    expect(s).toMatchObject({ field: "business-unit", kind: "segment" });
  });

  it("an exact core synonym beats a segment of the same name", () => {
    const s = suggestColumns(["Department"], rowsOf(["Engineering", "Sales"]), fields)[0];
    expect(s).toMatchObject({ field: "department", kind: "core" });
  });

  it("maps a column to the segment whose options its values match", () => {
    const values = ["engineering", "Design", "marketing & sales", "Engineering", "Design"];
    const s = suggestColumns(["Job Function"], rowsOf(values), fields)[0];
    expect(s).toMatchObject({ field: "discipline", kind: "segment", confidence: 0.9 });
    expect(s?.reason).toMatch(/3 of 3 values match/);
  });

  it("scales the confidence with the share of matching values", () => {
    const values = ["Engineering", "Design", "Legal", "Finance", "Engineering", "Design"];
    const s = suggestColumns(["Practice"], rowsOf(values), fields)[0];
    expect(s).toMatchObject({ field: "discipline", confidence: 0.45 });
  });

  it("below half the values matching, proposes a new segment instead", () => {
    const values = [
      "Engineering",
      "Legal",
      "Finance",
      "Support",
      "Engineering",
      "Legal",
      "Finance",
      "Support",
    ];
    const s = suggestColumns(["Practice"], rowsOf(values), fields)[0];
    expect(s).toMatchObject({ field: "practice", kind: "segment" });
    expect(s?.reason).toMatch(/new segment/i);
  });

  it("suggests a segment whose name shares half the words, with a middling confidence", () => {
    const s = suggestColumns(["Seniority Band"], rowsOf(["B1", "B2", "B1", "B2"]), fields)[0];
    expect(s).toMatchObject({ field: "seniority", kind: "segment", confidence: 0.6 });
    expect(s?.reason).toMatch(/resembles/);
  });

  it("prefers a segment whose options the values match over a weaker core synonym", () => {
    const groups: FieldInfo[] = [
      { key: "org", label: "Org", kind: "segment", options: ["Technology", "G&A"] },
    ];
    const values = ["Technology", "G&A", "Technology", "Technology"];
    const s = byColumn(
      suggestColumns(["Department", "Division"], rowsOf(["Eng", "Fin", "Eng", "Eng"], values), groups),
    );
    expect(s.Department).toMatchObject({ field: "department", kind: "core" });
    expect(s.Division).toMatchObject({ field: "org", kind: "segment", confidence: 0.9 });
  });

  it("maps multi-valued role columns to a role", () => {
    const s = suggestColumns(["Programme"], rowsOf(["Mentor; Mentee", "Mentee", "Mentor"]), fields)[0];
    expect(s).toMatchObject({ field: "roles", kind: "role" });
  });

  it("gives an existing segment to one column only", () => {
    const s = suggestColumns(
      ["Level", "Seniority"],
      rowsOf(["Senior", "Junior", "Senior", "Junior"], ["Senior", "Junior", "Lead", "Lead"]),
      fields,
    );
    expect(s.map((x) => x.field)).toEqual(["level", "seniority"]);
  });
});

describe("suggestColumns: columns no field claims", () => {
  const rows = 12;
  const cycle = (values: string[]) => Array.from({ length: rows }, (_, i) => values[i % values.length] ?? "");

  it.each([
    ["Cost Center", ["CC-100", "CC-200", "CC-300"], "cost-center"],
    ["Org Unit Path [Required]", ["/Engineering", "/Sales"], "org-unit-path"],
    ["Worker_Type", ["Employee", "Contingent Worker"], "worker-type"],
  ])("%j with repeating values becomes the new segment %j", (column, values, key) => {
    const s = suggestColumns([column], rowsOf(cycle(values)), [])[0];
    expect(s).toMatchObject({ column, field: key, kind: "segment" });
    expect(s?.confidence).toBeGreaterThanOrEqual(0.4);
    expect(s?.confidence).toBeLessThanOrEqual(0.7);
  });

  it("treats an existing field's key as its name, and never reuses a key for a new segment", () => {
    const fields: FieldInfo[] = [{ key: "cost-center", label: "Budget", kind: "segment", options: ["X"] }];
    const s = suggestColumns(
      ["Cost Center", "Cost_Center"],
      rowsOf(cycle(["A", "B"]), cycle(["C", "D"])),
      fields,
    );
    expect(s[0]).toMatchObject({
      field: "cost-center",
      confidence: 1,
      reason: 'Same name as the segment "Budget".',
    });
    expect(s[1]).toMatchObject({ field: "cost-center-2", kind: "segment" });
  });

  it.each([
    ["", cycle(["A", "B"]), /no header/],
    ["Display Name", Array.from({ length: rows }, (_, i) => `Person ${i}`), /distinct/],
    ["Backup Contact", emails(rows), /email addresses/],
    ["Last Review", cycle(["2025-01-02", "2025-06-30"]), /dates/],
    ["Desk", cycle(["+44 20 7946 0001", "+44 20 7946 0002"]), /phone numbers/],
    ["2sv Enrolled [READ ONLY]", cycle(["True", "False"]), /yes\/no/],
    ["userType", cycle(["Member"]), /same value/],
    ["Mobile Phone", cycle(["1", "2"]), /contact/i],
    ["Gender", cycle(["F", "M", "X"]), /sensitive/i],
    ["Date of Birth", cycle(["1990-01-01"]), /sensitive/i],
    ["Floor Name", cycle([""]), /empty/i],
    ["Password Hash Function [UPLOAD ONLY]", cycle(["x", "y"]), /upload-only/i],
  ])("ignores %j", (column, values, reason) => {
    const s = suggestColumns([column], rowsOf(values), [])[0];
    expect(s?.field).toBeNull();
    expect(s?.reason).toMatch(reason);
  });

  it("returns one suggestion per column, in order", () => {
    const columns = ["Work Email", "Cost Center", "", "Notes"];
    const s = suggestColumns(columns, [], []);
    expect(s.map((x) => x.column)).toEqual(columns);
  });
});

describe("suggestValues", () => {
  const options = [
    "Sales & Marketing",
    "Research and Development",
    "São Paulo",
    "Customer Success",
    "Engineering",
  ];

  it.each([
    ["marketing, SALES", "Sales & Marketing"],
    ["SAO PAULO", "São Paulo"],
    ["customer-success", "Customer Success"],
    ["  Engineering ", "Engineering"],
  ])("%j folds to the option %j (confidence 1)", (value, option) => {
    const r = suggestValues([value], options);
    expect(r.values[value.trim()]).toBe(option);
    expect(r.confidence[value.trim()]).toBe(1);
    expect(r.newOptions).toEqual([]);
  });

  it.each([
    ["Research & Development", "Research and Development", 0.95],
    ["sales and marketing", "Sales & Marketing", 0.95],
    ["Engineering Team", "Engineering", 0.95],
    ["Customer Success Management", "Customer Success", 0.67],
  ])("%j overlaps the option %j (confidence %d)", (value, option, confidence) => {
    const r = suggestValues([value], options);
    expect(r.values[value]).toBe(option);
    expect(r.confidence[value]).toBe(confidence);
    expect(r.newOptions).toEqual([]);
  });

  it("matches at the threshold and not below it", () => {
    expect(VALUE_MATCH_THRESHOLD).toBe(0.6);
    // 3 shared words of 5: exactly 0.6.
    const at = suggestValues(["Core Platform Services Infra"], ["Core Platform Services Ops"]);
    expect(at.values["Core Platform Services Infra"]).toBe("Core Platform Services Ops");
    expect(at.confidence["Core Platform Services Infra"]).toBe(0.6);
    // 1 shared word of 2: 0.5, a different team.
    const below = suggestValues(["Sales"], ["Sales Operations"]);
    expect(below.values.Sales).toBe("Sales");
    expect(below.newOptions).toEqual(["Sales"]);
  });

  it("proposes unmatched values as new options, de-duplicated by fold, first spelling winning", () => {
    const r = suggestValues(
      ["Berlin", "berlin ", "BERLIN", "  New   York ", "new york", "Lisbon", "", "   ", "Lisbon"],
      ["London"],
    );
    expect(r.newOptions).toEqual(["Berlin", "New York", "Lisbon"]);
    expect(r.values).toEqual({
      Berlin: "Berlin",
      berlin: "Berlin",
      BERLIN: "Berlin",
      "New   York": "New York",
      "new york": "New York",
      Lisbon: "Lisbon",
    });
    expect(Object.values(r.confidence).every((c) => c === 0.5)).toBe(true);
  });

  it("never proposes an option that already exists", () => {
    const r = suggestValues(["london", "LONDON ", "Lōndon"], ["London"]);
    expect(r.newOptions).toEqual([]);
    expect(new Set(Object.values(r.values))).toEqual(new Set(["London"]));
  });

  it("maps a value that overlaps an earlier proposal to that proposal", () => {
    const r = suggestValues(["Platform Engineering", "Platform Engineering Team"], []);
    expect(r.newOptions).toEqual(["Platform Engineering"]);
    expect(r.values["Platform Engineering Team"]).toBe("Platform Engineering");
  });

  it("breaks ties by option order", () => {
    const r = suggestValues(["Field Ops"], ["Ops Field", "Field Ops"]);
    expect(r.values["Field Ops"]).toBe("Ops Field");
  });

  it("maps one HRIS spelling of departments onto another's options", () => {
    const bamboo = ["Engineering", "People & Culture", "Research & Development", "Customer Success"];
    const hibob = ["engineering", "People and Culture", "R&D", "Customer Success"];
    const r = suggestValues(hibob, bamboo);
    expect(r.values).toEqual({
      engineering: "Engineering",
      "People and Culture": "People & Culture",
      "R&D": "R&D",
      "Customer Success": "Customer Success",
    });
    expect(r.newOptions).toEqual(["R&D"]);
  });
});

describe("countries", () => {
  it.each([
    ["GB", "GB"],
    ["gb", "GB"],
    ["GBR", "GB"],
    ["United Kingdom", "GB"],
    ["UK", "GB"],
    ["U.K.", "GB"],
    ["England", "GB"],
    ["DE", "DE"],
    ["DEU", "DE"],
    ["Germany", "DE"],
    ["Deutschland", "DE"],
    ["US", "US"],
    ["USA", "US"],
    ["U.S.A.", "US"],
    ["United States of America", "US"],
    ["united states", "US"],
    ["España", "ES"],
    ["espana", "ES"],
    ["Türkiye", "TR"],
    ["Turkey", "TR"],
    ["Korea, Republic of", "KR"],
    ["South Korea", "KR"],
    ["The Netherlands", "NL"],
    ["Holland", "NL"],
    ["Czech Republic", "CZ"],
    ["UAE", "AE"],
    ["Brasil", "BR"],
    ["México", "MX"],
    ["IND", "IN"],
    ["  Japan ", "JP"],
    ["London, UK", "GB"],
    ["Germany (DE)", "DE"],
    ["GB - United Kingdom", "GB"],
  ])("%j → %s", (value, code) => {
    expect(resolveCountry(value)?.code).toBe(code);
  });

  it("returns the English name with the code", () => {
    expect(resolveCountry("deu")).toEqual({ code: "DE", name: "Germany" });
  });

  it.each(["", "   ", "Atlantis", "XX", "XYZ", "Remote", "EMEA"])("%j → null", (value) => {
    expect(resolveCountry(value)).toBeNull();
  });

  it("covers the EU, the usual employer countries, and 60+ in all", () => {
    const eu = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split(" ");
    const others = "GB US CA MX BR AR IN CN JP KR SG AU NZ ZA AE IL TR CH NO".split(" ");
    for (const code of [...eu, ...others]) expect(COUNTRY_REGIONS[code], code).toBeDefined();
    expect(COUNTRIES.length).toBeGreaterThanOrEqual(60);
  });

  it("resolves every spelling in the table to its own country (no spelling shared)", () => {
    for (const c of COUNTRIES) {
      for (const spelling of [c.code, c.alpha3, c.name, ...c.aliases]) {
        expect(resolveCountry(spelling)?.code, spelling).toBe(c.code);
      }
    }
    expect(new Set(COUNTRIES.map((c) => c.code)).size).toBe(COUNTRIES.length);
    expect(new Set(COUNTRIES.map((c) => c.alpha3)).size).toBe(COUNTRIES.length);
  });

  it.each([
    ["GB", "EMEA"],
    ["de", "EMEA"],
    ["AE", "EMEA"],
    ["ZA", "EMEA"],
    ["IL", "EMEA"],
    ["US", "AMER"],
    ["BR", "AMER"],
    ["CA", "AMER"],
    ["IN", "APAC"],
    ["JP", "APAC"],
    ["AU", "APAC"],
    ["SG", "APAC"],
  ])("defaultContentRegion(%j) is %s", (code, region) => {
    expect(defaultContentRegion(code)).toBe(region);
  });

  it("has no default region for a code it does not know", () => {
    expect(defaultContentRegion("XX")).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// The example exports: auto-map must get every core field right with no manual correction.

const EXAMPLES: Record<string, Record<string, string>> = {
  "bamboohr.csv": {
    "Employee #": "employeeId",
    "First Name": "firstName",
    "Last Name": "lastName",
    "Work Email": "email",
    "Job Title": "jobTitle",
    Department: "department",
    Location: "location",
    Country: "country",
    "Reporting to": "manager",
    "Hire Date": "startDate",
    Status: "employmentStatus",
    "Termination Date": "terminationDate",
  },
  "workday.csv": {
    Employee_ID: "employeeId",
    Preferred_First_Name: "firstName",
    Preferred_Last_Name: "lastName",
    Primary_Work_Email: "email",
    Business_Title: "jobTitle",
    Supervisory_Organization: "department",
    Manager_Employee_ID: "manager",
    Location: "location",
    Work_Country: "country",
    Hire_Date: "startDate",
    Termination_Date: "terminationDate",
    Worker_Status: "employmentStatus",
  },
  "hibob.csv": {
    "Employee ID": "employeeId",
    "First name": "firstName",
    "Last name": "lastName",
    Email: "email",
    "Job title": "jobTitle",
    Department: "department",
    Site: "location",
    "Reports to": "manager",
    "Start date": "startDate",
    "Termination date": "terminationDate",
    "Lifecycle status": "employmentStatus",
  },
  "google-workspace.csv": {
    "First Name [Required]": "firstName",
    "Last Name [Required]": "lastName",
    "Email Address [Required]": "email",
    "Status [READ ONLY]": "employmentStatus",
    "Employee ID": "employeeId",
    "Employee Title": "jobTitle",
    "Manager Email": "manager",
    Department: "department",
    "Building ID": "location",
  },
  "entra.csv": {
    surname: "lastName",
    mail: "email",
    givenName: "firstName",
    jobTitle: "jobTitle",
    department: "department",
    accountEnabled: "employmentStatus",
    country: "country",
    physicalDeliveryOfficeName: "location",
    employeeId: "employeeId",
    employeeHireDate: "startDate",
  },
};

// Columns that look like a core field but must stay out of it.
const DECOYS: Record<string, string[]> = {
  "bamboohr.csv": ["Preferred Name", "Home Email", "Division", "Employment Status"],
  "workday.csv": ["Legal_First_Name", "Legal_Last_Name", "Manager", "Original_Hire_Date", "Job_Profile"],
  "hibob.csv": ["Personal email", "Display name"],
  "google-workspace.csv": ["Recovery Email", "Work Secondary Email", "New Primary Email [UPLOAD ONLY]"],
  "entra.csv": ["userPrincipalName", "usageLocation", "city", "objectId", "alternateEmailAddress"],
};

function readExample(name: string) {
  const bytes = readFileSync(new URL(`../../../examples/${name}`, import.meta.url));
  return { bytes, ...parseCsv(new Uint8Array(bytes)) };
}

describe.each(Object.keys(EXAMPLES))("examples/%s", (name) => {
  const { bytes, table } = readExample(name);
  const suggestions = suggestColumns(table.columns, table.rows, []);
  const expected = EXAMPLES[name] ?? {};

  it("holds 25–40 people, each with a work email", () => {
    expect(table.rows.length).toBeGreaterThanOrEqual(25);
    expect(table.rows.length).toBeLessThanOrEqual(40);
    const emailColumn = table.columns.indexOf(
      Object.keys(expected).find((c) => expected[c] === "email") ?? "",
    );
    for (const row of table.rows)
      expect(row[emailColumn]?.trim()).toMatch(/^[^\s@]+@acmerobotics\.example$/i);
  });

  it("auto-maps every core field present, and nothing else, to core", () => {
    const core = Object.fromEntries(
      suggestions.filter((s) => s.kind === "core" && s.field).map((s) => [s.column, s.field]),
    );
    expect(core).toEqual(expected);
  });

  it("leaves the look-alike columns out of core fields", () => {
    const s = byColumn(suggestions);
    for (const column of DECOYS[name] ?? []) {
      expect(table.columns, column).toContain(column);
      expect(s[column]?.kind === "core" && s[column]?.field !== null, column).toBe(false);
    }
  });

  it("has country values that all resolve", () => {
    const column = Object.keys(expected).find((c) => expected[c] === "country");
    if (!column) return;
    const index = table.columns.indexOf(column);
    for (const row of table.rows) expect(resolveCountry(row[index] ?? ""), row[index]).not.toBeNull();
  });

  it("is shaped like the real export", () => {
    const text = new TextDecoder().decode(bytes);
    if (name === "workday.csv") {
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(text.split("\n")[0]).toContain(";");
      expect(text).toMatch(/;\d{2}\/\d{2}\/\d{4};/);
    }
    // The report builder's empty trailing column: a blank header and blank cells.
    if (name === "bamboohr.csv")
      expect(text.split("\n").every((line) => !line || /,\r?$/.test(line))).toBe(true);
    if (name === "entra.csv")
      expect(text.split("\n")[0]?.startsWith("userPrincipalName,displayName,surname,mail")).toBe(true);
  });
});

it("examples contain the promised messiness somewhere", () => {
  const all = Object.keys(EXAMPLES).map((name) => new TextDecoder().decode(readExample(name).bytes));
  const text = all.join("\n");
  expect(text).toMatch(/"VP, Sales"/); // quoted value with a comma
  expect(text).toMatch(/[ ,]\s+\S*@AcmeRobotics\.example|[A-Z]\S*@acmerobotics\.example\s+,/); // case and spaces
  expect(text).toMatch(/Björn|Zoë|Tomás/); // accents
  expect(text).toMatch(/Terminated|Inactive|Suspended/); // leavers
  expect(text).toMatch(/2026-12-07|12\/07\/2026|07\/12\/2026/); // the future starter
});
