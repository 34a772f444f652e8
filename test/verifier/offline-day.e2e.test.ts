// The offline day end to end (issue 7): the shipped `local` stack deployed with the real `pulumi up` against
// the emulator, a bundle emitted by the real `fakit bundle`, a ward nurse's device deciding offline with the
// reference verifier through a day that crosses the clinic tenant's key rotation, and a password change.
// Every decision time and deadline is derived from the compiled policy of the `clinic` tenant's application.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Bundle, type DeviceState, decide } from "../../packages/verifier/src";
import type { EffectivePolicy } from "../../src/policy/types";
import { ROTATION_EPOCH_SECONDS as EPOCH } from "../../src/rotation/epoch";
import type { DesiredState } from "../../src/stack/desired-state";
import { shippedStack } from "../../testkit/helpers/kit-project";
import {
  type AppOutput,
  type AppUser,
  claimsOf,
  iso,
  type KitScenario,
  kidOf,
  loadBundleDir,
  PASSWORD,
  registerUser,
  startKitScenario,
} from "../helpers/kit-scenario";
import { compileStackText } from "../helpers/policies";
import { LONG, pulumiToolchain } from "../helpers/pulumi";

const tc = await pulumiToolchain();
const TENANT = "clinic";
const APP = "ward-app";
const at = (seconds: number) => new Date(seconds * 1000);

