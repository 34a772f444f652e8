/** The device state and the session: first start, deleted, restored and edited states, other applications, unlocks and MFA. */
import { importDeviceKeyMaterial, webCryptoDeviceKey } from "../../../packages/verifier/src";
import { canonicalJson } from "../../../packages/verifier/src/format";
import { DAY, HOUR, MIN } from "../../../testkit/rotation/presets";
import { OTHER_APP } from "../bundles";
import { BASE_CLAIMS, EXP, full, refused, standardState, T0, type VectorBuilder } from "../context";

/** No state, a deleted or restored state, the counter store. */
export async function storedStateCases(v: VectorBuilder): Promise<void> {
  const { add } = v;
  add("state-invalid--not-json", "the stored state is not JSON", refused("state-invalid"), { state: "{" });
  add("state-invalid--huge-time", "the stored high-water mark is 1e308", refused("state-invalid"), {
    state: { ...standardState(), highWaterMark: 1e308 },
  });
  add(
    "sign-in-required--first-start",
    "no stored state and no counter: nothing is accepted before an online sign-in",
    refused("sign-in-required"),
    { state: null, counter: null },
  );
  add("valid--first-start-after-sign-in", "no stored state, then an online sign-in at T0", full("valid"), {
    state: null,
    counter: null,
    steps: [{ signIn: T0 }],
  });
  add(
    "sign-in-required--token-before-sign-in",
    "the state deleted and a sign-in at T0 + 1h: the token issued at T0, still in its grace, did not arrive online in this state",
    refused("sign-in-required"),
    { state: null, counter: null, steps: [{ signIn: T0 + HOUR }], now: T0 + HOUR + MIN },
  );
  add(
    "state-invalid--deleted",
    "no stored state, but the counter store says state 7 was written: deleted to reuse the token",
    refused("state-invalid"),
    { state: null, counter: 7 },
  );
  add(
    "state-invalid--rolled-back",
    "an older copy restored from a backup: sealed at counter 3, the counter store holds 7",
    refused("state-invalid"),
    { state: standardState({ failedUnlocks: 0 }), sealCounter: 3, counter: 7 },
  );
  add(
    "valid--counter-ahead",
    "sealed at counter 8, the counter store holds 7 (a crash before it was written)",
    full("valid"),
    {
      sealCounter: 8,
      counter: 7,
    },
  );
}

/** Sealed states edited, unsealed, or sealed by another device or for another application. */
export async function tamperedStateCases(v: VectorBuilder): Promise<void> {
  const { add, sign, keyFor, g0, seal, edited, deviceKey, binding } = v;
  const base = BASE_CLAIMS;
  add(
    "state-invalid--edited-check-in",
    "the sealed payload edited: lastCheckIn in 2099, three hundred days later",
    refused("state-invalid"),
    {
      stored: await edited(standardState(), (p) => {
        p.state.lastCheckIn = 4_070_908_800;
      }),
      now: T0 + 300 * DAY,
    },
  );
  add(
    "state-invalid--nulled-trusted-time",
    "the sealed payload edited: lastServerTime, highWaterMark and anchor nulled",
    refused("state-invalid"),
    {
      stored: await edited(standardState(), (p) => {
        Object.assign(p.state, { lastServerTime: null, highWaterMark: null, anchor: null });
      }),
    },
  );
  const planted = await keyFor("ES256", "kid-planted-by-the-user");
  add(
    "state-invalid--planted-key",
    "the sealed payload edited: the user's own key added to the JWKS cache, a token signed with it",
    refused("state-invalid"),
    {
      stored: await edited(standardState(), (p) => {
        // Canonical member order: the key is created on the first run and read back from keys.json after.
        const keys = [g0.publicJwk, planted.publicJwk].map((k) => JSON.parse(canonicalJson(k)));
        p.state.jwks = { fetchedAt: T0, keys };
      }),
      token: await sign(planted, base),
    },
  );
  add("state-invalid--unsealed", "a plain JSON state, as verifiers before sealing wrote it", refused("state-invalid"), {
    stored: JSON.stringify(standardState()),
  });
  add("state-invalid--other-device", "a state sealed by another device's key (copied over)", refused("state-invalid"), {
    stored: await seal(
      standardState(),
      1,
      webCryptoDeviceKey(await importDeviceKeyMaterial(new Uint8Array(32).fill(7))),
    ),
  });
  add(
    "state-invalid--foreign-application",
    "a state this device sealed for another application",
    refused("state-invalid"),
    { stored: await seal(standardState(), 1, deviceKey, { ...binding, application: OTHER_APP }) },
  );
}

