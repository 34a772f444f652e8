/**
 * Local unlock and the MFA stand-in (issue 13). The attempt counting and the wipe run on a fast stand-in KDF;
 * two tests run the real Argon2id at OWASP's minimum (19 MiB, t=2, p=1), the lowest any policy allows.
 */
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import {
  ARGON2ID_MINIMUM,
  argon2idKdf,
  checkPin,
  type DeviceKey,
  enrollPin,
  type PinKdf,
  type PolicyFileV2Fields,
  type SessionState,
} from "../../packages/verifier/src";
import { DAY, MIN } from "../../testkit/rotation/presets";
import { testDeviceKey } from "./device-fixture";
import { at, type SignedTenant, signedTenant, T0 } from "./signed-tenant";

const fastKdf: PinKdf = async (pin, salt) => new Uint8Array(createHash("sha256").update(salt).update(pin).digest());

let t: SignedTenant;
let token: string;
let deviceKey: DeviceKey;

beforeAll(async () => {
  deviceKey = await testDeviceKey();
  t = await signedTenant();
  token = t.token;
});

/** A session after an online sign-in at T0 (the first start), or reopened on a stored `state` (a restart). */
async function open(v2: Partial<PolicyFileV2Fields> = {}, state?: unknown, kdf: PinKdf = fastKdf) {
  const { session, saved } = await t.open({ bundle: await t.sign({ v2 }), state, deviceKey, kdf });
  if (state === undefined) await session.recordSignIn(at(T0));
  return { session, saved };
}

const unlockPolicy = (mode: "none" | "biometric" | "pin" | "either", maxAttempts = 3) => ({
  localUnlock: { mode, maxAttempts, argon2id: { ...ARGON2ID_MINIMUM } },
});

describe("the Argon2id helper (real Argon2id at the minimum)", () => {
  it("derives the same key from the right PIN and tells a wrong one, storing no secret", async () => {
    const { record, key } = await enrollPin("4711", ARGON2ID_MINIMUM, deviceKey);
    expect(record).toMatchObject({ memoryKiB: 19_456, iterations: 2, parallelism: 1 });
    expect(JSON.stringify(record)).not.toContain("4711");
    expect(key).toHaveLength(32);
    const ok = await checkPin("4711", record, ARGON2ID_MINIMUM, deviceKey);
    expect(ok.ok && Buffer.from(ok.key).equals(Buffer.from(key))).toBe(true);
    expect(await checkPin("4712", record, ARGON2ID_MINIMUM, deviceKey)).toEqual({ ok: false, reason: "wrong-pin" });
  });

  it("refuses parameters below OWASP's minimum, for enrolment and for a stored record", async () => {
    await expect(enrollPin("4711", { memoryKiB: 1024, iterations: 2, parallelism: 1 }, deviceKey)).rejects.toThrow(
      RangeError,
    );
    const { record } = await enrollPin("4711", ARGON2ID_MINIMUM, deviceKey, fastKdf);
    expect(await checkPin("4711", { ...record, memoryKiB: 1024 }, ARGON2ID_MINIMUM, deviceKey, fastKdf)).toEqual({
      ok: false,
      reason: "record-too-weak",
    });
  });

  it("re-derives a record below a raised policy on the next good PIN", async () => {
    const { record } = await enrollPin("4711", ARGON2ID_MINIMUM, deviceKey, fastKdf);
    const raised = { ...ARGON2ID_MINIMUM, iterations: 3 };
    const r = await checkPin("4711", record, raised, deviceKey, fastKdf);
    expect(r.ok && r.upgraded?.iterations).toBe(3);
  });
});

describe("unlock attempts and the wipe", () => {
  it("the session is wiped after maxAttempts failures, and the count survives a restart", async () => {
    const { session, saved } = await open(unlockPolicy("pin", 3));
    expect(await session.enrollPin("4711")).toMatchObject({ ok: true });
    expect(await session.unlockWithPin("0000")).toEqual({ ok: false, code: "wrong-pin", attemptsLeft: 2 });
    // The app is killed and restarted: the failure is in storage.
    const restarted = await open(unlockPolicy("pin", 3), saved.at(-1));
    expect(await restarted.session.unlockWithPin("0000")).toEqual({ ok: false, code: "wrong-pin", attemptsLeft: 1 });
    expect(await restarted.session.unlockWithPin("0000")).toEqual({
      ok: false,
      code: "session-wiped",
      attemptsLeft: 0,
    });
    expect(restarted.session.state).toMatchObject({ wiped: true, pin: null, jwks: null, lastCheckIn: null });
    expect(await restarted.session.unlockWithPin("4711")).toMatchObject({ ok: false, code: "session-wiped" });
    const r = await restarted.session.decide({ token, now: at(T0 + MIN), online: false });
    expect(r.reason.code).toBe("session-wiped");
    await restarted.session.recordSignIn(at(T0 + 2 * MIN));
    expect((await restarted.session.decide({ token, now: at(T0 + 3 * MIN), online: false })).reason.code).toBe("valid");
  });

  it("a good PIN resets the count", async () => {
    const { session } = await open(unlockPolicy("either", 2));
    await session.enrollPin("4711");
    await session.unlockWithPin("0000");
    expect(await session.unlockWithPin("4711")).toMatchObject({ ok: true });
    expect(session.state.failedUnlocks).toBe(0);
  });

  it("the policy's mode decides what may unlock: critical-style none allows nothing", async () => {
    const none = (await open(unlockPolicy("none"))).session;
    expect(await none.enrollPin("4711")).toMatchObject({ ok: false, code: "not-allowed" });
    expect(await none.recordBiometricUnlock()).toMatchObject({ ok: false, code: "not-allowed" });
    const bio = (await open(unlockPolicy("biometric"))).session;
    expect(await bio.enrollPin("4711")).toMatchObject({ ok: false, code: "not-allowed" });
    expect(await bio.recordBiometricUnlock()).toEqual({ ok: true });
  });
});

