// Source credentials sealed with AES-GCM: they open only with the same key and the same tenant and
// source, and the sealed form does not contain the token.
import { describe, expect, it } from "vitest";
import { openSecret, sealSecret, sourceContext, sourcesKeyOf } from "../../worker/schedule/source-secrets.ts";

describe("source secrets", () => {
  it("opens what it sealed, with a fresh IV each time", async () => {
    const context = sourceContext("t1", "s1");
    const a = await sealSecret("key", context, "tok_123");
    const b = await sealSecret("key", context, "tok_123");
    expect(a.iv).not.toBe(b.iv);
    expect(JSON.stringify(a)).not.toContain("tok_123");
    expect(await openSecret("key", context, a)).toBe("tok_123");
  });

  it("refuses another key, tenant or source, and a tampered ciphertext", async () => {
    const sealed = await sealSecret("key", sourceContext("t1", "s1"), "tok_123");
    await expect(openSecret("other", sourceContext("t1", "s1"), sealed)).rejects.toThrow();
    await expect(openSecret("key", sourceContext("t2", "s1"), sealed)).rejects.toThrow();
    await expect(openSecret("key", sourceContext("t1", "s2"), sealed)).rejects.toThrow();
    const flipped = {
      ...sealed,
      data: `${sealed.data.slice(0, -2)}${sealed.data.endsWith("AA") ? "AB" : "AA"}`,
    };
    await expect(openSecret("key", sourceContext("t1", "s1"), flipped)).rejects.toThrow();
  });

  it("needs SOURCES_ENCRYPTION_KEY outside development", () => {
    expect(() => sourcesKeyOf({ DATABASE_URL: "x", ENVIRONMENT: "production" })).toThrow(
      /SOURCES_ENCRYPTION_KEY/,
    );
    expect(sourcesKeyOf({ DATABASE_URL: "x", ENVIRONMENT: "development" })).toBeTruthy();
    expect(sourcesKeyOf({ DATABASE_URL: "x", SOURCES_ENCRYPTION_KEY: "k" })).toBe("k");
  });
});
