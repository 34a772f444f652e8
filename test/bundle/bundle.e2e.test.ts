// `fakit bundle` end to end for every signing algorithm a preset may choose: one tenant per algorithm, deployed
// with the real `pulumi up` against the emulator, bundled by the real CLI, and a real login token of each tenant
// verified with its bundle by the reference verifier and by `fakit verify`.
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decide } from "../../packages/verifier/src";
import { generateSigningKeyFiles } from "../../src/bundle/signing-key-file";
import type { DesiredState } from "../../src/stack/desired-state";
import {
  type AppOutput,
  iso,
  type KitScenario,
  kidOf,
  loadBundleDir,
  registerUser,
  sec,
  startKitScenario,
} from "../helpers/kit-scenario";
import { compileStackText } from "../helpers/policies";
import { LONG, pulumiToolchain } from "../helpers/pulumi";

const tc = await pulumiToolchain();
const NOW = sec("2026-05-04T10:00:00Z");

/** Every algorithm the `standard` level allows (RS* with a warning; HS* is refused by validation). */
const ALGORITHMS = ["ES256", "ES384", "ES512", "Ed25519", "RS256", "RS384", "RS512"] as const;
const tenantKey = (alg: string) => `alg-${alg.toLowerCase()}`;
/** The members a public JWK keeps, by key type (RFC 7518 section 6). */
const PUBLIC_MEMBERS: Record<string, string[]> = {
  EC: ["alg", "crv", "kid", "kty", "use", "x", "y"],
  OKP: ["alg", "crv", "kid", "kty", "use", "x"],
  RSA: ["alg", "e", "kid", "kty", "n", "use"],
};
const KEY_TYPE: Record<string, string> = { ES: "EC", Ed: "OKP", RS: "RSA" };
/** What an app build's key needs for `fakit bundle --check` (docs/pipeline.md): reading keys and tenants. */
const READ_ONLY_KEY = {
  key: "e2e-app-build-read-only",
  permissions: { endpoints: { "/api/key": ["GET"], "/api/tenant": ["GET"] } },
};

const stackYaml = (url: string) => `config:
  fusionauth-offline-kit:url: ${url}
  fusionauth-offline-kit:tenants:
${ALGORITHMS.map(
  (alg) => `    - key: ${tenantKey(alg)}
      name: Signs with ${alg}
      issuer: https://${tenantKey(alg)}.example.com
      preset: standard
      overrides:
        accessToken:
          algorithm: ${alg}
      applications:
        - key: app
          name: ${alg} App
          redirectUris: ["com.example.${tenantKey(alg).replace("-", "")}:/oauth2/callback"]
`,
).join("")}`;

/** Every file under a folder, relative path to bytes. */
function tree(dir: string): Map<string, Buffer> {
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) =>
    statSync(path.join(dir, f)).isFile(),
  );
  return new Map(files.sort().map((f) => [f, readFileSync(path.join(dir, f))]));
}