describe.skipIf(tc === undefined)("the offline day: local stack, real pulumi up, bundle, verifier", () => {
  let s: KitScenario;
  let desired: DesiredState;
  let policy: EffectivePolicy;
  let app: AppOutput;
  let inspector: AppOutput;
  let nurse: AppUser;
  let bundle: Bundle;
  let bundlesDir: string;
  // Figures of the ward app's policy (docs/design.md section 4).
  let A: number;
  let G: number;
  let C: number;
  let S: number;
  // The clinic's next key activation, and the day around it.
  let rotationAt: number;
  let build: number;
  let morning: number;
  let oldKid: string;
  let newKid: string;

  const offline = (token: string, now: number, extra: Partial<DeviceState> = {}) =>
    decide({ token, bundle, device: { now: at(now), online: false, ...extra } });
  const online = (token: string, now: number, extra: Partial<DeviceState> = {}) =>
    decide({ token, bundle, device: { now: at(now), online: true, ...extra } });

  beforeAll(async () => {
    // The schedule of the clinic tenant, from the shipped stack's own config: generation 1 of its keys is due
    // one rotation period after the epoch. The app build (and the pipeline run before it) happens two days before.
    desired = compileStackText(shippedStack("local", "http://localhost:9011"), "local");
    const tenant = desired.tenants.find((t) => t.key === TENANT);
    policy = tenant?.applications.find((a) => a.key === APP)?.policy as EffectivePolicy;
    A = policy.accessToken.ttlSeconds;
    G = policy.offline.graceSeconds;
    C = policy.offline.checkInSeconds;
    S = policy.offline.clockRollbackToleranceSeconds;
    rotationAt = EPOCH + (tenant?.policy.keys.rotationPeriodSeconds as number);
    build = rotationAt - 2 * 86_400;
    morning = rotationAt - 16 * 3600;
    // The story needs a grace and a degraded phase before the check-in falls due.
    expect(G).toBeGreaterThan(0);
    expect(A + G).toBeLessThan(C);
    expect(policy.offline.degradedMode).not.toBe("none");

    // biome-ignore lint/style/noNonNullAssertion: guarded by skipIf
    s = await startKitScenario(tc!, {
      stackPrefix: "local",
      stackYaml: (url) => shippedStack("local", url),
      at: build,
    });
    bundlesDir = s.outDir;
  }, 120_000);

  afterAll(async () => {
    await s?.dispose();
  });

  it("the pipeline deploys the local stack and the app build ships its bundle", LONG, async () => {
    const out = await s.deployAt(build);
    app = out.applications[`${TENANT}/${APP}`] as AppOutput;
    inspector = out.applications["field-ops/inspector"] as AppOutput;
    expect(Object.keys(out.applications).sort()).toEqual(
      desired.tenants.flatMap((t) => t.applications.map((a) => `${t.key}/${a.key}`)).sort(),
    );
    oldKid = app.signingKid;

    const r = await s.fakit(["bundle", "--stack", s.stackName, "--out", bundlesDir, "--now", iso(build)]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const dir = path.join(bundlesDir, s.stackName, TENANT, APP);
    bundle = await loadBundleDir(dir);
    expect(bundle.policy).toMatchObject({
      issuer: app.issuer,
      audience: app.applicationId,
      accessTokenTtlSeconds: A,
      graceSeconds: G,
      checkInSeconds: C,
      clockRollbackToleranceSeconds: S,
      degradedMode: policy.offline.degradedMode,
      figures: { revocationLagSeconds: A + G, degradedRunwaySeconds: C },
    });
    // The key that takes over at the rotation is already in the bundle, with its activation.
    const next = bundle.policy.keys.find((k) => k.role === "published");
    expect(next?.activatesAt).toBe(iso(rotationAt));
    newKid = next?.kid as string;
    expect(bundle.policy.keys.find((k) => k.role === "signing")?.kid).toBe(oldKid);
    const text = readFileSync(path.join(dir, "jwks.json"), "utf8");
    expect(text).not.toMatch(/"(d|p|q|dp|dq|qi|k)":/);
  });

  it(
    "through fakit verify --pinned-key --state, the ward app's session refuses the inspector app's bundle and token",
    LONG,
    async () => {
      // Both bundles come from the same pipeline run and carry the same pipeline signature; only the
      // application the device's state is bound to tells them apart.
      s.setClock(morning - 3600);
      const { token } = await (await registerUser(s, app, "ward-cli")).login();
      const other = (await (await registerUser(s, inspector, "inspector-cli")).login()).token;
      const { iat } = claimsOf(token);
      const state = path.join(bundlesDir, "ward-device.json");
      const wardDir = path.join(bundlesDir, s.stackName, TENANT, APP);
      const inspectorDir = path.join(bundlesDir, s.stackName, "field-ops", "inspector");
      const verify = async (dir: string, t: string, now: number, extra: string[] = []) => {
        const r = await s.fakit([
          ...["verify", "--bundle", dir, "--pinned-key", s.signingKey.publicPath, "--state", state],
          ...["--token", t, "--now", iso(now), "--offline", ...extra],
        ]);
        return { code: r.code, stderr: r.stderr, out: JSON.parse(r.stdout) };
      };
      const signedIn = await verify(wardDir, token, iat + 60, [
        ...["--sign-in", iso(iat), "--jwks", path.join(wardDir, "jwks.json")],
      ]);
      expect(signedIn.stderr).toBe("");
      expect(signedIn.out).toMatchObject({ decision: "full", reason: { code: "valid" } });
      const swapped = await verify(inspectorDir, other, iat + 120);
      expect(swapped.code).toBe(1);
      expect(swapped.out).toMatchObject({ decision: "refused", reason: { code: "bundle-application-mismatch" } });
      const foreign = await verify(wardDir, other, iat + 180);
      expect(foreign.out.decision).toBe("refused");
      expect((await verify(wardDir, token, iat + 240)).out).toMatchObject({ decision: "full" });
    },
  );

  it(
    "morning: the nurse logs in; offline, the token is full, then in grace, then degraded, then refused",
    LONG,
    async () => {
      s.setClock(morning);
      nurse = await registerUser(s, app, "ward-nurse");
      const { token, refreshToken } = await nurse.login();
      expect(kidOf(token)).toBe(oldKid);
      const { iat, exp } = claimsOf(token);
      expect(iat).toBe(morning);
      expect(exp).toBe(iat + A);
      // What the device keeps after an online login: the server time it saw and the check-in.
      const kept = { lastServerTime: at(iat), lastCheckIn: at(iat) };

      const fresh = await offline(token, iat + A / 2, kept);
      expect(fresh).toMatchObject({ decision: "full", reason: { code: "valid" }, keyId: oldKid });
      expect(fresh.nextDeadline).toEqual({ kind: "token-expiry", at: at(exp) });

      const grace = await offline(token, exp + G / 2, kept);
      expect(grace).toMatchObject({ decision: "full", reason: { code: "offline-grace" }, keyId: oldKid });
      expect(grace.nextDeadline).toEqual({ kind: "grace-end", at: at(exp + G) });

      const degraded = await offline(token, exp + G, kept);
      expect(degraded).toMatchObject({ decision: "degraded", reason: { code: "offline-degraded" } });
      expect(degraded.degraded).toMatchObject({ mode: policy.offline.degradedMode, read: true, write: false });
      expect(degraded.nextDeadline).toEqual({ kind: "check-in-due", at: at(iat + C) });
      expect((await offline(token, iat + C - 1, kept)).decision).toBe("degraded");

      const overdue = await offline(token, iat + C, kept);
      expect(overdue).toMatchObject({ decision: "refused", reason: { code: "check-in-overdue" } });

      // Someone moves the device clock back before the login: within the tolerance the device trusts the server
      // time it saw; beyond it the token is refused.
      expect(await offline(token, iat - S, kept)).toMatchObject({ decision: "full", reason: { code: "valid" } });
      expect(await offline(token, iat - S - 1, kept)).toMatchObject({
        decision: "refused",
        reason: { code: "clock-rollback" },
      });

      // Online, the grace does not apply: past exp the device must refresh, and the refresh is a check-in.
      expect(await online(token, exp, kept)).toMatchObject({
        decision: "refused",
        reason: { code: "refresh-required" },
      });
      s.setClock(exp);
      const refreshed = (await nurse.client.exchangeRefreshTokenForJWT({ refreshToken })).response.token as string;
      expect(kidOf(refreshed)).toBe(oldKid);
      const r = claimsOf(refreshed);
      expect(r.iat).toBe(exp);
      const after = await online(refreshed, exp + 1, { lastServerTime: at(exp), lastCheckIn: at(exp) });
      expect(after).toMatchObject({ decision: "full", reason: { code: "valid" } });
      expect(after.nextDeadline).toEqual({ kind: "token-expiry", at: at(r.exp) });
    },
  );

  it(
    "the nurse's phone rebooted with the clock held: fakit verify --pinned-key --state --monotonic on the shipped bundle",
    LONG,
    async () => {
      // Issue 21: rebooting before each use and setting the clock back to the last reading kept `full` forever.
      s.setClock(morning + 3600);
      const { token } = await nurse.login();
      const { iat } = claimsOf(token);
      const dir = path.join(bundlesDir, s.stackName, TENANT, APP);
      const verify = async (state: string, now: number, monotonic: string, extra: string[] = []) => {
        const r = await s.fakit([
          "verify",
          ...["--bundle", dir, "--pinned-key", s.signingKey.publicPath, "--state", path.join(s.outDir, state)],
          ...["--token", token, "--now", iso(now), "--offline", "--monotonic", monotonic, ...extra],
        ]);
        expect(r.stderr).toBe("");
        return JSON.parse(r.stdout) as { decision: string; reason: { code: string } };
      };
      // The sign-in, with the JWKS fetched with it (syncJwks): without it the check-in would not count past the
      // bundle's build. The bundle's jwks.json holds the keys FusionAuth published then.
      const checkIn = ["--sign-in", iso(iat), "--jwks", path.join(dir, "jwks.json")];
      // A new boot whose uptime exceeds the check-in interval is not full, whatever the wall clock says.
      expect(await verify("uptime.json", iat + 60, "boot-0:100", checkIn)).toMatchObject({ decision: "full" });
      expect(await verify("uptime.json", iat + 60, `boot-1:${C + 1}`)).toMatchObject({ decision: "refused" });
      // Reboots with the clock held within the token's lifetime: full for the policy's offline boots, then not.
      const bound = policy.offline.clockTrust.offlineBoots;
      expect(await verify("held.json", iat + 1, "boot-0:100", checkIn)).toMatchObject({ decision: "full" });
      for (let boot = 1; boot <= bound; boot++)
        expect(await verify("held.json", iat + 1 + boot, `boot-${boot}:5`)).toMatchObject({ decision: "full" });
      for (const boot of [bound + 1, 40])
        expect(await verify("held.json", iat + 2 + boot, `boot-${boot}:5`)).toMatchObject({
          decision: "refused",
          reason: { code: "clock-unverified" },
        });
    },
  );

  it(
    "midnight: the scheduled run rotates the clinic's key, and the morning bundle verifies both keys' tokens",
    LONG,
    async () => {
      // Late shift: a token the old key signs ten minutes before the rotation.
      s.setClock(rotationAt - 600);
      const late = (await nurse.login()).token;
      expect(kidOf(late)).toBe(oldKid);

      const out = await s.deployAt(rotationAt + 60);
      expect(out.rotations[TENANT]?.heldBack).toBeNull();
      expect(out.applications[`${TENANT}/${APP}`]?.signingKid).toBe(newKid);
      const night = (await nurse.login()).token;
      expect(kidOf(night)).toBe(newKid);

      // The device never refreshed its JWKS since the app build: it holds the new key already.
      const { exp } = claimsOf(night);
      expect(await offline(night, rotationAt + 120)).toMatchObject({ decision: "full", keyId: newKid });
      expect(await offline(night, exp + G - 1)).toMatchObject({ decision: "full", reason: { code: "offline-grace" } });
      // And the old key's token keeps its grace after the rotation.
      const lateExp = claimsOf(late).exp;
      expect(lateExp).toBeLessThan(rotationAt + 60);
      expect(await offline(late, lateExp + G / 2)).toMatchObject({
        decision: "full",
        reason: { code: "offline-grace" },
        keyId: oldKid,
      });
    },
  );

  it(
    "after a password change the next online refresh fails and the online device is sent to log in",
    LONG,
    async () => {
      const changedAt = rotationAt + 600;
      s.setClock(changedAt - 60);
      const session = await nurse.login();
      const { iat, exp } = claimsOf(session.token);
      s.setClock(changedAt);
      await nurse.client.changePasswordByIdentity({ loginId: nurse.email, password: `${PASSWORD} changed` });

      // The refresh token was revoked with the password change: the device's next online refresh fails.
      s.setClock(exp);
      await expect(
        nurse.client.exchangeRefreshTokenForJWT({ refreshToken: session.refreshToken }),
      ).rejects.toMatchObject({ statusCode: 400 });
      // Online: the access token is honoured until exp (the revocation lag online), then refresh is required.
      const kept = { lastServerTime: at(changedAt), lastCheckIn: at(iat) };
      expect(await online(session.token, exp - 1, kept)).toMatchObject({ decision: "full", reason: { code: "valid" } });
      expect(await online(session.token, exp, kept)).toMatchObject({
        decision: "refused",
        reason: { code: "refresh-required" },
      });
      // The old password no longer logs in; the new one does.
      await expect(nurse.login()).rejects.toMatchObject({ statusCode: 404 });
      const again = await nurse.client.login({
        loginId: nurse.email,
        password: `${PASSWORD} changed`,
        applicationId: app.applicationId,
      });
      expect(kidOf(again.response.token as string)).toBe(newKid);
      // Offline, the revoked session is still accepted for exactly the revocation lag the plan reports.
      const lag = bundle.policy.figures.revocationLagSeconds;
      expect(await offline(session.token, iat + lag - 1, kept)).toMatchObject({ decision: "full" });
      expect((await offline(session.token, iat + lag, kept)).decision).not.toBe("full");
    },
  );
});
