import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fold, normalizeHeader, slugify, tidy, words } from "../../../worker/engine/fold.ts";

describe("fold", () => {
  it.each([
    ["Sales & Marketing", "marketing, sales"],
    ["José", "jose"],
    ["  People   and Culture ", "culture AND people"],
    ["Research-and-Development", "research and development"],
    ["São Paulo", "sao paulo"],
    ["Zoë van der Berg", "VAN DER BERG, ZOE"],
    ["Łódź", "Lodz"],
    ["Straße", "Strasse"],
    ["Ørsted", "orsted"],
    ["Ｆｕｌｌ－Ｔｉｍｅ", "full time"],
    ["İstanbul", "istanbul"],
    ["R&D", "r d"],
  ])("%j folds like %j", (a, b) => {
    expect(fold(a)).toBe(fold(b));
  });

  it.each([
    ["Sales", "Sales Operations"],
    ["Engineering", "Engineer"],
    ["Sales & Marketing", "Sales"],
  ])("%j and %j stay different", (a, b) => {
    expect(fold(a)).not.toBe(fold(b));
  });

  it.each([
    ["Sales & Marketing", "marketing sales"],
    ["  José  ", "jose"],
    ["", ""],
    ["---", ""],
    ["Level 2", "2 level"],
  ])("fold(%j) is %j", (input, expected) => {
    expect(fold(input)).toBe(expected);
  });

  // fast-check's default strings are printable ASCII, where upper/lower case round-trips exactly.
  it("is idempotent and ignores order, case and punctuation (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 5 }), (parts) => {
        const joined = parts.join(" ");
        expect(fold(fold(joined))).toBe(fold(joined));
        expect(fold([...parts].reverse().join(", "))).toBe(fold(joined));
        expect(fold(joined.toUpperCase())).toBe(fold(joined));
      }),
    );
  });

  it("keeps words in order in words()", () => {
    expect(words("Déjà-Vu, Inc.")).toEqual(["deja", "vu", "inc"]);
  });
});

describe("normalizeHeader", () => {
  it.each([
    ["First Name [Required]", "First Name"],
    ["Status [READ ONLY]", "Status"],
    ["Hire Date (MM/DD/YYYY)", "Hire Date"],
    ["givenName", "given Name"],
    ["userPrincipalName", "user Principal Name"],
    ["employeeID", "employee ID"],
    ["HRISId", "HRIS Id"],
    ["Employee_ID", "Employee ID"],
    ["Employee #", "Employee number"],
    ["E-mail", "email"],
    ["Work e-mail address", "Work email address"],
    ["eMail", "email"],
    ["\uFEFFEmployee_ID", "Employee ID"],
    ["physicalDeliveryOfficeName", "physical Delivery Office Name"],
  ])("normalizeHeader(%j) is %j", (input, expected) => {
    expect(normalizeHeader(input)).toBe(expected);
  });
});

describe("tidy and slugify", () => {
  it("tidies whitespace", () => {
    expect(tidy("  Customer   Success \t")).toBe("Customer Success");
  });

  it.each([
    ["Cost Center", "cost-center"],
    ["Org Unit Path [Required]", "org-unit-path"],
    ["Worker_Type", "worker-type"],
    ["Équipe (interne)", "equipe"],
    ["employmentType", "employment-type"],
  ])("slugify(%j) is %j", (input, expected) => {
    expect(slugify(input)).toBe(expected);
  });
});
