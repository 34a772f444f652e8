/**
 * The offline session (issue 13): signed bundles only, the JWKS fetched online merged with the bundle, clock
 * trust from the persisted high-water mark and the monotonic clock, the state handed to the app's storage, and
 * bad input refused with a reason code. Real keys, real signatures, clocks set by the test.
 */
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { inspectSealedState, type OfflineSessionOptions } from "../../packages/verifier/src";
import {
  APP_ID,
  fusionAuthJwk,
  makeKey,
  signToken,
  type TenantFixture,
  type TestKey,
} from "../../testkit/bundle/fixtures";
import { DAY, EPOCH, HOUR, MIN } from "../../testkit/rotation/presets";
import {
  type BundleSigner,
  makeBundleSigner,
  manifestOf,
  type SignedFiles,
  signBundle,
  signManifest,
} from "../../testkit/verifier/signed-fixture";
import { at, claimsAt, type SignedTenant, signedTenant, T0 } from "./signed-tenant";

let t: SignedTenant;
let f: TenantFixture;
let signer: BundleSigner;
let files: SignedFiles;
let g0: TestKey;
let token: string;

beforeAll(async () => {
  t = await signedTenant();
  ({ fixture: f, signer, files, g0, token } = t);
});

/** A session over `bundle` whose storage is an array of the sealed states it persisted. */
const open = (bundle: Partial<SignedFiles> = files, extra: Partial<OfflineSessionOptions> = {}) =>
  t.open({ bundle, ...extra });

describe("authentic bundles", () => {
  it("a signed bundle opens and decides", async () => {
    const { session } = await open();
    await session.recordSignIn(at(T0));
    const r = await session.decide({ token, now: at(T0 + MIN), online: false });
    expect(r.reason.code).toBe("valid");
    expect(session.state.bundleGeneration).toBe(EPOCH);
  });

  it("an unsigned bundle is refused", async () => {
    const { "manifest.jws": _, ...unsigned } = files;
    const { session } = await open(unsigned);
    expect((await session.decide({ token, now: at(T0 + MIN), online: false })).reason.code).toBe("bundle-unsigned");
    // A format 1 manifest, signed all the same, is not a signed bundle: format 1 had no signature to check.
    const v1Manifest = f.files["manifest.json"].replace('"formatVersion": 2', '"formatVersion": 1');
    expect(v1Manifest).not.toBe(f.files["manifest.json"]);
    const { session: v1 } = await open({
      ...f.files,
      "manifest.json": v1Manifest,
      "manifest.jws": await signManifest(v1Manifest, signer),
    });
    expect((await v1.decide({ token, now: at(T0 + MIN), online: false })).reason.code).toBe("bundle-unsigned");
  });

  it("raising graceSeconds and recomputing the digest breaks the signature", async () => {
    const policy = JSON.parse(files["policy.json"]);
    policy.graceSeconds = 100 * DAY;
    const text = `${JSON.stringify(policy, null, 2)}\n`;
    const manifest = JSON.parse(files["manifest.json"]);
    manifest.files[1].sha256 = createHash("sha256").update(text).digest("hex");
    const { session } = await open({ ...files, "policy.json": text, "manifest.json": JSON.stringify(manifest) });
    expect((await session.decide({ token, now: at(T0 + MIN), online: false })).reason.code).toBe(
      "bundle-signature-invalid",
    );
  });

  it("a bundle signed by a foreign key is refused, and so is one claiming the pinned kid", async () => {
    const foreign = await makeBundleSigner();
    const forged = { ...files, "manifest.jws": await signManifest(files["manifest.json"], foreign) };
    expect((await (await open(forged)).session.decide({ token, now: at(T0), online: false })).reason.code).toBe(
      "bundle-key-unknown",
    );
    const lying = { ...files, "manifest.jws": await signManifest(files["manifest.json"], foreign, signer.thumbprint) };
    expect((await (await open(lying)).session.decide({ token, now: at(T0), online: false })).reason.code).toBe(
      "bundle-signature-invalid",
    );
  });

  it("a bundle built before the one held is refused; the session keeps the newer bundle", async () => {
    // The manifest's wire field `generation` is the build time; the API names it builtAt.
    const newer = await signBundle(f.files, signer, { generation: EPOCH + DAY });
    const { session, saved } = await open(newer);
    expect(session.bundle?.builtAt).toBe(EPOCH + DAY);
    expect(session.state.bundleGeneration).toBe(EPOCH + DAY);
    const reopened = await open(files, { state: JSON.stringify(saved.at(-1)) });
    expect((await reopened.session.decide({ token, now: at(T0), online: false })).reason.code).toBe(
      "bundle-generation-rollback",
    );
    const install = await session.installBundle(files);
    expect(install).toMatchObject({
      ok: false,
      code: "bundle-generation-rollback",
      message: `the bundle was built at ${EPOCH} (Unix seconds), before the bundle this device holds (built at ${EPOCH + DAY})`,
    });
    expect(session.bundle?.builtAt).toBe(EPOCH + DAY);
    expect(session.bundle?.manifest.generation).toBe(EPOCH + DAY);
  });

  it("a signed bundle with a broken file is bundle-invalid, never an exception", async () => {
    const manifest = manifestOf("{", files["policy.json"], EPOCH);
    const broken = {
      ...files,
      "jwks.json": "{",
      "manifest.json": manifest,
      "manifest.jws": await signManifest(manifest, signer),
    };
    expect((await (await open(broken)).session.decide({ token, now: at(T0), online: false })).reason.code).toBe(
      "bundle-invalid",
    );
    const weird = { ...files, "jwks.json": 42 as unknown as string };
    expect((await (await open(weird)).session.decide({ token, now: at(T0), online: false })).reason.code).toBe(
      "bundle-invalid",
    );
  });
});

