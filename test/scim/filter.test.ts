// The SCIM filter grammar (RFC 7644 §3.4.2.2) and its evaluation against resources: every operator,
// precedence, value paths, case rules from the schema, and the errors a client gets for bad input.
import { describe, expect, it } from "vitest";
import { matches, valuesAt } from "../../worker/scim/evaluate.ts";
import { type Filter, FilterSyntaxError, parseFilter, parsePath } from "../../worker/scim/filter.ts";
import { ENTERPRISE_USER, GROUP_SCHEMAS, userSchemas } from "../../worker/scim/schemas.ts";

const schemas = userSchemas([
  { key: "seniority", label: "Seniority", kind: "segment", visibility: "public", options: ["Senior"] },
]);

const ada = {
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  id: "2819c223-7f76-453a-919d-413861904646",
  externalId: "E1024",
  userName: "Ada.Lovelace@Example.com",
  name: { givenName: "Ada", familyName: "Lovelace", formatted: "Ada Lovelace" },
  displayName: "Ada Lovelace",
  title: "Engineer",
  active: true,
  emails: [
    { value: "ada@example.com", type: "work", primary: true },
    { value: "ada@home.example", type: "home" },
  ],
  [ENTERPRISE_USER]: { employeeNumber: "E1024", department: "R&D", manager: { value: "m-1" } },
  "urn:profile-sync:scim:schemas:extension:segments:2.0:User": { seniority: "Senior" },
  meta: { resourceType: "User", lastModified: "2026-03-02T09:30:00.000Z" },
};

const test = (text: string) => matches(parseFilter(text), ada, schemas);

describe("parseFilter", () => {
  it("reads an attribute expression", () => {
    expect(parseFilter('userName eq "bjensen"')).toEqual({
      kind: "compare",
      path: { urn: null, attr: "userName" },
      op: "eq",
      value: "bjensen",
    });
  });

  it("reads operators and keywords in any case", () => {
    expect(parseFilter('userName EQ "x" AND title Pr')).toEqual(parseFilter('userName eq "x" and title pr'));
  });

  it("binds and tighter than or, and parentheses override it", () => {
    const loose = parseFilter('title pr or userName eq "a" and active eq true') as Extract<
      Filter,
      { left: Filter }
    >;
    expect(loose.kind).toBe("or");
    expect(loose.right.kind).toBe("and");
    const grouped = parseFilter('(title pr or userName eq "a") and active eq true');
    expect(grouped.kind).toBe("and");
  });

  it("reads not, numbers, booleans, null and escaped strings", () => {
    const filter = parseFilter('not (userName eq "a \\"b\\"") and x gt 1.5e2 and y eq false and z eq null');
    expect(JSON.stringify(filter)).toContain('a \\"b\\"');
    expect(JSON.stringify(filter)).toContain("150");
    expect(JSON.stringify(filter)).toContain('"value":false');
    expect(JSON.stringify(filter)).toContain('"value":null');
  });

  it("reads URN-qualified attributes, sub-attributes and value paths", () => {
    expect(parseFilter(`${ENTERPRISE_USER}:manager.value eq "m-1"`)).toMatchObject({
      path: { urn: ENTERPRISE_USER, attr: "manager", sub: "value" },
    });
    expect(parseFilter('emails[type eq "work"].value eq "ada@example.com"')).toMatchObject({
      kind: "compare",
      path: { attr: "emails", sub: "value", filter: { kind: "compare", op: "eq", value: "work" } },
    });
    expect(parseFilter('emails[type eq "work" and value co "@example.com"]')).toMatchObject({
      kind: "present",
      path: { attr: "emails", filter: { kind: "and" } },
    });
  });

  it.each([
    ["", "is empty"],
    ['userName eq "open', "never closed"],
    ["userName eq", "ends too early"],
    ['userName xx "a"', "expected an operator"],
    ['userName eq "a" and', "ends too early"],
    ['(userName eq "a"', 'expected ")"'],
    ["userName eq bare", "expected a value"],
    ['emails[type eq "work"', 'expected "]"'],
    ['emails[addresses[type eq "x"] pr]', "cannot put a value filter here"],
    ['userName eq "a" )', "something unexpected"],
    ["a.b.c pr", "not an attribute path"],
  ])("refuses %j: %s", (text, message) => {
    expect(() => parseFilter(text)).toThrow(FilterSyntaxError);
    expect(() => parseFilter(text)).toThrow(message);
  });

  it("refuses filters nested deeper than it will follow", () => {
    const deep = `${"(".repeat(60)}title pr${")".repeat(60)}`;
    expect(() => parseFilter(deep)).toThrow("levels deep");
  });
});

