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
  createOfflineSession,
  enrollPin,
  type PinKdf,
  type PolicyFileV2Fields,
  type SessionState,
} from "../../packages/verifier/src";
import { APP_ID, ISSUER, signToken, type TenantFixture, type TestKey, tenantFixture } from "../bundle/fixtures";
import { EPOCH, HOUR, MIN } from "../rotation/presets";
import { type BundleSigner, makeBundleSigner, signBundle } from "./signed-fixture";

const T0 = EPOCH + HOUR;
const at = (s: number) => new Date(s * 1000);
const fastKdf: PinKdf = async (pin, salt) => new Uint8Array(createHash("sha256").update(salt).update(pin).digest());

let f: TenantFixture;
let signer: BundleSigner;
let token: string;

beforeAll(async () => {
  f = await tenantFixture();
  signer = await makeBundleSigner();
  token = await signToken(f.keys.get(0) as TestKey, { iss: ISSUER, aud: APP_ID, sub: "u", iat: T0, exp: T0 + 900 });
});

async function open(v2: Partial<PolicyFileV2Fields> = {}, state?: unknown, kdf: PinKdf = fastKdf) {
  const saved: SessionState[] = [];
  const session = await createOfflineSession({
    bundle: await signBundle(f.files, signer, { v2 }),
    pinnedKeys: [signer.publicJwk],
    state,
    persist: async (s) => {
      saved.push(s);
    },
    kdf,
  });
  await session.recordCheckIn(at(T0));
  return { session, saved };
}

const unlockPolicy = (mode: "none" | "biometric" | "pin" | "either", maxAttempts = 3) => ({
  localUnlock: { mode, maxAttempts, argon2id: { ...ARGON2ID_MINIMUM } },
});

describe("the Argon2id helper (real Argon2id at the minimum)", () => {
  it("derives the same key from the right PIN and tells a wrong one, storing no secret", async () => {
    const { record, key } = await enrollPin("4711", ARGON2ID_MINIMUM);
    expect(record).toMatchObject({ memoryKiB: 19_456, iterations: 2, parallelism: 1 });
    expect(JSON.stringify(record)).not.toContain("4711");
    expect(key).toHaveLength(32);
    const ok = await checkPin("4711", record, ARGON2ID_MINIMUM);
    expect(ok.ok && Buffer.from(ok.key).equals(Buffer.from(key))).toBe(true);
    expect(await checkPin("4712", record, ARGON2ID_MINIMUM)).toEqual({ ok: false, reason: "wrong-pin" });
  });

  it("refuses parameters below OWASP's minimum, for enrolment and for a stored record", async () => {
    await expect(enrollPin("4711", { memoryKiB: 1024, iterations: 2, parallelism: 1 })).rejects.toThrow(RangeError);
    const { record } = await enrollPin("4711", ARGON2ID_MINIMUM, fastKdf);
    expect(await checkPin("4711", { ...record, memoryKiB: 1024 }, ARGON2ID_MINIMUM, fastKdf)).toEqual({
      ok: false,
      reason: "record-too-weak",
    });
  });

  it("re-derives a record below a raised policy on the next good PIN", async () => {
    const { record } = await enrollPin("4711", ARGON2ID_MINIMUM, fastKdf);
    const raised = { ...ARGON2ID_MINIMUM, iterations: 3 };
    const r = await checkPin("4711", record, raised, fastKdf);
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
    expect(restarted.saved.at(-1)).toMatchObject({ wiped: true, pin: null, jwks: null, lastCheckIn: null });
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
    await session.unlockWithPin("4711");
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
