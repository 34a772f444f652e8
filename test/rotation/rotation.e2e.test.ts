// Key rotation end to end (issue 6): the real `pulumi up` and `fakit` CLI against the emulator, moving through
// simulated time. Every instant and figure below is derived from the stack's compiled policy and the rotation
// epoch, so the test reads as the schedule: generation n signs from epoch + n*K once published for the lead L.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Bundle, decide } from "../../packages/verifier/src";
import { keyId } from "../../src/fusionauth/ids";
import type { EffectivePolicy } from "../../src/policy/types";
import { ROTATION_EPOCH_SECONDS as EPOCH } from "../../src/rotation/epoch";
import {
  type AppOutput,
  type AppUser,
  claimsOf,
  iso,
  type KitScenario,
  kidOf,
  loadBundleDir,
  readBundleDir,
  registerUser,
  sec,
  startKitScenario,
} from "../helpers/kit-scenario";
import { compileStackText } from "../helpers/policies";
import { LONG, pulumiToolchain } from "../helpers/pulumi";

const tc = await pulumiToolchain();
const TENANT = "drill";
const APP = "app";
/** The first deployment: mid-period, so the first key signs at once and the next waits for its slot. */
const T0 = sec("2026-03-10T09:00:00Z");

/** A `high` tenant rotating daily, so that a rotation, a retention and an idle gap fit in a few simulated days. */
const stackYaml = (url: string) => `config:
  fusionauth-offline-kit:url: ${url}
  fusionauth-offline-kit:tenants:
    - key: ${TENANT}
      name: Rotation Drill
      issuer: https://drill.example.com
      preset: high
      overrides:
        keys:
          rotationPeriod: 1d
      applications:
        - key: ${APP}
          name: Drill App
          redirectUris: ["com.example.drill:/oauth2/callback"]
`;

const PUBLIC_MEMBERS = new Set(["kty", "kid", "alg", "use", "crv", "x", "y", "n", "e"]);
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