describe("parsePath (PATCH)", () => {
  it("reads attribute, sub-attribute, value filter and URN forms", () => {
    expect(parsePath("name.givenName")).toEqual({ urn: null, attr: "name", sub: "givenName" });
    expect(parsePath('members[value eq "2819c223"]')).toMatchObject({
      attr: "members",
      filter: { value: "2819c223" },
    });
    expect(parsePath('addresses[type eq "work"].locality')).toMatchObject({
      attr: "addresses",
      sub: "locality",
    });
    expect(parsePath(`${ENTERPRISE_USER}:manager`)).toEqual({ urn: ENTERPRISE_USER, attr: "manager" });
  });

  it("refuses a path with an expression after it", () => {
    expect(() => parsePath('userName eq "x"')).toThrow("something unexpected");
  });
});

describe("matches", () => {
  it.each([
    ['userName eq "ada.lovelace@example.com"', true], // userName is not caseExact
    ['userName eq "nobody"', false],
    ['externalId eq "E1024"', true],
    ['externalId eq "e1024"', false], // externalId is caseExact
    ['id eq "2819C223-7F76-453A-919D-413861904646"', false], // so is id
    ['name.familyName co "LACE"', true],
    ['name.givenName sw "Ad"', true],
    ['userName ew "example.com"', true],
    ['title ne "Engineer"', false],
    ['title ne "Manager"', true],
    ["title pr", true],
    ["nickName pr", false],
    ['emails eq "ada@home.example"', true], // a complex attribute compares its value
    ['emails.value eq "ADA@EXAMPLE.COM"', true],
    ['emails[type eq "work"].value eq "ada@example.com"', true],
    ['emails[type eq "work"].value eq "ada@home.example"', false],
    ['emails[type eq "home" and value co "home"]', true],
    ['emails[type eq "other"]', false],
    ["active eq true", true],
    ['active eq "True"', true], // Entra's string booleans
    ["active eq false", false],
    ['meta.lastModified gt "2026-01-01T00:00:00Z"', true],
    ['meta.lastModified lt "2026-01-01T00:00:00Z"', false],
    [`${ENTERPRISE_USER}:department eq "r&d"`, true],
    ['employeeNumber eq "E1024"', true], // an extension attribute, unqualified
    [`${ENTERPRISE_USER}:manager.value eq "m-1"`, true],
    ['seniority eq "senior"', true],
    ['not (title eq "Engineer")', false],
    ['title eq "x" or (name.givenName eq "Ada" and active eq true)', true],
    ["displayName eq null", false],
    ["nickName eq null", true],
  ])("%s → %s", (text, expected) => {
    expect(test(text)).toBe(expected);
  });

  it("refuses an ordering comparison of true or false", () => {
    expect(() => test("active gt true")).toThrow(FilterSyntaxError);
  });

  it("evaluates group member filters", () => {
    const group = { id: "g1", displayName: "Mentoring", members: [{ value: "u1" }, { value: "u2" }] };
    expect(matches(parseFilter('members eq "u2"'), group, GROUP_SCHEMAS)).toBe(true);
    expect(matches(parseFilter('members[value eq "u3"]'), group, GROUP_SCHEMAS)).toBe(false);
    expect(matches(parseFilter('displayName eq "mentoring"'), group, GROUP_SCHEMAS)).toBe(true);
  });
});

describe("valuesAt", () => {
  it("flattens a multi-valued attribute's sub-attribute", () => {
    expect(valuesAt(ada, parsePath("emails.type"), schemas)).toEqual(["work", "home"]);
    expect(valuesAt(ada, parsePath("emails[primary eq true].value"), schemas)).toEqual(["ada@example.com"]);
  });
});
