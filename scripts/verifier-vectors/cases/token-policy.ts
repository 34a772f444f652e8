/** Tokens against the policy: lifetime, key activation and retirement, the horizon, claims and issuer. */
import type { JWTPayload } from "jose";
import { APP_ID, ISSUER } from "../../../testkit/bundle/fixtures";
import { DAY, MIN } from "../../../testkit/rotation/presets";
import { A, BASE_CLAIMS, EXP, full, refused, S, standardState, T0, type VectorBuilder } from "../context";

/** Claims issued at `iat` with the standard lifetime. */
const claimsAt = (iat: number) => ({ ...BASE_CLAIMS, iat, exp: iat + A });
/** The standard state, its server time, check-in and high-water mark at `t`. */
const stateAt = (t: number) => standardState({ lastServerTime: t, lastCheckIn: t, highWaterMark: t });

/** The token lifetime, and a key signing before its activation or after its projected retirement. */
export async function keyActivationCases(v: VectorBuilder): Promise<void> {
  const { add, sign, g0, g1 } = v;
  const base = BASE_CLAIMS;
  add("token-lifetime-exceeded--plus-1", "exp - iat = TTL + S + 1", refused("token-lifetime-exceeded"), {
    token: await sign(g0, { ...base, exp: T0 + A + S + 1 }),
  });
  add("valid--lifetime-at-limit", "exp - iat = TTL + S", full("valid"), {
    token: await sign(g0, { ...base, exp: T0 + A + S }),
  });
  add("token-lifetime-exceeded--365-days", "a 365-day token", refused("token-lifetime-exceeded"), {
    token: await sign(g0, { ...base, exp: T0 + 365 * DAY }),
  });
  const g1Active = Date.parse("2025-04-01T00:00:00Z") / 1000;
  add(
    "key-not-yet-active--minus-1",
    "signed by the published-ahead key at activatesAt - S - 1",
    refused("key-not-yet-active", { keyId: g1.kid }),
    { token: await sign(g1, claimsAt(g1Active - S - 1)), now: g1Active - S, state: stateAt(g1Active - S - 1) },
  );
  add("valid--key-activation-tolerance", "signed at activatesAt - S", full("valid", { keyId: g1.kid }), {
    token: await sign(g1, claimsAt(g1Active - S)),
    now: g1Active - S + MIN,
    state: stateAt(g1Active - S),
  });
  // An emergency switch (g0 revoked) makes g1 sign before its projected activation. A device that received a
  // token signed by g1 online (login, refresh) lists g1 in keysSeenOnline: the projection no longer refuses.
  const emergencyToken = await sign(g1, claimsAt(T0));
  add(
    "valid--key-seen-online-before-projected-activation",
    "signed by g1 months before its projected activation, after the device received a g1 token online",
    full("valid", { keyId: g1.kid }),
    { token: emergencyToken, state: standardState({ keysSeenOnline: [g1.kid] }) },
  );
  add(
    "key-not-yet-active--not-seen-online",
    "the same token on a device that never received a g1 token online",
    refused("key-not-yet-active", { keyId: g1.kid }),
    { token: emergencyToken },
  );
  // g0 signs in the standard bundle; its retiresAt (2025-04-01) is a projection: a late rotation is no refusal.
  const stdHorizon = Date.parse("2025-06-30T00:00:00Z") / 1000;
  const lateRotation = Date.parse("2025-04-11T00:00:00Z") / 1000;
  add(
    "valid--signing-key-after-projected-retirement",
    "the rotation ran late: g0 still signs ten days after its projected retirement",
    full("valid", { keyId: g0.kid }),
    { token: await sign(g0, claimsAt(lateRotation)), now: lateRotation + MIN, state: stateAt(lateRotation) },
  );
  add(
    "valid--signing-key-past-horizon",
    "the pipeline stopped: g0 still signs a day past the horizon, flagged",
    full("valid", { keyId: g0.kid, horizonPassed: true }),
    {
      token: await sign(g0, claimsAt(stdHorizon + DAY)),
      now: stdHorizon + DAY + MIN,
      state: stateAt(stdHorizon + DAY),
    },
  );
}