describe("the MFA stand-in offline", () => {
  it("refuse: actions needing MFA are refused offline", async () => {
    const { session } = await open({ mfaStandIn: "refuse", ...unlockPolicy("either") });
    await session.recordBiometricUnlock();
    const r = await session.decide({ token, now: at(T0 + MIN), online: false, requireMfa: true });
    expect(r.reason.code).toBe("mfa-required");
    expect((await session.decide({ token, now: at(T0 + MIN), online: false })).reason.code).toBe("valid");
  });

  it("local-unlock: a local unlock within the session stands in; online, step up with the server", async () => {
    const { session } = await open({ mfaStandIn: "local-unlock", ...unlockPolicy("either") });
    const input = { token, now: at(T0 + MIN), online: false, requireMfa: true };
    expect((await session.decide(input)).reason.code).toBe("local-unlock-required");
    await session.enrollPin("4711");
    await session.unlockWithPin("4711", { now: at(T0 + MIN) });
    expect((await session.decide(input)).reason.code).toBe("valid");
    expect((await session.decide({ ...input, online: true })).reason.code).toBe("mfa-required");
  });

  it("the real Argon2id through the session", async () => {
    const { session } = await open(unlockPolicy("pin"), undefined, argon2idKdf);
    const enrolled = await session.enrollPin("2580");
    const unlocked = await session.unlockWithPin("2580");
    expect(
      enrolled.ok &&
        unlocked.ok &&
        Buffer.from(enrolled.key as Uint8Array).equals(Buffer.from(unlocked.key as Uint8Array)),
    ).toBe(true);
  });
});

