import { describe, expect, it } from "vitest";
import { sha256Hex, sha256HexAll, timeOrderedId } from "../../worker/keys.ts";

describe("timeOrderedId", () => {
  it("is a version 7 UUID that sorts after every one made before it, never repeated", () => {
    const ids = Array.from({ length: 20_000 }, () => timeOrderedId());
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ids.every((id, i) => i === 0 || (ids[i - 1] as string) < id)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("starts with the time in milliseconds", () => {
    const before = Date.now();
    const id = timeOrderedId();
    const ms = Number.parseInt(id.replace("-", "").slice(0, 12), 16);
    // Ids made faster than 4,096 a millisecond borrow the next one: never far ahead.
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThan(Date.now() + 1_000);
  });
});

describe("sha256HexAll", () => {
  it("hashes each value as sha256Hex does, in order", async () => {
    const values = ["", "abc", "Zoë", "x".repeat(1_000)];
    expect(await sha256HexAll(values)).toEqual(await Promise.all(values.map(sha256Hex)));
    expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});