/** The rotated bundle's retired key and horizon, then claims out of range, revoked keys, issuer and audience. */
export async function keyRetirementAndClaimsCases(v: VectorBuilder): Promise<void> {
  const { add, sign, keyFor, g0 } = v;
  const base = BASE_CLAIMS;
  const revokedKey = await keyFor("ES256", "kid-revoked-ES256");
  const rg0 = await keyFor("ES256", "kid-g0-ES256");
  const rg3 = await keyFor("ES256", "kid-g3-ES256");
  const retired = Date.parse("2025-07-20T00:00:00Z") / 1000;
  const horizon = Date.parse("2025-12-27T00:00:00Z") / 1000;
  add(
    "key-retired--plus-1",
    "signed by the retired key at retiresAt + S + 1",
    refused("key-retired", { keyId: rg0.kid }),
    {
      bundle: "rotated",
      token: await sign(rg0, claimsAt(retired + S + 1)),
      now: retired + S + MIN,
      state: stateAt(retired + S + 1),
    },
  );
  add(
    "valid--key-retirement-tolerance",
    "signed by the retired key at retiresAt + S",
    full("valid", { keyId: rg0.kid }),
    {
      bundle: "rotated",
      token: await sign(rg0, claimsAt(retired + S)),
      now: retired + S + MIN,
      state: stateAt(retired + S),
    },
  );
  add(
    "key-retired--ten-months-later",
    "ten months after retirement, seven past the horizon",
    refused("key-retired", { horizonPassed: true }),
    {
      bundle: "rotated",
      token: await sign(rg0, claimsAt(retired + 300 * DAY)),
      now: retired + 300 * DAY + MIN,
      state: stateAt(retired + 300 * DAY),
    },
  );
  add(
    "horizon-passed--plus-1",
    "a valid token one second after the bundle's horizon: flagged",
    full("valid", { horizonPassed: true }),
    {
      bundle: "rotated",
      token: await sign(rg3, claimsAt(horizon - 60)),
      now: horizon + 1,
      state: stateAt(horizon - 60),
    },
  );
  add("horizon-not-passed--at-horizon", "at the horizon itself: not flagged", full("valid", { horizonPassed: false }), {
    bundle: "rotated",
    token: await sign(rg3, claimsAt(horizon - 60)),
    now: horizon,
    state: stateAt(horizon - 60),
  });
  add("claims-out-of-range--exp-1e308", "a validly signed token with exp 1e308", refused("claims-out-of-range"), {
    token: await sign(g0, { ...base, exp: 1e308 }),
  });
  add("claims-out-of-range--negative-iat", "iat before 1970", refused("claims-out-of-range"), {
    token: await sign(g0, { ...base, iat: -1 }),
  });
  add("claims-invalid--iat-after-exp", "iat after exp", refused("claims-invalid"), {
    token: await sign(g0, { ...base, iat: EXP + 1 }),
  });
  add("claims-invalid--iat-not-number", "iat is a string", refused("claims-invalid"), {
    token: await sign(g0, { ...base, iat: "yesterday" } as unknown as JWTPayload),
  });
  add("exp-missing", "no exp", refused("exp-missing"), {
    token: await sign(g0, { iss: ISSUER, aud: APP_ID, sub: "user-1", iat: T0 }),
  });
  add("kid-revoked", "signed by a key listed in revokedKeys", refused("kid-revoked", { keyId: revokedKey.kid }), {
    token: await sign(revokedKey, base),
  });
  add("issuer-mismatch", "another issuer", refused("issuer-mismatch"), {
    token: await sign(g0, { ...base, iss: "https://evil.test" }),
  });
  add("audience-mismatch", "another application", refused("audience-mismatch"), {
    token: await sign(g0, { ...base, aud: "another-app" }),
  });
}