describe("the JWKS fetched online", () => {
  it("a key added to the issuer's JWKS becomes usable (it broke the bundle digest before)", async () => {
    const added = await makeKey("ES256", "kid-added-later");
    const later = await signToken(added, claimsAt(T0 + DAY));
    const { session } = await open();
    await session.recordSignIn(at(T0 + DAY));
    expect((await session.decide({ token: later, now: at(T0 + DAY + MIN), online: true })).reason.code).toBe(
      "kid-unknown",
    );
    const ok = await session.acceptJwks({ keys: [...f.jwks.keys, fusionAuthJwk(added)] }, at(T0 + DAY));
    expect(ok).toEqual({ ok: true });
    expect((await session.decide({ token: later, now: at(T0 + DAY + MIN), online: true })).reason.code).toBe("valid");
  });

  it("a key that a fetch newer than the bundle no longer lists is dropped; an older fetch drops nothing", async () => {
    const { session } = await open();
    const without = { keys: f.jwks.keys.filter((k) => k.kid !== g0.kid) };
    await session.acceptJwks(without, at(EPOCH - DAY));
    await session.recordSignIn(at(T0));
    expect((await session.decide({ token, now: at(T0 + MIN), online: false })).reason.code).toBe("valid");
    await session.acceptJwks(without, at(T0));
    expect((await session.decide({ token, now: at(T0 + MIN), online: false })).reason.code).toBe("kid-unknown");
  });

  it("says when the next fetch is due: jwksRefreshSeconds after the last fetch (or the build)", async () => {
    const { session } = await open();
    const J = JSON.parse(files["policy.json"]).jwksRefreshSeconds;
    expect(session.jwksFetchDue).toEqual(at(EPOCH + J));
    await session.recordSignIn(at(T0));
    await session.acceptJwks(f.jwks, at(T0));
    expect((await session.decide({ token, now: at(T0 + MIN), online: false })).jwksFetchDue).toEqual(at(T0 + J));
  });

  it("a malformed JWKS is refused and the keys stay", async () => {
    const { session } = await open();
    await session.recordSignIn(at(T0));
    for (const body of [null, "x", { keys: 3 }, { keys: [{ ...fusionAuthJwk(g0), d: "AAAA" }] }])
      expect(await session.acceptJwks(body, at(T0))).toMatchObject({ ok: false, code: "jwks-invalid" });
    expect((await session.decide({ token, now: at(T0 + MIN), online: false })).reason.code).toBe("valid");
  });
});

