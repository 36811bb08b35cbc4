// Event signatures and derived secrets. The expected HMACs are computed with node:crypto, not
// with the code under test.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { eventSecret, signingKeyOf, webhookSecret } from "../../worker/derived-secrets.ts";
import { SIGNATURE_TOLERANCE_SECONDS, signatureHeader, verifySignature } from "../../worker/signatures.ts";

const NOW = new Date("2026-03-02T09:30:00Z");
const T = NOW.getTime() / 1000;
const BODY = '{"id":"evt_1","type":"employee.updated"}';
const mac = (secret: string, t: number, body = BODY) =>
  createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");

describe("signatureHeader", () => {
  it("is t=<unix seconds>,v1=HMAC-SHA256 over `<t>.<body>`", async () => {
    expect(await signatureHeader("whsec_a", BODY, NOW)).toBe(`t=${T},v1=${mac("whsec_a", T)}`);
  });
});

describe("verifySignature", () => {
  const at = (t: number, secret = "whsec_a", body = BODY) => `t=${t},v1=${mac(secret, t, body)}`;

  it("accepts a valid signature, over bytes or text alike", async () => {
    expect(await verifySignature(at(T), BODY, ["whsec_a"], NOW)).toEqual({ ok: true });
    expect(await verifySignature(at(T), new TextEncoder().encode(BODY), ["whsec_a"], NOW)).toEqual({
      ok: true,
    });
  });

  it("accepts up to the tolerance either way, and refuses beyond it", async () => {
    const edge = SIGNATURE_TOLERANCE_SECONDS;
    expect((await verifySignature(at(T - edge), BODY, ["whsec_a"], NOW)).ok).toBe(true);
    expect((await verifySignature(at(T + edge), BODY, ["whsec_a"], NOW)).ok).toBe(true);
    expect(await verifySignature(at(T - edge - 1), BODY, ["whsec_a"], NOW)).toMatchObject({
      reason: "expired",
    });
    expect(await verifySignature(at(T + edge + 1), BODY, ["whsec_a"], NOW)).toMatchObject({
      reason: "expired",
    });
  });

  it("refuses a tampered body, a moved timestamp and another secret", async () => {
    expect(await verifySignature(at(T), `${BODY} `, ["whsec_a"], NOW)).toMatchObject({ reason: "mismatch" });
    const moved = `t=${T + 1},v1=${mac("whsec_a", T)}`;
    expect(await verifySignature(moved, BODY, ["whsec_a"], NOW)).toMatchObject({ reason: "mismatch" });
    expect(await verifySignature(at(T, "whsec_b"), BODY, ["whsec_a"], NOW)).toMatchObject({
      reason: "mismatch",
    });
  });

  it("accepts any of several v1 and any of several secrets (rotation on either side)", async () => {
    const both = `t=${T},v1=${mac("whsec_old", T)},v1=${mac("whsec_new", T)}`;
    expect((await verifySignature(both, BODY, ["whsec_new"], NOW)).ok).toBe(true);
    expect((await verifySignature(at(T, "whsec_prev"), BODY, ["whsec_cur", "whsec_prev"], NOW)).ok).toBe(
      true,
    );
    expect((await verifySignature(both, BODY, ["whsec_other"], NOW)).ok).toBe(false);
  });

  it("ignores unknown schemes but needs a t and a v1", async () => {
    expect((await verifySignature(`v0=abc, ${at(T)}`, BODY, ["whsec_a"], NOW)).ok).toBe(true);
    for (const header of [`t=${T}`, `v1=${mac("whsec_a", T)}`, "t=soon,v1=zz", "garbage", `t=${T},v1=abc`]) {
      expect(await verifySignature(header, BODY, ["whsec_a"], NOW), header).toMatchObject({
        reason: "malformed",
      });
    }
    expect(await verifySignature(undefined, BODY, ["whsec_a"], NOW)).toMatchObject({ reason: "missing" });
    expect(await verifySignature("", BODY, ["whsec_a"], NOW)).toMatchObject({ reason: "missing" });
  });
});

describe("derived secrets", () => {
  it("are stable for the same inputs and differ by tenant, generation, purpose and master key", async () => {
    const a1 = await eventSecret("master", "tenant-a", 1);
    expect(a1).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(await eventSecret("master", "tenant-a", 1)).toBe(a1);
    const others = await Promise.all([
      eventSecret("master", "tenant-b", 1),
      eventSecret("master", "tenant-a", 2),
      eventSecret("other master", "tenant-a", 1),
      webhookSecret("master", "tenant-a", "1"),
    ]);
    expect(new Set([a1, ...others]).size).toBe(5);
  });

  it("need EVENTS_SIGNING_KEY in production; development has its own", () => {
    expect(signingKeyOf({ DATABASE_URL: "", EVENTS_SIGNING_KEY: "k" })).toBe("k");
    expect(signingKeyOf({ DATABASE_URL: "", ENVIRONMENT: "development" })).toMatch(/development/);
    expect(() => signingKeyOf({ DATABASE_URL: "", ENVIRONMENT: "production" })).toThrow(/EVENTS_SIGNING_KEY/);
  });
});