describe.skipIf(tc === undefined)("key rotation across simulated time, with the real CLI", () => {
  let s: KitScenario;
  let policy: EffectivePolicy;
  let bundlesDir: string;
  let app: AppOutput;
  let user: AppUser;
  // Figures of the policy (docs/design.md section 4), read from the compiled stack, never copied from the preset.
  let A: number;
  let G: number;
  let C: number;
  let K: number;
  let L: number;
  let retention: number;
  let k0: number;
  const sched = (n: number) => EPOCH + n * K;
  const kids = new Map<number, string>();
  // Instants of the story, filled as it goes.
  let T1: number;
  let T2: number;
  let T3: number;
  let tokenOld: string;
  const bundles: Record<string, Bundle> = {};

  const bundlePath = (name: string) => path.join(bundlesDir, name, s.stackName, TENANT, APP);
  async function emit(name: string, at: number): Promise<string> {
    const r = await s.fakit(["bundle", "--stack", s.stackName, "--out", path.join(bundlesDir, name), "--now", iso(at)]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    bundles[name] = await loadBundleDir(bundlePath(name));
    return bundlePath(name);
  }
  const check = (name: string, at: number) =>
    s.fakit(["bundle", "--stack", s.stackName, "--out", path.join(bundlesDir, name), "--check", "--now", iso(at)]);
  const jwksKids = (dir: string) =>
    (JSON.parse(readFileSync(path.join(dir, "jwks.json"), "utf8")).keys as { kid: string }[]).map((k) => k.kid).sort();
  const keyIdOf = (n: number) => keyId(s.stackName, TENANT, n);
  async function kidOfGeneration(n: number): Promise<string> {
    const kid = (await s.client.retrieveKey(keyIdOf(n))).response.key?.kid as string;
    kids.set(n, kid);
    return kid;
  }
  const tenantJwt = async () => (await s.client.retrieveTenant(app.tenantId)).response.tenant?.jwtConfiguration;
  const offline = (token: string, bundle: Bundle | undefined, at: number) =>
    decide({ token, bundle: bundle as Bundle, device: { now: new Date(at * 1000), online: false } });

  beforeAll(async () => {
    // biome-ignore lint/style/noNonNullAssertion: guarded by skipIf
    s = await startKitScenario(tc!, { stackPrefix: "rotation", stackYaml, at: T0 });
    bundlesDir = s.outDir;
    policy = compileStackText(stackYaml(s.emu.url), s.stackName).tenants[0]?.policy as EffectivePolicy;
    A = policy.accessToken.ttlSeconds;
    G = policy.offline.graceSeconds;
    C = policy.offline.checkInSeconds;
    K = policy.keys.rotationPeriodSeconds;
    L =
      policy.offline.jwksRefreshSeconds + policy.offline.checkInSeconds + policy.offline.clockRollbackToleranceSeconds;
    retention = policy.keys.retentionSeconds;
    k0 = Math.floor((T0 - EPOCH) / K);
    // The story needs: a lead shorter than a period (the next key can sign at its slot), a retention shorter too.
    expect(L).toBeLessThan(K);
    expect(retention).toBeLessThan(K);
    expect(retention).toBeGreaterThanOrEqual(A + G + policy.offline.clockRollbackToleranceSeconds);
  }, 120_000);

  afterAll(async () => {
    await s?.dispose();
  });

  it("at t0 the first key signs at once, the next is published ahead, and the bundle holds both", LONG, async () => {
    const out = await s.deployAt(T0);
    app = out.applications[`${TENANT}/${APP}`] as AppOutput;
    expect(out.rotations[TENANT]).toMatchObject({
      signingGeneration: k0,
      publishedGenerations: [k0, k0 + 1],
      heldBack: null,
    });
    const jwt = await tenantJwt();
    expect(jwt?.accessTokenKeyId).toBe(keyIdOf(k0));
    expect(jwt?.idTokenKeyId).toBe(keyIdOf(k0));
    const kid0 = await kidOfGeneration(k0);
    const kid1 = await kidOfGeneration(k0 + 1);
    expect(app.signingKid).toBe(kid0);

    const dir = await emit("t0", T0);
    expect(jwksKids(dir)).toEqual([kid0, kid1].sort());
    const file = JSON.parse(readFileSync(path.join(dir, "policy.json"), "utf8"));
    expect(file.generatedFor).toBe(iso(T0));
    // The next key signs at its slot or once published for the lead, whichever is later.
    expect(file.keys.find((k: { kid: string }) => k.kid === kid1)).toMatchObject({
      generation: k0 + 1,
      role: "published",
      activatesAt: iso(Math.max(sched(k0 + 1), T0 + L)),
    });

    const ok = await check("t0", T0);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`ok ${s.stackName}/${TENANT}/${APP}`);
  });

  it("a daily run with nothing due changes nothing in FusionAuth", LONG, async () => {
    const nothingDue = T0 + 3600;
    expect(nothingDue).toBeLessThan(sched(k0 + 1));
    s.emu.counters.reset();
    const out = await s.deployAt(nothingDue);
    expect(s.emu.counters.snapshot().writes).toBe(0);
    expect(out.rotations[TENANT]).toMatchObject({ signingGeneration: k0, publishedGenerations: [k0, k0 + 1] });
  });

  it("bundles carry public key members only, and are byte-identical for the same inputs", LONG, async () => {
    const again = path.join(bundlesDir, "t0-again");
    const r = await s.fakit(["bundle", "--stack", s.stackName, "--out", again, "--now", iso(T0)]);
    expect(r.code).toBe(0);
    const first = readBundleDir(bundlePath("t0"));
    const second = readBundleDir(path.join(again, s.stackName, TENANT, APP));
    for (const name of Object.keys(first) as (keyof typeof first)[]) {
      expect(second[name].equals(first[name]), `${name} differs between two runs`).toBe(true);
    }
    const jwks = JSON.parse(first["jwks.json"].toString()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const jwk of jwks.keys) {
      expect(Object.keys(jwk).filter((m) => !PUBLIC_MEMBERS.has(m))).toEqual([]);
      for (const m of PRIVATE_MEMBERS) expect(jwk).not.toHaveProperty(m);
    }
  });

  it("a token issued after the first deployment verifies offline with the t0 bundle", LONG, async () => {
    user = await registerUser(s, app, "drill-user");
    const { token } = await user.login();
    expect(kidOf(token)).toBe(kids.get(k0));
    const { iat, exp } = claimsOf(token);
    expect(exp).toBe(iat + A);
    const d = await offline(token, bundles.t0, iat + 60);
    expect(d).toMatchObject({ decision: "full", reason: { code: "valid" }, keyId: kids.get(k0) });
    expect(d.nextDeadline).toEqual({ kind: "token-expiry", at: new Date(exp * 1000) });
  });

  it("a bundle emitted before `pulumi up` caught up with the schedule is refused whole", LONG, async () => {
    T1 = T0 + K;
    const r = await s.fakit([
      "bundle",
      "--stack",
      s.stackName,
      "--out",
      path.join(bundlesDir, "early"),
      "--now",
      iso(T1),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("KIT_BUNDLE_KEY_MISMATCH");
    expect(r.stderr).toContain("pulumi up");
    expect(r.stderr).toContain("no bundle written");
    expect(existsSync(path.join(bundlesDir, "early", s.stackName))).toBe(false);
  });

  it(
    "at t0 + K the next key signs; the t0 bundle verifies the new tokens and the old key's within grace",
    LONG,
    async () => {
      // A token the old key signs a minute before the pipeline's run.
      s.setClock(T1 - 60);
      tokenOld = (await user.login()).token;
      expect(kidOf(tokenOld)).toBe(kids.get(k0));

      const out = await s.deployAt(T1);
      expect(out.rotations[TENANT]).toMatchObject({ signingGeneration: k0 + 1, heldBack: null });
      expect(out.rotations[TENANT]?.publishedGenerations).toEqual([k0, k0 + 1, k0 + 2]);
      const jwt = await tenantJwt();
      expect(jwt?.accessTokenKeyId).toBe(keyIdOf(k0 + 1));
      expect(jwt?.accessTokenVerificationKeyIds).toContain(keyIdOf(k0));
      const kid2 = await kidOfGeneration(k0 + 2);

      // The new key signs, and a device that never refreshed its JWKS since t0 holds it already.
      const fresh = (await user.login()).token;
      expect(kidOf(fresh)).toBe(kids.get(k0 + 1));
      expect(await offline(fresh, bundles.t0, T1 + 60)).toMatchObject({ decision: "full", keyId: kids.get(k0 + 1) });

      // The old token, offline, with the t0 bundle: valid until exp, then its grace, then degraded until check-in.
      const { iat, exp } = claimsOf(tokenOld);
      expect(exp).toBe(iat + A);
      expect(await offline(tokenOld, bundles.t0, exp - 1)).toMatchObject({
        decision: "full",
        reason: { code: "valid" },
      });
      const inGrace = await offline(tokenOld, bundles.t0, exp + G / 2);
      expect(inGrace).toMatchObject({ decision: "full", reason: { code: "offline-grace" }, keyId: kids.get(k0) });
      expect(inGrace.nextDeadline).toEqual({ kind: "grace-end", at: new Date((exp + G) * 1000) });
      const degraded = await offline(tokenOld, bundles.t0, exp + G);
      expect(degraded).toMatchObject({ decision: "degraded", reason: { code: "offline-degraded" } });
      expect(degraded.nextDeadline).toEqual({ kind: "check-in-due", at: new Date((iat + C) * 1000) });

      // The bundle emitted after this run keeps the retired key and adds the next one.
      const dir = await emit("t1", T1);
      expect(jwksKids(dir)).toEqual([kids.get(k0), kids.get(k0 + 1), kid2].sort());
      const roles = Object.fromEntries(
        JSON.parse(readFileSync(path.join(dir, "policy.json"), "utf8")).keys.map((k: { kid: string; role: string }) => [
          k.kid,
          k.role,
        ]),
      );
      expect(roles).toEqual({
        [kids.get(k0) as string]: "retired",
        [kids.get(k0 + 1) as string]: "signing",
        [kid2]: "published",
      });
      expect(await offline(tokenOld, bundles.t1, exp + G / 2)).toMatchObject({ decision: "full", keyId: kids.get(k0) });
    },
  );

  it(
    "`bundle --check` fails on the t0 bundle once it misses a scheduled key, and passes on a fresh one",
    LONG,
    async () => {
      const stale = await check("t0", T1);
      expect(stale.code).toBe(1);
      expect(stale.stderr).toContain("KIT_BUNDLE_KEY_MISSING");
      expect(stale.stderr).toContain(`generation ${k0 + 2}, kid ${kids.get(k0 + 2)}`);
      expect(stale.stderr).toMatch(/1 of 1 bundle\(s\) are stale; run `fakit bundle`/);
      expect(stale.stderr).not.toMatch(/ {4}at /);
      const fresh = await check("t1", T1);
      expect(fresh.code).toBe(0);
      expect(fresh.stderr).toBe("");
    },
  );

  it("after the retention the old key is gone from FusionAuth and from new bundles", LONG, async () => {
    T2 = T1 + retention;
    // A minute before, the retired key is still published: a bundle built then holds it.
    expect(jwksKids(await emit("before-retention", T2 - 60))).toContain(kids.get(k0));

    await s.deployAt(T2);
    await expect(s.client.retrieveKey(keyIdOf(k0))).rejects.toMatchObject({ statusCode: 404 });
    const jwt = await tenantJwt();
    expect(jwt?.accessTokenKeyId).toBe(keyIdOf(k0 + 1));
    expect(jwt?.accessTokenVerificationKeyIds ?? []).not.toContain(keyIdOf(k0));
    const published = (await s.client.retrieveJsonWebKeySet()).response.keys?.map((k) => k.kid);
    expect(published).not.toContain(kids.get(k0));
    expect(published).toContain(kids.get(k0 + 1));

    const dir = await emit("t2", T2);
    expect(jwksKids(dir)).toEqual([kids.get(k0 + 1), kids.get(k0 + 2)].sort());
    // No token the old key signed is still within its grace: deleting it lost nothing a device may accept.
    const { exp } = claimsOf(tokenOld);
    expect(exp + G).toBeLessThanOrEqual(T2);
    expect(await offline(tokenOld, bundles.t2, T2)).toMatchObject({
      decision: "refused",
      reason: { code: "kid-unknown" },
    });
  });

  it("an idle gap of three periods defers activation instead of signing with a fresh key", LONG, async () => {
    T3 = T2 + 3 * K;
    const kGap = Math.floor((T3 - EPOCH) / K);
    const out = await s.deployAt(T3);
    const rotation = out.rotations[TENANT];
    expect(rotation?.heldBack).toMatchObject({ scheduledGeneration: kGap, until: T3 + L });
    expect(rotation?.heldBack?.message).toContain(iso(T3 + L));
    expect(out.applications[`${TENANT}/${APP}`]?.rotation.heldBack).toContain(iso(T3 + L));
    expect(out.log).toContain(`held back`);

    // What signs is a key published since before the gap, never one this run created.
    const signing = rotation?.signingGeneration as number;
    expect(signing).toBeLessThan(kGap);
    const signingKey = (await s.client.retrieveKey(keyIdOf(signing))).response.key;
    expect((signingKey?.insertInstant as number) / 1000 + L).toBeLessThanOrEqual(T3);
    const created = (await s.client.retrieveKey(keyIdOf(kGap))).response.key;
    expect(created?.insertInstant).toBe(T3 * 1000);
    const token = (await user.login()).token;
    expect(kidOf(token)).toBe(signingKey?.kid);
    // So a device whose bundle is from before the gap still verifies what it meets.
    expect(await offline(token, bundles.t1, T3 + 60)).toMatchObject({ decision: "full", keyId: signingKey?.kid });
    expect(jwksKids(bundlePath("t1"))).not.toContain(created?.kid);

    // `fakit plan --live` says so, and until when; the hold ends exactly when the lead is met.
    const plan = await s.fakit(["plan", "--stack", s.stackName, "--live", "--now", iso(T3 + L - 60)]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain("HELD BACK");
    expect(plan.stdout).toContain(iso(T3 + L));
    const planLater = await s.fakit(["plan", "--stack", s.stackName, "--live", "--now", iso(T3 + L)]);
    expect(planLater.stdout).not.toContain("HELD BACK");

    // The bundle built during the hold already holds the fresh key, which signs once the lead is met.
    const during = await emit("t3", T3);
    expect(jwksKids(during)).toContain(created?.kid);
    const after = await s.deployAt(T3 + L);
    expect(after.rotations[TENANT]).toMatchObject({ signingGeneration: kGap, heldBack: null });
    const next = (await user.login()).token;
    expect(kidOf(next)).toBe(created?.kid);
    expect(await offline(next, bundles.t3, T3 + L + 60)).toMatchObject({ decision: "full", keyId: created?.kid });
  });

  it("`bundle --check` fails once a bundle's horizon has passed", LONG, async () => {
    const file = JSON.parse(readFileSync(path.join(bundlePath("t3"), "policy.json"), "utf8"));
    const horizon = sec(file.horizon);
    // The horizon is the slot of the first generation the bundle does not hold.
    const newest = Math.max(...file.keys.map((k: { generation: number }) => k.generation));
    expect(horizon).toBe(sched(newest + 1));
    // The daily pipeline ran meanwhile; the app build still ships the bundle from t3.
    await s.deployAt(horizon);
    const late = await check("t3", horizon);
    expect(late.code).toBe(1);
    expect(late.stderr).toContain("KIT_BUNDLE_HORIZON_PASSED");
    expect(late.stderr).toContain(`horizon ${iso(horizon)} has passed`);
    await emit("horizon", horizon);
    expect((await check("horizon", horizon)).code).toBe(0);
  });
});