describe("clock trust", () => {
  const boot = (elapsedSeconds: number, bootId = "boot-1") => ({ bootId, elapsedSeconds });

  it("a clock held at iat + 10 minutes for days is caught by the monotonic clock (it was full forever)", async () => {
    const { session } = await open();
    await session.recordSignIn(at(T0), boot(1000));
    const held = at(T0 + 10 * MIN);
    const first = await session.decide({ token, now: held, online: false, monotonic: boot(1000 + 10 * MIN) });
    expect(first.reason.code).toBe("valid");
    // Five minutes later the wall clock lags by the tolerance: still accepted, at the monotonic time (past exp).
    const tolerated = await session.decide({ token, now: held, online: false, monotonic: boot(1000 + 15 * MIN) });
    expect(tolerated.reason.code).toBe("offline-grace");
    const r = await session.decide({ token, now: held, online: false, monotonic: boot(1000 + 15 * MIN + 1) });
    expect(r.reason.code).toBe("clock-rollback");
    expect(r.trustedTime).toEqual(at(T0 + 15 * MIN + 1));
  });

  it("across a reboot the persisted high-water mark holds: a held clock gains only the time switched off", async () => {
    const { session, saved } = await open();
    await session.recordSignIn(at(T0), boot(1000));
    await session.decide({ token, now: at(T0 + 3 * DAY), online: false, monotonic: boot(1000 + 3 * DAY) });
    // Switched off for two days, then the clock is set back: the last trusted time is the floor.
    const after = await open(files, { state: saved.at(-1) });
    const back = await after.session.decide({ token, now: at(T0 + DAY), online: false, monotonic: boot(50, "boot-2") });
    expect(back.reason.code).toBe("clock-rollback");
    const held = at(T0 + 3 * DAY + MIN);
    const r = await after.session.decide({ token, now: held, online: false, monotonic: boot(60, "boot-2") });
    expect(r).toMatchObject({ decision: "degraded", trustedTime: held });
    // Within the new boot the monotonic clock runs again: the check-in comes when it is due.
    const due = await after.session.decide({
      token,
      now: held,
      online: false,
      monotonic: boot(60 + 4 * DAY, "boot-2"),
    });
    expect(due.reason.code).toBe("clock-rollback");
    const honest = await after.session.decide({
      token,
      now: at(T0 + 7 * DAY + MIN),
      online: false,
      monotonic: boot(60 + 4 * DAY, "boot-2"),
    });
    expect(honest.reason.code).toBe("check-in-overdue");
  });

  it("a clock set back beyond the tolerance is refused; within it, the trusted time is used", async () => {
    const { session } = await open();
    await session.recordSignIn(at(T0));
    await session.recordCheckIn(at(T0 + HOUR));
    const r = await session.decide({ token, now: at(T0 + HOUR - 5 * MIN - 1), online: false });
    expect(r.reason.code).toBe("clock-rollback");
    const ok = await session.decide({ token, now: at(T0 + HOUR - 5 * MIN), online: false });
    expect(ok.trustedTime).toEqual(at(T0 + HOUR));
  });

  it("a clock set forward only shortens access, and the next server time undoes it", async () => {
    const { session } = await open();
    await session.recordSignIn(at(T0));
    expect((await session.decide({ token, now: at(T0 + 30 * DAY), online: false })).reason.code).toBe(
      "check-in-overdue",
    );
    expect((await session.decide({ token, now: at(T0 + MIN), online: false })).reason.code).toBe("clock-rollback");
    await session.recordServerTime(at(T0 + MIN));
    expect((await session.decide({ token, now: at(T0 + 2 * MIN), online: false })).reason.code).toBe("valid");
  });

  it("a new boot counts its uptime from the last trusted time (it was ignored: full 8 days later)", async () => {
    const { session } = await open();
    await session.recordSignIn(at(T0), boot(1000));
    // Another boot up 8 days: it started after the last reading, so trusted time is at least T0 + 8 days.
    const r1 = await session.decide({ token, now: at(T0 + MIN), online: false, monotonic: boot(8 * DAY, "boot-9") });
    expect(r1).toMatchObject({
      decision: "refused",
      reason: { code: "clock-rollback" },
      trustedTime: at(T0 + 8 * DAY),
    });
    const honest = await session.decide({
      token,
      now: at(T0 + 8 * DAY),
      online: false,
      monotonic: boot(8 * DAY, "boot-9"),
    });
    expect(honest.reason.code).toBe("check-in-overdue");
    // Within that boot, a reading that went back is a boot again (a reused id): counted, never ignored.
    await session.recordServerTime(at(T0 + MIN), boot(100, "boot-9"));
    const back = await session.decide({ token, now: at(T0 + 2 * MIN), online: false, monotonic: boot(10, "boot-9") });
    expect(back.reason.code).toBe("valid");
    expect(session.state.offlineBoots).toBe(1);
  });
});

