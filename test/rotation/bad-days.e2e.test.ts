// Bad days, rehearsed end to end (issue 14): the real `pulumi up` and `fakit` CLI against the emulator, on the
// shipped `local` stack. The signing key of field-ops is compromised (a token is forged with its private half,
// read from the emulator's data file), revoked in the stack and taken out by `up`; each kind of device the
// exposure names is checked through the offline session an app ships (createOfflineSession with the
// pipeline's pinned bundle key): the attacker writes a fresh `iat` into every forgery, and the device's own
// recorded check-in still ends the acceptance. Then a user's sessions are revoked, and the Pulumi state is lost and restored.
// The commands are those of docs/runbooks.md, in the same order. One set-up, one story.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createLocalJWKSet, importPKCS8, type JSONWebKeySet, type JWK, jwtVerify, type KeyLike, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOfflineSession, type OfflineSession } from "../../packages/verifier/src";
import { loadState } from "../../src/emulator/persistence";
import { keyId } from "../../src/fusionauth/ids";
import type { EffectivePolicy } from "../../src/policy/types";
import type { DesiredState } from "../../src/stack/desired-state";
import { shippedStack } from "../../testkit/helpers/kit-project";
import {
  type AppOutput,
  type AppUser,
  claimsOf,
  iso,
  type KitScenario,
  kidOf,
  readBundleDir,
  registerUser,
  runFakit,
  sec,
  startKitScenario,
} from "../helpers/kit-scenario";
import { compileStackText } from "../helpers/policies";
import { LONG, pulumiToolchain } from "../helpers/pulumi";
import { testDeviceKey } from "../verifier/device-fixture";

const tc = await pulumiToolchain();
const TENANT = "field-ops";
const APP = "inspector";
const NAME = `${TENANT}/${APP}`;
const REVOKE_KEY = "e2e-bad-days-revoke-key";
const REASON = "private key pasted into a support ticket";
/** First deployment; the compromise two days later, long before g1's lead (21 days) has passed. */
const T0 = sec("2026-03-10T09:00:00Z");
const TC = T0 + 2 * 86_400;

/** The shipped local stack, on the test's emulator, without its encrypted key (the test stack sets its own). */
function localStack(url: string, revoked = ""): string {
  return shippedStack("local", url)
    .replaceAll("http://localhost:9011", url)
    .replace(/ {2}fusionauth-offline-kit:apiKey:\n {4}secure: .*\n/, "")
    .replace(/^encryptionsalt: .*\n/m, "")
    .replace(/( {6}preset: field\n)/, `$1${revoked}`);
}
// `at` quoted: Pulumi rewrites stack files with a YAML 1.1 parser that would turn a bare time into another text.
const revokedBlock = (generation: number, at: number) =>
  `      keys:\n        revoked:\n          - generation: ${generation}\n            reason: ${REASON}\n            at: "${iso(at)}"\n`;