describe.skipIf(tc === undefined)("bundles for every signing algorithm", () => {
  let s: KitScenario;
  let desired: DesiredState;
  let outputs: Record<string, AppOutput>;
  let out: string;
  const bundleDir = (alg: string) => path.join(out, "a", s.stackName, tenantKey(alg), "app");

  beforeAll(async () => {
    // biome-ignore lint/style/noNonNullAssertion: guarded by skipIf
    s = await startKitScenario(tc!, { stackPrefix: "algs", stackYaml, at: NOW, extraApiKeys: [READ_ONLY_KEY] });
    desired = compileStackText(stackYaml(s.emu.url), s.stackName);
    out = s.outDir;
    outputs = (await s.deployAt(NOW)).applications;
    const r = await s.fakit(["bundle", "--stack", s.stackName, "--out", path.join(out, "a"), "--now", iso(NOW)]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  }, 300_000);

  afterAll(async () => {
    await s?.dispose();
  });

  it.each(ALGORITHMS)("the %s bundle holds the tenant's keys with public members only", async (alg) => {
    const jwks = JSON.parse(readFileSync(path.join(bundleDir(alg), "jwks.json"), "utf8")) as {
      keys: Record<string, string>[];
    };
    const tenant = desired.tenants.find((t) => t.key === tenantKey(alg));
    // The signing key and the one published ahead, exactly as FusionAuth reports them.
    const kids: string[] = [];
    for (const key of (await s.client.retrieveKeys()).response.keys ?? []) {
      if ((key.name ?? "").startsWith(`fakit:${s.stackName}:${tenant?.key}:`)) kids.push(key.kid as string);
    }
    expect(kids).toHaveLength(1 + (tenant?.policy.keys.publishedAhead as number));
    expect(jwks.keys.map((k) => k.kid).sort()).toEqual(kids.sort());
    for (const jwk of jwks.keys) {
      expect(jwk.alg).toBe(alg);
      expect(jwk.kty).toBe(KEY_TYPE[alg.slice(0, 2)]);
      expect(Object.keys(jwk).sort()).toEqual(PUBLIC_MEMBERS[jwk.kty as string]);
    }
    const policy = JSON.parse(readFileSync(path.join(bundleDir(alg), "policy.json"), "utf8"));
    expect(policy.allowedAlgorithms).toEqual([alg]);
  });

  it.each(ALGORITHMS)(
    "a real %s login token verifies with its bundle, offline and through `fakit verify`",
    async (alg) => {
      const app = outputs[`${tenantKey(alg)}/app`] as AppOutput;
      const user = await registerUser(s, app, `user-${tenantKey(alg)}`);
      const { token } = await user.login();
      expect(kidOf(token)).toBe(app.signingKid);
      const bundle = await loadBundleDir(bundleDir(alg));
      const d = await decide({ token, bundle, device: { now: new Date((NOW + 60) * 1000), online: false } });
      expect(d).toMatchObject({ decision: "full", reason: { code: "valid" }, keyId: app.signingKid });

      const cli = await s.fakit([
        "verify",
        "--bundle",
        bundleDir(alg),
        "--token",
        token,
        "--now",
        iso(NOW + 60),
        "--offline",
      ]);
      expect(cli.code).toBe(0);
      expect(JSON.parse(cli.stdout)).toMatchObject({ decision: "full", keyId: app.signingKid });
      // Another tenant's bundle does not know this tenant's key.
      const other = await loadBundleDir(bundleDir(alg === "ES256" ? "ES384" : "ES256"));
      expect(
        await decide({ token, bundle: other, device: { now: new Date((NOW + 60) * 1000), online: false } }),
      ).toMatchObject({ decision: "refused" });
    },
  );

  it("two runs with the same inputs write byte-identical bundles; another --now changes no key", LONG, async () => {
    const b = path.join(out, "b");
    expect((await s.fakit(["bundle", "--stack", s.stackName, "--out", b, "--now", iso(NOW)])).code).toBe(0);
    const first = tree(path.join(out, "a", s.stackName));
    const second = tree(path.join(b, s.stackName));
    expect([...second.keys()]).toEqual([...first.keys()]);
    // jwks.json, policy.json, manifest.json and manifest.jws: the signature is deterministic too (RFC 6979).
    expect([...first.keys()]).toHaveLength(4 * ALGORITHMS.length);
    for (const [file, bytes] of first) expect(second.get(file)?.equals(bytes), file).toBe(true);

    const c = path.join(out, "c");
    expect((await s.fakit(["bundle", "--stack", s.stackName, "--out", c, "--now", iso(NOW + 3600)])).code).toBe(0);
    const third = tree(path.join(c, s.stackName));
    const changed = [...third].filter(([file, bytes]) => !first.get(file)?.equals(bytes)).map(([file]) => file);
    expect(changed.filter((f) => f.endsWith("jwks.json"))).toEqual([]);
    expect(changed.filter((f) => f.endsWith("policy.json"))).toHaveLength(ALGORITHMS.length);
    // A later build has a higher generation, so a device can refuse to go back to an older bundle.
    const generation = (tr: Map<string, Buffer>) =>
      JSON.parse(tr.get(path.join(tenantKey("ES256"), "app", "manifest.json"))?.toString() ?? "{}").generation;
    expect(generation(first)).toBe(NOW);
    expect(generation(third)).toBe(NOW + 3600);
  });

  it(
    "`bundle --check --verify-key` passes the pipeline's bundles and fails tampered or foreign ones",
    LONG,
    async () => {
      const base = ["bundle", "--stack", s.stackName, "--out", path.join(out, "a"), "--check", "--now", iso(NOW)];
      const ok = await s.fakit([...base, "--verify-key", s.signingKey.publicPath], READ_ONLY_KEY.key);
      expect(ok.stderr).toBe("");
      expect(ok.code).toBe(0);

      // Another pipeline's key (an attacker's, or a staging key pinned by mistake) does not verify.
      const foreignDir = mkdtempSync(path.join(os.tmpdir(), "fakit-foreign-key-"));
      const foreign = await generateSigningKeyFiles(foreignDir);
      const wrong = await s.fakit([...base, "--verify-key", foreign.publicPath], READ_ONLY_KEY.key);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain(
        `KIT_BUNDLE_SIGNATURE_INVALID manifest.jws is signed by key "${s.signingKey.kid}"`,
      );
      // #24: the wrong key is not a stale bundle; `fakit bundle` would not fix it.
      expect(wrong.stderr).toContain(
        `fakit bundle --check: the key does not match: the bundles are signed by ${s.signingKey.kid}, the verification key is ${foreign.kid}`,
      );
      expect(wrong.stderr).not.toContain("are stale");

      // Raising the grace and recomputing the digest no longer passes: the signature covers the manifest.
      const copy = path.join(out, "tampered");
      cpSync(path.join(out, "a"), copy, { recursive: true });
      const dir = path.join(copy, s.stackName, tenantKey("ES256"), "app");
      const policy = JSON.parse(readFileSync(path.join(dir, "policy.json"), "utf8"));
      policy.graceSeconds = 30 * 86_400;
      const policyText = `${JSON.stringify(policy, null, 2)}\n`;
      writeFileSync(path.join(dir, "policy.json"), policyText);
      const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8"));
      for (const f of manifest.files)
        if (f.name === "policy.json") f.sha256 = createHash("sha256").update(policyText).digest("hex");
      writeFileSync(path.join(dir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
      // The gate as CI runs it on the copy: read-only API key, the pipeline's public bundle key.
      const checkCopy = () =>
        s.fakit(
          [
            "bundle",
            "--stack",
            s.stackName,
            "--out",
            copy,
            "--check",
            "--now",
            iso(NOW),
            "--verify-key",
            s.signingKey.publicPath,
          ],
          READ_ONLY_KEY.key,
        );
      const tampered = await checkCopy();
      expect(tampered.code).toBe(1);
      expect(tampered.stderr).toContain(
        "KIT_BUNDLE_SIGNATURE_INVALID manifest.jws does not verify over manifest.json: the manifest (or a file it lists) was changed after signing",
      );
      expect(tampered.stderr).not.toContain("KIT_BUNDLE_DIGEST_MISMATCH");
      // An unsigned bundle fails too.
      rmSync(path.join(dir, "manifest.jws"));
      const unsigned = await checkCopy();
      expect(unsigned.stderr).toContain("KIT_BUNDLE_SIGNATURE_MISSING manifest.jws is missing: the bundle is unsigned");
      rmSync(foreignDir, { recursive: true, force: true });
    },
  );

  it("an app build's read-only key is enough for `bundle --check`, and no write call is made", LONG, async () => {
    s.emu.counters.reset();
    const args = ["bundle", "--stack", s.stackName, "--out", path.join(out, "a"), "--check", "--now", iso(NOW)];
    const ok = await s.fakit(args, READ_ONLY_KEY.key);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    // The FusionAuth it read, then one line per bundle.
    expect(ok.stdout.trim().split("\n")).toHaveLength(ALGORITHMS.length + 1);
    expect(ok.stdout).toMatch(/^FusionAuth: http:\/\/\S+\n/);
    expect(s.emu.counters.snapshot().writes).toBe(0);
    // A key without those reads is refused by FusionAuth, and the gate fails instead of passing blindly.
    const denied = await s.fakit(args, "not-a-key");
    expect(denied.code).toBe(1);
    expect(denied.stdout).not.toContain("ok ");
    expect(denied.stderr).not.toMatch(/ {4}at /);
    expect(denied.stderr).toContain("FusionAuth refused the API key (401)");
  });

  it("`bundle --check --app` gates one application's build, and names the applications on a typo", LONG, async () => {
    const base = ["bundle", "--stack", s.stackName, "--out", path.join(out, "a"), "--check", "--now", iso(NOW)];
    const bundles = (out: string) => out.split("\n").filter((l) => l.startsWith("ok "));
    const first = bundles((await s.fakit(base, READ_ONLY_KEY.key)).stdout)[0] as string;
    const name = first.replace(/^ok [^/]+\//, "");
    const one = await s.fakit([...base, "--app", name], READ_ONLY_KEY.key);
    expect(one.code).toBe(0);
    expect(bundles(one.stdout)).toEqual([first]);
    const typo = await s.fakit([...base, "--app", `${name}-typo`], READ_ONLY_KEY.key);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain(`no application ${name}-typo in stack ${s.stackName} (applications: `);
  });
});