describe("the check-in deadline", () => {
  const C = 7 * DAY; // the standard preset's checkInSeconds

  it("counts from the recorded check-in: a token forged with a leaked key and a fresh iat is refused at it", async () => {
    const { session } = await open();
    await session.recordSignIn(at(T0));
    await session.acceptJwks(JSON.parse(files["jwks.json"]), at(T0));
    // The forger holds g0's private key (leaked; this device has no bundle revoking it yet) and writes `iat`
    // a minute before each use: the token is always fresh, the device has not checked in since T0.
    const forged = (now: number) => signToken(g0, claimsAt(now - MIN));
    const before = await session.decide({ token: await forged(T0 + C - 1), now: at(T0 + C - 1), online: false });
    expect(before.reason.code).toBe("valid");
    expect(before.nextDeadline).toEqual({ kind: "check-in-due", at: at(T0 + C) });
    const due = await session.decide({ token: await forged(T0 + C), now: at(T0 + C), online: false });
    expect(due.reason.code).toBe("check-in-overdue");
    const later = await session.decide({ token: await forged(T0 + 30 * DAY), now: at(T0 + 30 * DAY), online: false });
    expect(later.reason.code).toBe("check-in-overdue");
  });

  it("login verifies the token and records the sign-in as the check-in; a bad token records nothing", async () => {
    const { session } = await open();
    const other = await makeKey("ES256", "not-in-the-bundle");
    const bad = await session.login({ token: await signToken(other, claimsAt(T0)), now: at(T0) });
    expect(bad.reason.code).toBe("kid-unknown");
    expect(session.state.lastCheckIn).toBeNull();
    // No HTTP Date given: the verified token's iat is the server's time.
    const r = await session.login({ token, now: at(T0 + 30) });
    expect(r.reason.code).toBe("valid");
    expect(session.state).toMatchObject({ lastCheckIn: T0, lastServerTime: T0 });
    const offline = await session.decide({
      token: await signToken(g0, claimsAt(T0 + C)),
      now: at(T0 + C),
      online: false,
    });
    expect(offline.reason.code).toBe("check-in-overdue");
  });

  it("refresh moves the deadline to the refresh's server time; only login ends a wiped session", async () => {
    const { session } = await open();
    await session.login({ token, now: at(T0), serverTime: at(T0) });
    const refreshed = await signToken(g0, claimsAt(T0 + 2 * DAY));
    // The check-in fetches the JWKS with the refresh: without it the deadline stays the last fetch's + C.
    await session.acceptJwks(JSON.parse(files["jwks.json"]), at(T0 + 2 * DAY + 1));
    const r = await session.refresh({ token: refreshed, now: at(T0 + 2 * DAY), serverTime: at(T0 + 2 * DAY + 1) });
    expect(r.reason.code).toBe("valid");
    expect(session.state.lastCheckIn).toBe(T0 + 2 * DAY + 1);
    const late = await session.decide({ token: refreshed, now: at(T0 + 2 * DAY + C), online: false });
    expect(late.reason.code).toBe("offline-degraded");
    await session.wipe();
    const again = await signToken(g0, claimsAt(T0 + 3 * DAY));
    expect((await session.refresh({ token: again, now: at(T0 + 3 * DAY) })).reason.code).toBe("session-wiped");
    expect((await session.login({ token: again, now: at(T0 + 3 * DAY) })).reason.code).toBe("valid");
    expect(session.state).toMatchObject({ wiped: false, lastCheckIn: T0 + 3 * DAY });
  });

  it("after an emergency switch, a token the issuer signed online with the next key is accepted offline", async () => {
    // g0 revoked: g1, published ahead with a projected activation on 2025-04-01, signs at once. This bundle,
    // built before the incident, still holds the projection.
    const g1 = f.keys.get(1) as TestKey;
    const early = await signToken(g1, claimsAt(T0));
    const { session, saved } = await open();
    await session.recordSignIn(at(T0));
    expect((await session.decide({ token: early, now: at(T0 + MIN), online: false })).reason.code).toBe(
      "key-not-yet-active",
    );
    expect((await session.login({ token: early, now: at(T0) })).reason.code).toBe("valid");
    expect(session.state.keysSeenOnline).toEqual([g1.kid]);
    expect((await session.decide({ token: early, now: at(T0 + MIN), online: false })).reason.code).toBe("valid");
    // Persisted: the app's next start remembers it; a device that never received such a token still refuses.
    const reopened = await open(files, { state: saved.at(-1) });
    expect((await reopened.session.decide({ token: early, now: at(T0 + 2 * MIN), online: false })).reason.code).toBe(
      "valid",
    );
    const other = await open();
    await other.session.recordSignIn(at(T0));
    expect((await other.session.decide({ token: early, now: at(T0 + MIN), online: false })).reason.code).toBe(
      "key-not-yet-active",
    );
  });

  it("a forged iat ahead of the clock never raises the persisted trusted time", async () => {
    const { session } = await open();
    await session.login({ token, now: at(T0) });
    // Within the rollback tolerance, the token's iat is the decision's time (it only shortens access)...
    const ahead = await session.decide({
      token: await signToken(g0, claimsAt(T0 + 4 * MIN)),
      now: at(T0 + MIN),
      online: false,
    });
    expect(ahead.trustedTime).toEqual(at(T0 + 4 * MIN));
    // ...but the device keeps what it trusts itself: the wall clock, not the claim.
    expect(session.state.highWaterMark).toBe(T0 + MIN);
  });
});

