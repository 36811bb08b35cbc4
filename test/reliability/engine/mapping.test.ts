// Regression tests for the map step's bugs found by the hostile corpus (test/fixtures/hostile):
// identity keys with invisible characters, look-alike letters, characters no work address has,
// and "no value" placeholders that rejected whole rows.
import { describe, expect, it } from "vitest";
import { applyMapping, normaliseEmail } from "../../../worker/engine/mapping.ts";
import { parseCsv } from "../../../worker/engine/parse.ts";
import { coreMapping, member, planCsv } from "./pipeline.ts";

const kinds = (actions: { kind: string }[]) => actions.map((a) => a.kind);

describe("emails: invisible characters are removed, with a warning", () => {
  it("matches a zero-width-spaced email to the member instead of inviting a stranger", () => {
    const { actions, mapped } = planCsv("email,firstName\nada\u200b@acme.test,Ada\n", [
      member("m1", "ada@acme.test"),
    ]);
    expect(mapped.records[0]?.core.email).toBe("ada@acme.test");
    expect(mapped.records[0]?.warnings.join(" ")).toMatch(/invisible characters/);
    expect(kinds(actions)).toEqual(["update"]);
    expect(actions[0]?.memberId).toBe("m1");
  });

  it("removes joiners, bidi controls, soft hyphens and BOMs from emails and employee ids", () => {
    const { mapped } = planCsv("email,employeeId\n\u202eb\u00adob\u2060@acme.test\ufeff,E\u200d7\n");
    expect(mapped.records[0]?.core).toMatchObject({ email: "bob@acme.test", employeeId: "E7" });
  });

  it("keeps zero-width joiners in names, where they can be part of the spelling", () => {
    const { mapped } = planCsv("email,firstName\nm@acme.test,\u0645\u06cc\u200c\u0631\u0627\n");
    expect(mapped.records[0]?.core.firstName).toBe("\u0645\u06cc\u200c\u0631\u0627");
  });

  it("composes Unicode (NFC), so one address typed two ways is one person", () => {
    expect(normaliseEmail("Jose\u0301@acme.test")).toBe("jos\u00e9@acme.test");
  });
});

describe("emails: look-alike letters are rejected, never matched", () => {
  it("rejects a Cyrillic а among Latin letters, naming the letter, and proposes nothing for the member", () => {
    const { actions } = planCsv("email,employeeId\n\u0430da@acme.test,E1\n", [
      member("m1", "ada@acme.test", "E1"),
    ]);
    expect(kinds(actions)).toEqual(["error"]);
    expect(actions[0]?.reason).toContain("U+0430");
    expect(actions[0]?.memberId).toBeNull();
  });

  it("rejects a Greek ο in the domain", () => {
    expect(kinds(planCsv("email\nada@acme.c\u03bfm\n").actions)).toEqual(["error"]);
  });

  it("accepts internationalised addresses written in one alphabet per label", () => {
    const { actions } = planCsv("email\nuser@b\u00fccher.example\n\u0438\u0432\u0430\u043d@acme.test\n");
    expect(kinds(actions)).toEqual(["invite", "invite"]);
    expect(actions[0]?.email).toBe("user@b\u00fccher.example");
  });
});

describe("emails: characters no work address has are rejected", () => {
  it.each([
    ["<script>@x.io"],
    ['"ada"@acme.test'],
    ["ada@acme.test,bob@acme.test"],
    ["ada@acme.test;bob@acme.test"],
    ["ada(work)@acme.test"],
    ["ada@[127.0.0.1]"],
  ])("%s", (email) => {
    const csv = `email\n"${email.replaceAll('"', '""')}"\n`;
    expect(kinds(planCsv(csv).actions)).toEqual(["error"]);
  });

  it("still accepts plus addressing, apostrophes and hyphens", () => {
    const { actions } = planCsv("email\nada+hr@acme.test\no'brien@acme.test\nmary-jo@my-co.test\n");
    expect(kinds(actions)).toEqual(["invite", "invite", "invite"]);
  });
});

describe("core fields: placeholders for no value are empty, not errors", () => {
  it("reads a termination date of N/A as none, so the active employee is not rejected", () => {
    const { actions, mapped } = planCsv(
      "email,terminationDate,employeeId,manager\na@acme.test,N/A,#N/A,-\nb@acme.test,null,n/a,\u2014\n",
    );
    expect(kinds(actions)).toEqual(["invite", "invite"]);
    expect(mapped.records[0]?.core).toMatchObject({ terminationDate: null, employeeId: null, manager: null });
  });

  it("keeps names that only look like placeholders (NA, None)", () => {
    const { mapped } = planCsv("email,firstName,lastName\na@acme.test,None,NA\n");
    expect(mapped.records[0]?.core).toMatchObject({ firstName: "None", lastName: "NA" });
  });
});

describe("mapped values: an absurdly long one rejects its row", () => {
  it("rejects a 100,000-character name, naming the column, and keeps the other rows", () => {
    const { actions } = planCsv(`email,firstName\na@acme.test,${"x".repeat(100_000)}\nb@acme.test,Bea\n`);
    expect(actions.map((a) => a.kind)).toEqual(["error", "invite"]);
    expect(actions[0]?.reason).toBe(
      "firstName: the value is 100,000 characters long; a mapped value has at most 1,000.",
    );
  });

  it("ignores long values in columns that are not mapped", () => {
    const { table } = parseCsv(`email,notes\na@acme.test,${"x".repeat(100_000)}\n`);
    const { records } = applyMapping(table, coreMapping(["email"]), null);
    expect(records).toHaveLength(1);
  });
});