describe("unlock that survives guessing (issue 21)", () => {
  it("the check value in the state confirms no guess without the device key (a 4-digit PIN fell offline)", async () => {
    const { session } = await open(unlockPolicy("pin", 5));
    await session.enrollPin("7294");
    const record = session.state.pin as NonNullable<SessionState["pin"]>;
    const salt = Buffer.from(record.salt, "base64url");
    const pins = Array.from({ length: 10_000 }, (_, i) => String(i).padStart(4, "0"));
    // Before: the check was SHA-256 of the KDF output; anyone holding the state tried all 10,000 PINs.
    const sha = async (pin: string) =>
      Buffer.from(
        createHash("sha256")
          .update(await fastKdf(pin, salt, ARGON2ID_MINIMUM))
          .digest(),
      ).toString("base64url");
    const unkeyed: string[] = [];
    for (const pin of pins) if ((await sha(pin)) === record.check) unkeyed.push(pin);
    expect(unkeyed).toEqual([]);
    // Another device's key (a copy of the state on the attacker's machine) confirms nothing either.
    const elsewhere = await testDeviceKey(2);
    const found: string[] = [];
    for (const pin of pins) if ((await checkPin(pin, record, ARGON2ID_MINIMUM, elsewhere, fastKdf)).ok) found.push(pin);
    expect(found).toEqual([]);
    expect((await checkPin("7294", record, ARGON2ID_MINIMUM, deviceKey, fastKdf)).ok).toBe(true);
  });

  it("twenty unlocks raced at once are counted one by one: the right 20th PIN comes after the wipe", async () => {
    const { session } = await open(unlockPolicy("pin", 5));
    await session.enrollPin("4711");
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => session.unlockWithPin(i === 19 ? "4711" : "0000")),
    );
    // Before: every call passed the count before any failure was recorded, and the 20th returned the key.
    expect(results.filter((r) => r.ok)).toEqual([]);
    expect(results.map((r) => (r.ok ? "ok" : r.code))).toEqual([
      ...Array(4).fill("wrong-pin"),
      ...Array(16).fill("session-wiped"),
    ]);
    expect(session.state.wiped).toBe(true);
  });

  it("at 4 of 5 failures, a wrong and a right PIN raced: the wrong one wipes and the right one does not unlock", async () => {
    const { session } = await open(unlockPolicy("pin", 5));
    await session.enrollPin("4711");
    for (let i = 0; i < 4; i++) await session.unlockWithPin("0000");
    const [wrong, right] = await Promise.all([session.unlockWithPin("0000"), session.unlockWithPin("4711")]);
    expect(wrong).toEqual({ ok: false, code: "session-wiped", attemptsLeft: 0 });
    expect(right).toEqual({ ok: false, code: "session-wiped", attemptsLeft: 0 });
    expect(session.isUnlocked).toBe(false);
  });

  it("re-enrolling needs the current PIN or an online sign-in; a wrong current PIN counts", async () => {
    const first = await open(unlockPolicy("either", 5));
    await first.session.enrollPin("4711");
    await first.session.unlockWithPin("0000");
    // The next launch, offline: no sign-in in this process.
    const { session } = await open(unlockPolicy("either", 5), first.saved.at(-1));
    const input = { token, now: at(T0 + MIN), online: false, requireMfa: true };
    // Before: accepted, the failure count reset, and the new PIN then stood in for MFA.
    expect(await session.enrollPin("1234")).toEqual({ ok: false, code: "current-pin-required", attemptsLeft: 4 });
    expect(await session.enrollPin("1234", { currentPin: "9999" })).toEqual({
      ok: false,
      code: "wrong-pin",
      attemptsLeft: 3,
    });
    expect(await session.unlockWithPin("1234", { now: at(T0 + MIN) })).toMatchObject({ ok: false, code: "wrong-pin" });
    expect((await session.decide(input)).reason.code).toBe("local-unlock-required");
    expect(await session.enrollPin("1234", { currentPin: "4711" })).toMatchObject({ ok: true });
    expect(await session.unlockWithPin("1234", { now: at(T0 + MIN) })).toMatchObject({ ok: true });
    // A first enrolment needs the online sign-in of this process too.
    const fresh = await open(unlockPolicy("either", 5), (await open(unlockPolicy("either", 5))).saved.at(-1));
    expect(await fresh.session.enrollPin("1234")).toMatchObject({ ok: false, code: "sign-in-required" });
    await fresh.session.recordSignIn(at(T0));
    expect(await fresh.session.enrollPin("1234")).toMatchObject({ ok: true });
  });

  it("a storage that throws refuses every attempt before deriving: 12 guesses over 3 launches are never made", async () => {
    const good = await open(unlockPolicy("pin", 5));
    await good.session.enrollPin("4711");
    let derived = 0;
    const counting: PinKdf = (pin, salt, params) => {
      derived += 1;
      return fastKdf(pin, salt, params);
    };
    for (let launch = 0; launch < 3; launch++) {
      const { session } = await t.open({
        bundle: await t.sign({ v2: unlockPolicy("pin", 5) }),
        state: good.saved.at(-1),
        persist: () => {
          throw new Error("storage full");
        },
        deviceKey,
        kdf: counting,
      });
      for (let guess = 0; guess < 4; guess++)
        // Before: each guess was derived and checked (an oracle), and its count was lost with the launch.
        expect(await session.unlockWithPin(`000${guess}`)).toMatchObject({ ok: false, code: "state-not-saved" });
      expect(await session.unlockWithPin("4711")).toMatchObject({ ok: false, code: "state-not-saved" });
    }
    expect(derived).toBe(0);
  });
});

describe("the gates an app asks for", () => {
  it("the MFA stand-in lasts unlockValiditySeconds (300 by default), not the whole process", async () => {
    const { session } = await open({ mfaStandIn: "local-unlock", ...unlockPolicy("either") });
    await session.recordBiometricUnlock({ now: at(T0 + MIN) });
    const input = (now: number) => ({ token, now: at(now), online: false, requireMfa: true });
    expect((await session.decide(input(T0 + MIN + 300))).reason.code).toBe("valid");
    expect((await session.decide(input(T0 + MIN + 301))).reason.code).toBe("local-unlock-required");
  });

  it("requireLocalUnlock gates an action online and offline; requireFreshClaims refuses stale claims", async () => {
    const { session } = await open(unlockPolicy("either"));
    const now = at(T0 + MIN);
    expect((await session.decide({ token, now, online: true, requireLocalUnlock: true })).reason.code).toBe(
      "local-unlock-required",
    );
    await session.recordBiometricUnlock({ now });
    expect((await session.decide({ token, now, online: true, requireLocalUnlock: true })).reason.code).toBe("valid");
    // 24h (claimsMaxAgeSeconds) + 1 s after issue, in the grace: full, stale, and refused when fresh claims are asked.
    const later = { token, now: at(T0 + DAY + 1), online: false };
    expect(await session.decide(later)).toMatchObject({ decision: "full", claimsStale: true });
    expect((await session.decide({ ...later, requireFreshClaims: true })).reason.code).toBe("claims-stale");
  });
});
