// The worker's Google client (service-account JWT, values.get, values.batchUpdate) against the
// local fake, which verifies the assertion's RS256 signature and claims as Google does.
import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessTokens, serviceAccountOf } from "../../worker/schedule/google-auth.ts";
import { readSheet, type SheetsClient } from "../../worker/schedule/sources/sheets.ts";
import { writeStatuses } from "../../worker/schedule/writeback.ts";
import { type FakeGoogle, startFakeGoogle } from "./fake-google.ts";

let google: FakeGoogle;
beforeAll(async () => {
  google = await startFakeGoogle();
});
afterAll(() => google?.close());

function client(json = google.serviceAccountJson): SheetsClient {
  const account = serviceAccountOf({ DATABASE_URL: "x", GOOGLE_SERVICE_ACCOUNT_JSON: json });
  if (!account) throw new Error("no account");
  return {
    baseUrl: google.origin,
    token: accessTokens(account, google.tokenUrl),
    account: account.clientEmail,
    fetch,
  };
}

describe("service account auth", () => {
  it("gets an access token with a signed assertion, and reuses it", async () => {
    const before = google.tokensIssued();
    const tokens = client().token;
    const first = await tokens();
    expect(first).toMatch(/^ya29\./);
    expect(await tokens()).toBe(first);
    expect(google.tokensIssued()).toBe(before + 1);
  });

  it("is refused when the assertion is signed with another key", async () => {
    const { privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    const forged = JSON.stringify({ ...JSON.parse(google.serviceAccountJson), private_key: privateKey });
    await expect(client(forged).token()).rejects.toThrow(
      /refused the service account .*Invalid JWT Signature/,
    );
    expect(google.refusals.at(-1)).toBe("Invalid JWT Signature.");
  });

  it("says clearly when the key file is not one", () => {
    expect(() => serviceAccountOf({ DATABASE_URL: "x", GOOGLE_SERVICE_ACCOUNT_JSON: "{" })).toThrow(
      /not the JSON key/,
    );
    expect(() => serviceAccountOf({ DATABASE_URL: "x", GOOGLE_SERVICE_ACCOUNT_JSON: "{}" })).toThrow(
      /client_email/,
    );
  });
});

describe("sheets", () => {
  it("reads a range, drops its own status column, and writes statuses beside the rows in one call", async () => {
    google.sheets.set("sheet-1", {
      access: "writer",
      tabs: new Map([
        [
          "HR data",
          [
            ["ignored above the range"],
            ["Email", "Name", "profile-sync status"],
            ["a@x.test", "A", "old"],
            [],
            ["b@x.test", 42],
          ],
        ],
      ]),
    });
    const sheets = client();
    const pulled = await readSheet(sheets, { spreadsheetId: "sheet-1", range: "'HR data'!A2:Z" });
    expect(pulled.snapshot).toEqual({
      format: "json",
      body: {
        columns: ["Email", "Name"],
        rows: [["a@x.test", "A"], [], ["b@x.test", 42]],
        rowNumbers: [3, 4, 5],
      },
    });
    expect(pulled.layout).toMatchObject({
      sheet: "'HR data'",
      headerRow: 2,
      statusColumn: 3,
      blankRows: [4],
    });
    const calls = google.batchUpdates.length;
    expect(await writeStatuses(sheets, pulled.layout, ["Updated", "", "=not a formula"])).toBe(4);
    expect(google.batchUpdates.length).toBe(calls + 1);
    expect(google.batchUpdates.at(-1)?.body).toEqual({
      valueInputOption: "RAW",
      data: [
        {
          range: "'HR data'!C2:C5",
          majorDimension: "ROWS",
          values: [["profile-sync status"], ["Updated"], [""], ["=not a formula"]],
        },
      ],
    });
    expect(google.cell("sheet-1", "HR data", "C", 3)).toBe("Updated");
  });

  it("explains a sheet not shared with the service account, and one that does not exist", async () => {
    google.sheets.set("private", { access: "none", tabs: new Map([["Sheet1", [["Email"]]]]) });
    await expect(readSheet(client(), { spreadsheetId: "private", range: "Sheet1" })).rejects.toThrow(
      `The service account ${google.clientEmail} may not open spreadsheet private (The caller does not have permission): share the sheet with it as an editor.`,
    );
    await expect(readSheet(client(), { spreadsheetId: "nope", range: "Sheet1" })).rejects.toThrow(
      /no spreadsheet nope/,
    );
  });
});
