/**
 * Tokens against the policy (issue 13): a lifetime beyond the access-token TTL, a key used outside its window,
 * numbers out of range, revoked keys, a bundle past its horizon and the claims' age. Each of these was `full`
 * (or a RangeError) before: the rows say what an app now gets.
 */
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { type Bundle, BundleLoadError, decide, loadBundle } from "../../packages/verifier/src";
import { signToken, type TenantFixture, type TestKey, tenantFixture } from "../../testkit/bundle/fixtures";
import { DAY, EPOCH, HOUR, MIN } from "../../testkit/rotation/presets";
import { at, claimsAt, type SignedTenant, signedTenant, T0 } from "./signed-tenant";

const claims = (iat: number, ttl = 15 * MIN) => ({ ...claimsAt(iat), exp: iat + ttl });
const offlineAt = (now: number, checkIn = now) => ({ now: at(now), lastCheckIn: at(checkIn), online: false });

let t: SignedTenant;
let f: TenantFixture;
let bundle: Bundle;
let g0: TestKey;
let g1: TestKey;

beforeAll(async () => {
  t = await signedTenant();
  ({ fixture: f, g0, g1 } = t);
  bundle = await loadBundle(f.files);
});

describe("a token's lifetime against the access-token TTL (15 minutes in standard)", () => {
  it("a 365-day token is refused, not valid", async () => {
    const token = await signToken(g0, claims(T0, 365 * DAY));
    const r = await decide({ token, bundle, device: offlineAt(T0 + MIN) });
    expect(r.decision).toBe("refused");
    expect(r.reason.code).toBe("token-lifetime-exceeded");
  });

  it("the TTL plus the rollback tolerance is the boundary: +1 s is refused", async () => {
    const ok = await signToken(g0, claims(T0, 15 * MIN + 5 * MIN));
    const over = await signToken(g0, claims(T0, 15 * MIN + 5 * MIN + 1));
    expect((await decide({ token: ok, bundle, device: offlineAt(T0 + MIN) })).reason.code).toBe("valid");
    expect((await decide({ token: over, bundle, device: offlineAt(T0 + MIN) })).reason.code).toBe(
      "token-lifetime-exceeded",
    );
  });
});

describe("a key's window from policy.json keys[]", () => {
  it("a token signed by the published-ahead key before its activation is refused", async () => {
    // g1 activates on 2025-04-01; the token claims to be issued on 2025-01-01.
    const r = await decide({ token: await signToken(g1, claims(T0)), bundle, device: offlineAt(T0 + MIN) });
    expect(r.reason.code).toBe("key-not-yet-active");
    expect(r.keyId).toBe(g1.kid);
  });

  it("activation minus the tolerance is the boundary", async () => {
    const activates = Date.parse("2025-04-01T00:00:00Z") / 1000;
    const edge = activates - 5 * MIN;
    const ok = await decide({ token: await signToken(g1, claims(edge)), bundle, device: offlineAt(edge + MIN) });
    const early = await decide({
      token: await signToken(g1, claims(edge - 1)),
      bundle,
      device: offlineAt(edge + MIN),
    });
    expect(ok.reason.code).toBe("valid");
    expect(early.reason.code).toBe("key-not-yet-active");
  });

  it("a token signed ten months after its key retired, with the bundle seven months past its horizon, is refused", async () => {
    const rotated = await tenantFixture({ rotateAt: EPOCH + 200 * DAY });
    const b = await loadBundle(rotated.files);
    const old = rotated.keys.get(0) as TestKey;
    const retired = Date.parse(b.policy.keys.find((k) => k.kid === old.kid)?.retiresAt as string) / 1000;
    const horizon = Date.parse(b.policy.horizon) / 1000;
    const iat = Math.max(retired + 300 * DAY, horizon + 210 * DAY);
    const r = await decide({ token: await signToken(old, claims(iat)), bundle: b, device: offlineAt(iat + MIN) });
    expect(r.reason.code).toBe("key-retired");
    expect(r.horizonPassed).toBe(true);
  });

  it("a signing key's retiresAt is a projection: a late rotation, even past the horizon, is no refusal", async () => {
    // g0 signs; its projected retirement is 2025-04-01 and the bundle's horizon 2025-06-30. An idle pipeline
    // leaves it signing; the horizon flag and the JWKS fetch are what catch up with it.
    for (const late of [Date.parse("2025-04-11T00:00:00Z") / 1000, Date.parse("2025-08-01T00:00:00Z") / 1000]) {
      const r = await decide({ token: await signToken(g0, claims(late)), bundle, device: offlineAt(late + MIN) });
      expect(r.reason.code).toBe("valid");
      expect(r.horizonPassed).toBe(late > Date.parse(bundle.policy.horizon) / 1000);
    }
  });
});