describe("the device state", () => {
  it("is persisted sealed, with server-derived times, and reopened as it was", async () => {
    const { session, saved } = await open();
    await session.recordSignIn(at(T0), { bootId: "b", elapsedSeconds: 5 });
    await session.decide({ token, now: at(T0 + MIN), online: false });
    const last = saved.at(-1) as string;
    expect(last).toMatch(/^fakit-state-1\.[\w-]+\.[\w-]{43}$/);
    expect(inspectSealedState(last)).toMatchObject({
      tenant: "acme",
      application: APP_ID,
      state: { lastServerTime: T0, lastCheckIn: T0, highWaterMark: T0 + MIN, bundleGeneration: EPOCH },
    });
    const again = await open(files, { state: JSON.stringify(last) });
    expect(again.session.state).toEqual(session.state);
    expect((await again.session.decide({ token, now: at(T0 + 2 * MIN), online: false })).reason.code).toBe("valid");
  });

  it("a corrupt or unsealed state is lost: a check-in does not bring it back, an online sign-in does", async () => {
    const valid = (await open()).session.state;
    for (const bad of [
      "{",
      7,
      { stateVersion: 1 },
      valid,
      JSON.stringify({ ...valid, lastCheckIn: T0 }),
      `fakit-state-1.${Buffer.from(JSON.stringify({ state: valid })).toString("base64url")}.${"A".repeat(43)}`,
    ]) {
      const { session } = await open(files, { state: bad });
      expect((await session.decide({ token, now: at(T0 + MIN), online: false })).reason.code).toBe("state-invalid");
      await session.recordCheckIn(at(T0));
      expect((await session.decide({ token, now: at(T0 + MIN), online: false })).reason.code).toBe("state-invalid");
      await session.recordSignIn(at(T0));
      expect((await session.decide({ token, now: at(T0 + MIN), online: false })).reason.code).toBe("valid");
    }
  });

  it("a token that is not a string, and a storage that fails, give answers, not exceptions", async () => {
    const { session } = await open(files, {
      persist: async () => {
        throw new Error("disk full");
      },
    });
    expect(await session.recordSignIn(at(T0))).toBe(false);
    const r = await session.decide({ token: 42 as unknown as string, now: at(T0 + MIN), online: false });
    expect(r).toMatchObject({ decision: "refused", reason: { code: "malformed" }, stateSaved: false });
  });
});