describe.skipIf(tc === undefined)("bad days: key compromise, a stolen device, lost state", () => {
  let s: KitScenario;
  let dataDir: string;
  let state: DesiredState;
  let policy: EffectivePolicy;
  let app: AppOutput;
  let user: AppUser;
  let kid0: string;
  let kid1: string;
  let forgeKey: KeyLike;
  let forged: string;
  let pinned: JWK;
  let backup: unknown;
  const out = (name: string) => path.join(dataDir, name);
  const bundleDir = (name: string) => path.join(out(name), s.stackName, TENANT, APP);
  const fakit = (args: string[]) => s.fakit(args);
  const at = (t: number) => new Date(t * 1000);
  /** A device holding the bundle in `dir`, as the app opens it at start-up with the pinned bundle key. */
  const device = async (dir: string): Promise<OfflineSession> =>
    createOfflineSession({
      bundle: readBundleDir(dir),
      pinnedKeys: [pinned],
      persist: async () => {},
      deviceKey: await testDeviceKey(),
    });
  /** What a device holding the bundle in `dir`, whose last check-in was at `checkedIn`, answers offline at `t`. */
  async function offline(token: string, dir: string, t: number, checkedIn: number) {
    const d = await device(dir);
    // The sign-in (a check-in) fetched the JWKS with it (syncJwks); the keys FusionAuth published then are those
    // the bundle holds. Without a fetch the check-in would count only from the bundle's build.
    expect(await d.recordSignIn(at(checkedIn))).toBe(true);
    const jwks = JSON.parse(readFileSync(path.join(dir, "jwks.json"), "utf8"));
    expect(await d.acceptJwks(jwks, at(checkedIn))).toEqual({ ok: true });
    return d.decide({ token, now: at(t), online: false });
  }
  /** The strong attacker: a token signed with the leaked key, issued a minute before it is used at `use`. */
  const forge = (use: number) =>
    new SignJWT({ sub: "00000000-0000-4000-8000-00000000beef", roles: ["admin"] })
      .setProtectedHeader({ alg: policy.accessToken.algorithm, kid: kid0, typ: "JWT" })
      .setIssuer(app.issuer)
      .setAudience(app.applicationId)
      .setIssuedAt(use - 60)
      .setExpirationTime(use - 60 + policy.accessToken.ttlSeconds)
      .sign(forgeKey);
  const transcript: string[] = [];
  const say = (command: string, r: { code: number | null; stdout: string; stderr: string }) =>
    transcript.push(`$ ${command}   # exit ${r.code}`, ...`${r.stdout}${r.stderr}`.trimEnd().split("\n"));

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "fakit-bad-days-"));
    // biome-ignore lint/style/noNonNullAssertion: guarded by skipIf
    s = await startKitScenario(tc!, {
      stackPrefix: "baddays",
      stackYaml: (url) => localStack(url),
      at: T0,
      dataFile: out("emulator.json"),
      extraApiKeys: [
        { key: REVOKE_KEY, permissions: { endpoints: { "/api/user": ["GET"], "/api/jwt/refresh": ["DELETE"] } } },
      ],
    });
    state = compileStackText(localStack(s.emu.url), s.stackName);
    policy = state.tenants.find((t) => t.key === TENANT)?.policy as EffectivePolicy;
    const first = await s.deployAt(T0);
    app = first.applications[NAME] as AppOutput;
    backup = await s.stack.stack.exportStack();
    kid0 = (await s.client.retrieveKey(keyId(s.stackName, TENANT, 0))).response.key?.kid as string;
    kid1 = (await s.client.retrieveKey(keyId(s.stackName, TENANT, 1))).response.key?.kid as string;
    expect(app.signingKid).toBe(kid0);
    const r = await fakit(["bundle", "--stack", s.stackName, "--out", out("old"), "--now", iso(T0)]);
    expect(r.code).toBe(0);
    pinned = JSON.parse(readFileSync(s.signingKey.publicPath, "utf8"));
    s.setClock(T0 + 3600);
    user = await registerUser(s, app, "crew-member");
  }, 600_000);

  afterAll(async () => {
    if (transcript.length > 0) console.log(`\n--- bad-days rehearsal ---\n${transcript.join("\n")}\n`);
    await s?.dispose();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("an attacker with the signing key's private half forges a token every device accepts", LONG, async () => {
    // The data file is a snapshot plus a journal of later changes: read both, as the emulator does at start-up.
    const stored = loadState(out("emulator.json"))?.keys[keyId(s.stackName, TENANT, 0)];
    forgeKey = (await importPKCS8(stored?.privateKey as string, policy.accessToken.algorithm)) as KeyLike;
    // Issued after the device below last checked in (TC - 60): the token's iat is no check-in.
    forged = await forge(TC + 120);
    const r = await offline(forged, bundleDir("old"), TC + 120, TC - 60);
    expect(r).toMatchObject({ decision: "full", keyId: kid0 });
  });

  it("1-3. revoking a generation the tenant never had is a located error, nothing applied", LONG, async () => {
    s.project.writeStack("typo", localStack(s.emu.url, revokedBlock(9, TC)));
    const r = await fakit(["validate", "stacks/Pulumi.typo.yaml"]);
    say("fakit validate stacks/Pulumi.typo.yaml", r);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^stacks\/Pulumi\.typo\.yaml:\d+:\d+: KIT_REVOKED_UNKNOWN_GENERATION tenant "field-ops" never published generation 9 by /m,
    );
    rmSync(path.join(s.project.dir, "stacks", "Pulumi.typo.yaml"));
  });

  it("1-4. the stack revokes generation 0; plan --live shows the exposure per application", LONG, async () => {
    // Edited in place: the file also holds the stack's encrypted API key and salt, which Pulumi wrote there.
    const file = `stacks/Pulumi.${s.stackName}.yaml`;
    s.project.write(file, s.project.read(file).replace(/( {6}preset: field\n)/, `$1${revokedBlock(0, TC)}`));
    const v = await fakit(["validate", `stacks/Pulumi.${s.stackName}.yaml`]);
    expect(v.code).toBe(0);
    s.setClock(TC);
    const text = await fakit(["plan", "--stack", s.stackName, "--live", "--now", iso(TC)]);
    say(`fakit plan --stack ${s.stackName} --live`, {
      ...text,
      stdout: text.stdout.slice(text.stdout.indexOf("EXPOSURE") - 1),
    });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`EXPOSURE of ${NAME} to revoked generation 0, kid ${kid0}`);
    const json = JSON.parse(
      (await fakit(["plan", "--stack", s.stackName, "--live", "--json", "--now", iso(TC)])).stdout,
    );
    const L =
      policy.offline.jwksRefreshSeconds + policy.offline.checkInSeconds + policy.offline.clockRollbackToleranceSeconds;
    expect(json.exposure).toEqual([
      {
        tenant: TENANT,
        application: NAME,
        applicationId: app.applicationId,
        generation: 0,
        kid: kid0,
        reason: REASON,
        revokedAt: iso(TC).replace(".000Z", "Z"),
        staleDevicesAcceptUntil: iso(TC + policy.offline.checkInSeconds).replace(".000Z", "Z"),
        checkInSeconds: policy.offline.checkInSeconds,
        offlineBoots: policy.offline.clockTrust.offlineBoots,
        updatedDevicesRefuse: true,
        buildCheck: `fakit bundle --check --stack ${s.stackName} --app ${NAME}`,
        bundlesListIt: true,
        signingKeyShortfall: {
          generation: 1,
          publishedAt: iso(T0).replace(".000Z", "Z"),
          allDevicesHaveItBy: iso(T0 + L).replace(".000Z", "Z"),
        },
      },
    ]);
  });

  it(
    "5. `pulumi up` switches signing to generation 1 at once and deletes generation 0 in the same run",
    LONG,
    async () => {
      const up = await s.deployAt(TC);
      transcript.push("$ pulumi up", ...up.log.split("\n").filter((l) => /^ {4}warning: tenant/.test(l)));
      expect(up.log).toContain(`generation 0 (kid ${kid0}) is revoked (${REASON})`);
      expect(up.log).toContain("generation 1 signs at once in place of revoked generation 0");
      expect(up.rotations[TENANT]).toMatchObject({ signingGeneration: 1, publishedGenerations: [1, 2, 3] });
      const jwt = (await s.client.retrieveTenant(app.tenantId)).response.tenant?.jwtConfiguration;
      expect(jwt?.accessTokenKeyId).toBe(keyId(s.stackName, TENANT, 1));
      expect(jwt?.accessTokenVerificationKeyIds ?? []).not.toContain(keyId(s.stackName, TENANT, 0));
      const keys = (await s.client.retrieveKeys()).response.keys ?? [];
      expect(keys.map((k) => k.id)).not.toContain(keyId(s.stackName, TENANT, 0));
    },
  );

  it(
    "6. a device with the old bundle accepts the forged token until its check-in deadline, not after",
    LONG,
    async () => {
      const checkedIn = TC - 60;
      const deadline = checkedIn + policy.offline.checkInSeconds;
      // Within what plan said: revokedAt + check-in.
      expect(deadline).toBeLessThanOrEqual(TC + policy.offline.checkInSeconds);
      const old = bundleDir("old");
      expect((await offline(forged, old, TC + 3600, checkedIn)).decision).toBe("full");
      expect((await offline(forged, old, deadline - 1, checkedIn)).decision).toBe("degraded");
      expect((await offline(forged, old, deadline, checkedIn)).reason.code).toBe("check-in-overdue");
      // A forgery issued a minute before each use stays full until the deadline, and is refused from it on.
      expect((await offline(await forge(deadline - 1), old, deadline - 1, checkedIn)).decision).toBe("full");
      const fresh = await offline(await forge(deadline), old, deadline, checkedIn);
      expect(fresh).toMatchObject({ decision: "refused", reason: { code: "check-in-overdue" } });
      const muchLater = deadline + 60 * 86_400;
      expect((await offline(await forge(muchLater), old, muchLater, checkedIn)).reason.code).toBe("check-in-overdue");
    },
  );

  it("7. a device with a JWKS or a bundle fetched after `up` refuses it", LONG, async () => {
    const jwks = (await (await fetch(`${s.emu.url}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
    await expect(jwtVerify(forged, createLocalJWKSet(jwks))).rejects.toThrow();
    // The pipeline builds into the folder holding the previous bundles: the revoked key's kid is remembered there.
    cpSync(out("old"), out("new"), { recursive: true });
    const r = await fakit(["bundle", "--stack", s.stackName, "--out", out("new"), "--now", iso(TC)]);
    say(`fakit bundle --stack ${s.stackName}`, r);
    expect(r.code).toBe(0);
    const file = JSON.parse(readFileSync(path.join(bundleDir("new"), "policy.json"), "utf8"));
    expect(file.revokedKeys).toEqual([{ kid: kid0, generation: 0, reason: REASON, revokedAt: iso(TC) }]);
    const r2 = await offline(forged, bundleDir("new"), TC + 120, TC - 60);
    expect(r2).toMatchObject({ decision: "refused", reason: { code: "kid-revoked" }, keyId: kid0 });
    expect((await offline(await forge(TC + 60), bundleDir("new"), TC + 60, TC - 60)).decision).toBe("refused");
  });

  it("8. a fresh login signs with generation 1 and verifies everywhere", LONG, async () => {
    s.setClock(TC + 600);
    const { token } = await user.login();
    expect(kidOf(token)).toBe(kid1);
    const jwks = (await (await fetch(`${s.emu.url}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
    const currentDate = new Date((TC + 660) * 1000);
    await expect(jwtVerify(token, createLocalJWKSet(jwks), { issuer: app.issuer, currentDate })).resolves.toBeDefined();
    for (const dir of [bundleDir("new"), bundleDir("old")]) {
      const d = await device(dir);
      expect((await d.login({ token, now: at(TC + 600) })).reason.code).toBe("valid");
      expect((await d.decide({ token, now: at(TC + 660), online: false })).decision).toBe("full");
    }
  });

  it("9. `bundle --check` fails on the old build, naming the key and the reason", LONG, async () => {
    const r = await fakit([
      "bundle",
      "--check",
      "--stack",
      s.stackName,
      "--out",
      out("old"),
      "--app",
      NAME,
      "--now",
      iso(TC),
    ]);
    say(`fakit bundle --check --stack ${s.stackName} --app ${NAME}   # the old build`, r);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `KIT_BUNDLE_KEY_REVOKED the bundle carries generation 0, kid ${kid0}, revoked at ${iso(TC)}: ${REASON}`,
    );
    const fresh = await fakit([
      "bundle",
      "--check",
      "--stack",
      s.stackName,
      "--out",
      out("new"),
      "--app",
      NAME,
      "--now",
      iso(TC),
    ]);
    expect(fresh.code).toBe(0);
  });

  it(
    "stolen device: `fakit revoke` ends the user's sessions; online refresh fails, offline ends when it said",
    LONG,
    async () => {
      const TR = TC + 3600;
      s.setClock(TR - 60);
      const { token, refreshToken } = await user.login();
      // The phone signed in online just before it was stolen: the session records that as its check-in.
      const phone = await device(bundleDir("new"));
      expect((await phone.login({ token, now: at(TR - 60) })).reason.code).toBe("valid");
      // With the JWKS fetched at the sign-in (syncJwks), the check-in counts from it.
      const jwks = await (await fetch(`${s.emu.url}/.well-known/jwks.json`)).json();
      expect(await phone.acceptJwks(jwks, at(TR - 60))).toEqual({ ok: true });
      s.setClock(TR);
      const args = ["revoke", "--stack", s.stackName, "--user", user.userId, "--app", NAME, "--now", iso(TR)];
      const text = await runFakit(args, s.project.dir, { FUSIONAUTH_REVOKE_API_KEY: REVOKE_KEY });
      say(`fakit revoke --stack ${s.stackName} --user ${user.userId} --app ${NAME}`, text);
      expect(text.code).toBe(0);
      const refreshed = await fetch(`${s.emu.url}/api/jwt/refresh`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-FusionAuth-TenantId": app.tenantId },
        body: JSON.stringify({ refreshToken }),
      });
      expect(refreshed.status).toBe(400);

      const json = await runFakit([...args, "--json"], s.project.dir, { FUSIONAUTH_REVOKE_API_KEY: REVOKE_KEY });
      const [said] = JSON.parse(json.stdout).applications as { fullUntil: string; degradedUntil: string }[];
      expect(phone.state.lastCheckIn).toBe(claimsOf(token).iat);
      const fullUntil = sec(said?.fullUntil as string);
      const degradedUntil = sec(said?.degradedUntil as string);
      expect(text.stdout).toContain(`fully until at most ${said?.fullUntil}`);
      const thief = (t: number) => phone.decide({ token, now: at(t), online: false });
      expect((await thief(TR + 60)).decision).toBe("full");
      expect((await thief(fullUntil)).decision).not.toBe("full");
      expect((await thief(degradedUntil - 120)).decision).toBe("degraded");
      expect((await thief(degradedUntil)).decision).toBe("refused");
    },
  );

  it("lost state: `up` adopts the keys FusionAuth holds, duplicating and deleting none", LONG, async () => {
    const before = ((await s.client.retrieveKeys()).response.keys ?? []).map((k) => `${k.id} ${k.kid}`).sort();
    const current = (await s.stack.stack.exportStack()) as { deployment: { resources?: { type: string }[] } };
    const lost = {
      ...current,
      deployment: {
        ...current.deployment,
        resources: (current.deployment.resources ?? []).filter((r) => r.type.startsWith("pulumi:")),
      },
    };
    await s.stack.stack.importStack(lost as never);
    const up = await s.deployAt(TC + 7200);
    expect(up.rotations[TENANT]).toMatchObject({ signingGeneration: 1, publishedGenerations: [1, 2, 3] });
    const after = ((await s.client.retrieveKeys()).response.keys ?? []).map((k) => `${k.id} ${k.kid}`).sort();
    expect(after).toEqual(before);
    s.emu.counters.reset();
    await s.deployAt(TC + 7300);
    expect(s.emu.counters.snapshot().writes).toBe(0);
  });

  it("restored state from before the incident: `up` converges without a duplicate or an error", LONG, async () => {
    const before = ((await s.client.retrieveKeys()).response.keys ?? []).map((k) => `${k.id} ${k.kid}`).sort();
    const file = out("backup.json");
    writeFileSync(file, JSON.stringify(backup));
    await s.stack.stack.importStack(JSON.parse(readFileSync(file, "utf8")));
    const up = await s.deployAt(TC + 7400);
    expect(up.rotations[TENANT]).toMatchObject({ signingGeneration: 1, publishedGenerations: [1, 2, 3] });
    const after = ((await s.client.retrieveKeys()).response.keys ?? []).map((k) => `${k.id} ${k.kid}`).sort();
    expect(after).toEqual(before);
  });
});