describe("numbers out of range never throw", () => {
  it("a validly signed token with exp 1e308 is refused with claims-out-of-range", async () => {
    const token = await signToken(g0, { ...claims(T0), exp: 1e308 });
    const r = await decide({ token, bundle, device: offlineAt(T0 + MIN) });
    expect(r.reason.code).toBe("claims-out-of-range");
    expect(() => JSON.stringify(r)).not.toThrow();
  });

  it("negative and fractional-huge iat/nbf too", async () => {
    for (const extra of [{ iat: -1 }, { nbf: 1e300 }]) {
      const token = await signToken(g0, { ...claims(T0), ...extra });
      expect((await decide({ token, bundle, device: offlineAt(T0 + MIN) })).reason.code).toBe("claims-out-of-range");
    }
  });

  it("a bundle with checkInSeconds 1e300 (digest recomputed) is refused at load, not a RangeError", async () => {
    const policy = JSON.parse(f.files["policy.json"]);
    policy.checkInSeconds = 1e300;
    const text = JSON.stringify(policy);
    const manifest = JSON.parse(f.files["manifest.json"]);
    for (const file of manifest.files)
      if (file.name === "policy.json") file.sha256 = createHash("sha256").update(text).digest("hex");
    const err = await loadBundle({ ...f.files, "policy.json": text, "manifest.json": JSON.stringify(manifest) }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(BundleLoadError);
    expect(err.code).toBe("KIT_BUNDLE_POLICY_INVALID");
    expect(err.message).toContain('"checkInSeconds" must be a whole number of seconds');
  });
});

describe("format 2 policy fields", () => {
  let v2: Bundle;
  beforeAll(async () => {
    v2 = await loadBundle(
      await t.sign({
        v2: {
          claimsMaxAgeSeconds: HOUR,
          revokedKeys: [{ kid: g0.kid, generation: 0, reason: "compromised", revokedAt: "2025-01-02T00:00:00.000Z" }],
        },
      }),
    );
  });

  it("a revoked kid is refused with its own reason", async () => {
    const r = await decide({ token: await signToken(g0, claims(T0)), bundle: v2, device: offlineAt(T0 + MIN) });
    expect(r.reason.code).toBe("kid-revoked");
    expect(r.reason.message).toContain("compromised");
  });

  it("a format 1 bundle's revokedKeys (written since key-compromise support) are honoured too", async () => {
    const policy = JSON.parse(f.files["policy.json"]);
    policy.revokedKeys = [{ kid: g0.kid, generation: 0, reason: "leaked", revokedAt: "2025-01-02T00:00:00.000Z" }];
    const text = JSON.stringify(policy);
    const manifest = JSON.parse(f.files["manifest.json"]);
    for (const file of manifest.files)
      if (file.name === "policy.json") file.sha256 = createHash("sha256").update(text).digest("hex");
    const v1 = await loadBundle({ ...f.files, "policy.json": text, "manifest.json": JSON.stringify(manifest) });
    const r = await decide({ token: await signToken(g0, claims(T0)), bundle: v1, device: offlineAt(T0 + MIN) });
    expect(r.reason.code).toBe("kid-revoked");
  });

  it("the claims' age is reported, and stale past claimsMaxAgeSeconds", async () => {
    const b = await loadBundle(await t.sign({ v2: { claimsMaxAgeSeconds: HOUR } }));
    const token = await signToken(g0, claims(T0));
    const fresh = await decide({ token, bundle: b, device: { ...offlineAt(T0 + HOUR, T0) } });
    expect(fresh).toMatchObject({ decision: "full", claimsAgeSeconds: HOUR, claimsStale: false });
    const stale = await decide({ token, bundle: b, device: { ...offlineAt(T0 + HOUR + 1, T0) } });
    expect(stale).toMatchObject({ decision: "full", claimsAgeSeconds: HOUR + 1, claimsStale: true });
  });
});
