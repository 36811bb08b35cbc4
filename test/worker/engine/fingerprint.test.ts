// The roster's row fingerprint is compared with fingerprints stored for members, written as
// fingerprint(JSON.stringify(values)): the two must agree on every value, escaped or not.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fingerprint, rowFingerprint } from "../../../worker/engine/fingerprint.ts";

// Text JSON writes as it is and text it escapes: quotes, backslashes, control characters, lone
// surrogates (a pair is written as it is), and the characters around the ranges it escapes.
const text = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.string({ unit: "grapheme" }),
  fc.constantFrom('"', "\\", "\u0000", "\u001f", " ", "\u007f", "\ud7ff", "\ud800", "\udfff", "\ue000", "😀"),
);
const value = fc.oneof(fc.constant(null), text, fc.array(text, { maxLength: 3 }));

describe("rowFingerprint", () => {
  it("is the fingerprint of the values' JSON", () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 6 }), (values) => {
        expect(rowFingerprint(values)).toBe(fingerprint(JSON.stringify(values)));
      }),
      { numRuns: 2_000 },
    );
  });

  it("writes what JSON writes for values that are not text", () => {
    const odd = [[], [undefined], [() => 1], [{}], [1.5, -0, true], [Object.prototype], [["a", null]]];
    for (const values of odd) expect(rowFingerprint(values)).toBe(fingerprint(JSON.stringify(values)));
  });
});
