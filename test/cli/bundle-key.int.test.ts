// `fakit bundle-key generate` and the signing-key flags of `fakit bundle`, spawned as processes. Nothing here
// needs FusionAuth: key problems are reported before it is asked anything.
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { calculateJwkThumbprint } from "jose";
import { describe, expect, it } from "vitest";
import { fakit, REPO, scratchRepo } from "./cli-fixture";

/** A stack whose FusionAuth nothing answers for: the signing key is resolved before FusionAuth is asked. */
const UNREACHABLE_STACK =
  "config:\n  fusionauth-offline-kit:url: http://127.0.0.1:9\n  fusionauth-offline-kit:tenants:\n    - key: t1\n      name: T1\n      issuer: https://t1.example.com\n      preset: standard\n      applications:\n        - key: app\n          name: App\n          redirectUris: [com.example.app:/cb]\n";

const scratch = () => mkdtempSync(join(tmpdir(), "fakit-bundle-key-"));

describe("fakit bundle-key generate", { timeout: 30_000 }, () => {
  it("writes the private JWK with mode 0600 and the public JWK to pin, and names the key", async () => {
    const dir = join(scratch(), "keys");
    const r = fakit(["bundle-key", "generate", "--out", dir]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const priv = JSON.parse(readFileSync(join(dir, "private.jwk.json"), "utf8"));
    const pub = JSON.parse(readFileSync(join(dir, "public.jwk.json"), "utf8"));
    expect(statSync(join(dir, "private.jwk.json")).mode & 0o777).toBe(0o600);
    expect(priv).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256" });
    expect(typeof priv.d).toBe("string");
    expect(pub).not.toHaveProperty("d");
    const kid = await calculateJwkThumbprint(pub);
    expect(pub.kid).toBe(kid);
    expect(r.stdout).toContain(`generated bundle signing key ${kid} (EC P-256, ES256)`);
    expect(r.stdout).not.toContain(priv.d);
  });

  it("does not replace an existing key pair without --force", () => {
    const dir = scratch();
    expect(fakit(["bundle-key", "generate", "--out", dir]).code).toBe(0);
    const before = readFileSync(join(dir, "public.jwk.json"), "utf8");
    const again = fakit(["bundle-key", "generate", "--out", dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("KIT_BUNDLE_SIGNING_KEY_INVALID");
    expect(again.stderr).toContain("exists already; apps pin the old public key, so replacing it needs --force");
    expect(readFileSync(join(dir, "public.jwk.json"), "utf8")).toBe(before);
    expect(fakit(["bundle-key", "generate", "--out", dir, "--force"]).code).toBe(0);
    expect(readFileSync(join(dir, "public.jwk.json"), "utf8")).not.toBe(before);
  });

  it("refuses to write the private key into the repository outside .fakit/", () => {
    const r = fakit(["bundle-key", "generate", "--out", "keys"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("the private key must never be committed");
    expect(existsSync(join(REPO, "keys"))).toBe(false);
  });
});

// #24: each of these wrote the key (or overwrote another file) before the output path was checked.
describe("fakit bundle-key generate: the output path", { timeout: 30_000 }, () => {
  it("refuses a path that only looks outside the repository: ./..keys is inside it", () => {
    const repo = scratchRepo({});
    const r = fakit(["bundle-key", "generate", "--out", "./..keys"], repo);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("the private key must never be committed");
    expect(existsSync(join(repo, "..keys"))).toBe(false);
  });

  it("refuses a symlinked path that leads into the repository", () => {
    const repo = scratchRepo({});
    const link = join(scratch(), "innocent");
    symlinkSync(repo, link);
    const r = fakit(["bundle-key", "generate", "--out", join(link, "keys")], repo);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("the private key must never be committed");
    expect(existsSync(join(repo, "keys"))).toBe(false);
  });

  it("refuses a symlink at the output path or in a parent below the working directory", () => {
    const cwd = scratch();
    mkdirSync(join(cwd, "elsewhere"));
    symlinkSync(join(cwd, "elsewhere"), join(cwd, "keys"));
    symlinkSync(join(cwd, "elsewhere"), join(cwd, "parent"));
    const atPath = fakit(["bundle-key", "generate", "--out", "keys"], cwd);
    expect(atPath.code).toBe(2);
    expect(atPath.stderr).toContain("keys is a symlink: the key would land wherever it points");
    const inParent = fakit(["bundle-key", "generate", "--out", "parent/keys"], cwd);
    expect(inParent.code).toBe(2);
    expect(inParent.stderr).toContain("parent is a symlink");
    expect(existsSync(join(cwd, "elsewhere", "private.jwk.json"))).toBe(false);
    expect(existsSync(join(cwd, "elsewhere", "keys"))).toBe(false);
  });

  it("refuses a folder other users can write to", () => {
    const dir = join(scratch(), "open");
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    const r = fakit(["bundle-key", "generate", "--out", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${dir} is writable by other users (mode 0777)`);
    expect(existsSync(join(dir, "private.jwk.json"))).toBe(false);
  });

  it("never writes through a symlink at a key file: not a dangling one, and --force replaces the link itself", () => {
    const dir = scratch();
    const victim = join(scratch(), "victim.txt");
    // A dangling link: a plain write creates the file it names.
    symlinkSync(victim, join(dir, "private.jwk.json"));
    const dangling = fakit(["bundle-key", "generate", "--out", dir]);
    expect(dangling.code).toBe(1);
    expect(dangling.stderr).toContain("exists already");
    expect(existsSync(victim)).toBe(false);

    writeFileSync(victim, "unrelated\n");
    const forced = fakit(["bundle-key", "generate", "--out", dir, "--force"]);
    expect(forced.stderr).toBe("");
    expect(forced.code).toBe(0);
    expect(readFileSync(victim, "utf8")).toBe("unrelated\n");
    const priv = join(dir, "private.jwk.json");
    expect(lstatSync(priv).isSymbolicLink()).toBe(false);
    expect(statSync(priv).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(priv, "utf8"))).toMatchObject({ kty: "EC", crv: "P-256" });
  });
});

describe("fakit bundle: the signing key", { timeout: 30_000 }, () => {
  it("a stack other than local needs the pipeline's key, and says how to get one", () => {
    const r = fakit(["bundle", "--stack", "example"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "stack example needs the pipeline's bundle signing key: --sign-key FILE or FAKIT_BUNDLE_SIGNING_KEY=FILE (create one with `fakit bundle-key generate`)",
    );
  });

  it("--check needs the public key the app pins", () => {
    const r = fakit(["bundle", "--stack", "example", "--check"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "--check needs the public key the app pins to verify the bundles' signatures: --verify-key FILE",
    );
  });

  it("refuses a public key as the signing key, and a missing file, without a stack trace", () => {
    const dir = scratch();
    fakit(["bundle-key", "generate", "--out", dir]);
    const pub = fakit(["bundle", "--stack", "example", "--sign-key", join(dir, "public.jwk.json")]);
    expect(pub.code).toBe(1);
    expect(pub.stderr).toContain("KIT_BUNDLE_SIGNING_KEY_INVALID");
    expect(pub.stderr).toContain("a public key cannot sign");
    const missing = fakit(["bundle", "--stack", "example", "--sign-key", join(dir, "nope.json")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`cannot read the bundle signing key ${join(dir, "nope.json")} (ENOENT)`);
    expect(`${pub.stderr}${missing.stderr}`).not.toMatch(/ {4}at /);
  });

  it("the local stack signs with a development key under .fakit/bundle-signing/, created once, and says so", {
    timeout: 60_000,
  }, () => {
    const dir = scratchRepo({
      // An address nothing answers on: the key is resolved before FusionAuth is asked anything.
      "stacks/Pulumi.local.yaml": UNREACHABLE_STACK,
    });
    const run = () =>
      spawnSync(process.execPath, [join(REPO, "bin", "fakit.js"), "bundle", "--stack", "local"], {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, FUSIONAUTH_API_KEY: "not-needed-before-fusionauth", FAKIT_BUNDLE_SIGNING_KEY: "" },
      });
    const first = run();
    const priv = join(dir, ".fakit", "bundle-signing", "private.jwk.json");
    expect(statSync(priv).mode & 0o777).toBe(0o600);
    const kid = JSON.parse(readFileSync(priv, "utf8")).kid;
    expect(first.stdout).toContain(
      `generated the local development bundle signing key .fakit/bundle-signing/private.jwk.json (kid ${kid}); apps built against stack local pin .fakit/bundle-signing/public.jwk.json`,
    );
    const again = run();
    expect(again.stdout).toContain(
      `using the local development bundle signing key .fakit/bundle-signing/private.jwk.json (kid ${kid})`,
    );
    // Then FusionAuth cannot be reached: a clear error, no stack trace, nothing written.
    expect(again.status).toBe(1);
    expect(again.stderr).toContain("FusionAuth could not be reached");
    expect(again.stderr).not.toMatch(/ {4}at /);
  });

  it("warns when the private key file is readable by other users", { timeout: 60_000 }, () => {
    const dir = scratchRepo({ "stacks/Pulumi.ci.yaml": UNREACHABLE_STACK });
    const keys = scratch();
    fakit(["bundle-key", "generate", "--out", keys]);
    const priv = join(keys, "private.jwk.json");
    chmodSync(priv, 0o644);
    const r = spawnSync(
      process.execPath,
      [join(REPO, "bin", "fakit.js"), "bundle", "--stack", "ci", "--sign-key", priv],
      {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, FUSIONAUTH_API_KEY: "not-needed-before-fusionauth" },
      },
    );
    expect(r.stderr).toContain(
      `fakit bundle: warning: ${priv} is readable by other users (mode 0644); restrict it with chmod 600`,
    );
  });
});