/** Another application's bundle and token. */
export async function otherApplicationCases(v: VectorBuilder): Promise<void> {
  const { add, sign, g0 } = v;
  const base = BASE_CLAIMS;
  const otherToken = await sign(g0, { ...base, aud: OTHER_APP });
  add(
    "bundle-application-mismatch--other-app",
    "the other application's bundle (same pipeline key, 30-day grace), with its token",
    refused("bundle-application-mismatch"),
    { bundle: "other-app", token: otherToken, now: EXP + 2 * DAY },
  );
  add(
    "audience-mismatch--other-app-bundle-installed",
    "installing the other application's bundle is refused; its token then fails the audience",
    refused("audience-mismatch"),
    {
      steps: [{ installBundle: "other-app", expect: "bundle-application-mismatch" }],
      token: otherToken,
    },
  );
}

/** Wiped sessions, MFA and its local-unlock stand-in, PIN attempts. */
export async function unlockCases(v: VectorBuilder): Promise<void> {
  const { add } = v;
  add("session-wiped", "too many failed unlocks wiped the session", refused("session-wiped"), {
    state: standardState({ wiped: true }),
  });
  add(
    "local-unlock-required",
    "MFA needed, the policy lets a local unlock stand in, none happened",
    refused("local-unlock-required"),
    { requireMfa: true },
  );
  add("valid--mfa-stand-in-unlocked", "MFA needed, a biometric unlock happened in this session", full("valid"), {
    requireMfa: true,
    steps: [{ unlock: "biometric" }],
  });
  add(
    "valid--mfa-stand-in-at-bound",
    "MFA needed, a biometric unlock 300 s (the stand-in's validity) before",
    full("valid"),
    { requireMfa: true, steps: [{ unlock: "biometric", at: T0 }], now: T0 + 300 },
  );
  add(
    "local-unlock-required--stand-in-expired",
    "MFA needed, a biometric unlock 301 s before: the stand-in has expired",
    refused("local-unlock-required"),
    { requireMfa: true, steps: [{ unlock: "biometric", at: T0 }], now: T0 + 301 },
  );
  add(
    "claims-stale--fresh-claims-required",
    "the action requires fresh claims; they are claimsMaxAgeSeconds + 1 old",
    refused("claims-stale"),
    { now: T0 + DAY + 1, requireFreshClaims: true },
  );
  add(
    "local-unlock-required--pin-attempt-not-saved",
    "after a sign-in and a PIN enrolment the storage fails: the right PIN is refused (state-not-saved), no stand-in",
    refused("local-unlock-required"),
    {
      requireMfa: true,
      state: null,
      counter: null,
      steps: [
        { signIn: T0 },
        { enrollPin: "2580", expect: "ok" },
        { persistFails: true },
        { unlockPin: "2580", expect: "state-not-saved" },
        { persistFails: false },
      ],
    },
  );
  add(
    "session-wiped--fifth-wrong-pin",
    "five wrong PINs in a row (maxAttempts 5), then the right one: wiped, the right PIN comes too late",
    refused("session-wiped"),
    {
      state: null,
      counter: null,
      steps: [
        { signIn: T0 },
        { enrollPin: "2580", expect: "ok" },
        ...[1, 2, 3, 4].map(() => ({ unlockPin: "0000", expect: "wrong-pin" })),
        { unlockPin: "0000", expect: "session-wiped" },
        { unlockPin: "2580", expect: "session-wiped" },
      ],
    },
  );
  add("mfa-required--online", "MFA needed while online: step up with the server", refused("mfa-required"), {
    requireMfa: true,
    online: true,
    steps: [{ unlock: "biometric" }],
  });
}
