// The pipelines of docs/pipeline.md, run as a fresh CI runner runs them: each job a fresh checkout calling the
// repository's scripts (scripts/pipeline/), a new state backend, a real passphrase, the stacks created on first
// use, the FusionAuth URL and API key and the bundle signing key from environment variables. The environments
// workflow promotes one checkout dev -> staging -> prod, a pull request previews its change, and the state also
// lives in a local S3-compatible store (SeaweedFS), where two pipelines start `up` on the same stack at once.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSigningKeyFiles } from "../../src/bundle/signing-key-file";
import { type RunningEmulator, startEmulator } from "../../src/emulator";
import { REPO_ROOT } from "../../src/toolchain/pulumi-cli";
import { pulumiToolchain } from "../helpers/pulumi";
import { type Seaweed, seaweedBinDir, startSeaweed } from "../helpers/seaweed";

const tc = await pulumiToolchain();
const weedBin = tc === undefined ? undefined : await seaweedBinDir();
const API_KEY = "pipeline-e2e-api-key-0123456789";
const LONG = { timeout: 600_000 };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** A fresh checkout of the repository as a CI runner gets it (the code and node_modules linked, the rest copied). */
function freshCheckout(parent: string, name: string): string {
  const dir = path.join(parent, name);
  mkdirSync(dir);
  for (const f of ["Pulumi.yaml", "package.json", "bin", "stacks", "policies"])
    cpSync(path.join(REPO_ROOT, f), path.join(dir, f), { recursive: true });
  cpSync(path.join(REPO_ROOT, "scripts", "pipeline"), path.join(dir, "scripts", "pipeline"), { recursive: true });
  for (const f of ["src", "node_modules"]) symlinkSync(path.join(REPO_ROOT, f), path.join(dir, f));
  return dir;
}

/** `bash scripts/pipeline/<script> args` in a checkout, as a workflow step runs it. */
function step(checkout: string, env: Record<string, string>, script: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      "bash",
      [path.join("scripts", "pipeline", script), ...args],
      { cwd: checkout, env, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === "number" ? err.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A pull request's change: field-ops gets 20-minute access tokens in `stack` (FusionAuth's tenant changes). */
function changeAccessTokenTtl(checkout: string, stack: string): void {
  const file = path.join(checkout, "stacks", `Pulumi.${stack}.yaml`);
  const text = readFileSync(file, "utf8");
  const settings = /^ {2}fusionauth-offline-kit:tenantSettings:\n/m;
  const existing = /^ {4}field-ops:\n {6}overrides:\n {8}accessToken:\n {10}ttl: .*\n/m;
  const block = "    field-ops:\n      overrides:\n        accessToken:\n          ttl: 20m\n";
  const changed = existing.test(text)
    ? text.replace(existing, block)
    : settings.test(text)
      ? text.replace(settings, (m) => `${m}${block}`)
      : text.replace(/^config:\n/m, `config:\n  fusionauth-offline-kit:tenantSettings:\n${block}`);
  if (changed === text) throw new Error(`could not change ${file}`);
  writeFileSync(file, changed);
}

const ttlOf = async (emu: RunningEmulator, stack: string): Promise<number> => {
  const res = await fetch(`${emu.url}/api/tenant`, { headers: { Authorization: API_KEY } });
  const { tenants } = (await res.json()) as {
    tenants: { name: string; jwtConfiguration: { timeToLiveInSeconds: number } }[];
  };
  const t = tenants.find((x) => x.name === `Field Operations (${stack})`);
  if (t === undefined) throw new Error(`no field-ops tenant of ${stack}`);
  return t.jwtConfiguration.timeToLiveInSeconds;
};

describe.skipIf(tc === undefined)("the pipelines of docs/pipeline.md on a fresh runner", () => {
  let work: string;
  let emu: RunningEmulator;
  let env: Record<string, string>;
  let publicKey: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), "fakit-pipeline-"));
    emu = await startEmulator({ apiKeys: [API_KEY] });
    const key = await generateSigningKeyFiles(path.join(work, "bundle-key"));
    publicKey = key.publicPath;
    env = {
      ...(process.env as Record<string, string>),
      // biome-ignore lint/style/noNonNullAssertion: guarded by skipIf
      PATH: `${tc!.binDir}${path.delimiter}${process.env.PATH ?? ""}`,
      PULUMI_HOME: path.join(work, "pulumi-home"),
      PULUMI_BACKEND_URL: `file://${path.join(work, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: randomBytes(18).toString("base64url"),
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      FUSIONAUTH_URL: emu.url,
      FUSIONAUTH_API_KEY: API_KEY,
      // The secret's content, as a CI secret store holds it.
      FAKIT_BUNDLE_SIGNING_KEY: readFileSync(key.privatePath, "utf8"),
      NO_COLOR: "1",
    };
    mkdirSync(path.join(work, "state"));
  }, 120_000);

  afterAll(async () => {
    await emu?.close();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it("refuses to run on the kit's local defaults, saying what to set", async () => {
    const checkout = freshCheckout(work, "defaults");
    const { PULUMI_CONFIG_PASSPHRASE: _, ...noPassphrase } = env;
    const r = await step(checkout, noPassphrase, "deploy", ["dev"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/set PULUMI_CONFIG_PASSPHRASE/);
    const local = await step(checkout, { ...env, PULUMI_CONFIG_PASSPHRASE: "fakit-local-only" }, "preview", ["dev"]);
    expect(local.code).toBe(2);
    expect(local.stderr).toMatch(/local-only passphrase/);
  });

  it(
    "promotes one checkout dev -> staging -> prod, each stack created on the fresh backend, with signed bundles",
    async () => {
      const checkout = freshCheckout(work, "main");
      const check = await step(checkout, env, "check", ["dev", "staging", "prod"]);
      expect(check.code).toBe(0);
      expect(check.stdout).toContain("## staging -> prod");
      for (const stack of ["dev", "staging", "prod"]) {
        const r = await step(checkout, env, "deploy", [stack, "artifacts"]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`wrote artifacts/${stack}/field-ops/inspector`));
        // The stack got its own salt and the API key as a secret on the runner: nothing of it was committed.
        const stackFile = readFileSync(path.join(checkout, "stacks", `Pulumi.${stack}.yaml`), "utf8");
        expect(stackFile).toMatch(/^encryptionsalt: /m);
        expect(stackFile).not.toContain(API_KEY);
      }
      // An app build's gate accepts the prod bundles with the pinned public key.
      const gate = await new Promise<Run>((resolve) =>
        execFile(
          process.execPath,
          ["bin/fakit.js", "bundle", "--stack", "prod", "--out", "artifacts", "--check", "--verify-key", publicKey],
          { cwd: checkout, env },
          (err, stdout, stderr) => resolve({ code: err === null ? 0 : Number(err.code), stdout, stderr }),
        ),
      );
      expect(gate.code, gate.stderr).toBe(0);
      expect(gate.stdout).toContain("ok prod/clinic/ward-app");
    },
    LONG,
  );

  it(
    "previews a pull request's change from a fresh checkout, without writing",
    async () => {
      const checkout = freshCheckout(work, "pull-request");
      changeAccessTokenTtl(checkout, "prod");
      emu.counters.reset();
      const r = await step(checkout, env, "preview", ["prod"]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/field-ops/);
      expect(r.stdout).toMatch(/1 to update/);
      expect(emu.counters.snapshot().writes).toBe(0);
    },
    LONG,
  );

  describe.skipIf(weedBin === undefined)("with the state in an S3-compatible store (SeaweedFS)", () => {
    let weed: Seaweed;
    let s3env: Record<string, string>;

    beforeAll(async () => {
      weed = await startSeaweed(weedBin as string, path.join(work, "weed"));
      const bucket = await weed.createBucket("fakit-state");
      s3env = { ...env, ...weed.credentials, PULUMI_BACKEND_URL: bucket };
    }, 300_000);

    afterAll(async () => {
      await weed?.stop();
    });

    it(
      "deploys, then two pipelines start up on the same stack at once: one is refused by the lock, nothing is written twice",
      async () => {
        const first = await step(freshCheckout(work, "s3-first"), s3env, "deploy", ["dev", "artifacts"]);
        expect(first.code, first.stderr).toBe(0);
        expect(await ttlOf(emu, "dev")).toBe(600);

        const a = freshCheckout(work, "s3-a");
        const b = freshCheckout(work, "s3-b");
        for (const c of [a, b]) changeAccessTokenTtl(c, "dev");
        emu.counters.reset();
        const both = await Promise.all([a, b].map((c) => step(c, s3env, "deploy", ["dev", "artifacts"])));
        const locked = both.filter((r) => r.code !== 0);
        expect(locked.length).toBeGreaterThanOrEqual(1);
        for (const r of locked) expect(r.stdout + r.stderr).toMatch(/the stack is currently locked by \d+ lock\(s\)/);
        // Both refused (they took the lock at the same instant): the next run applies the change.
        if (locked.length === 2) expect((await step(a, s3env, "deploy", ["dev", "artifacts"])).code).toBe(0);
        expect(await ttlOf(emu, "dev")).toBe(1200);
        const writes = emu.counters.snapshot();
        expect(writes.writes).toBe(1);
        expect(Object.keys(writes.byRoute).filter((k) => !k.startsWith("GET "))).toEqual([
          expect.stringMatching(/^(PUT|PATCH) \/api\/tenant\/\{tenantId\}$/),
        ]);
        // Nothing lost: the state holds everything, and the next run has nothing to do.
        emu.counters.reset();
        const again = await step(b, s3env, "deploy", ["dev", "artifacts"]);
        expect(again.code, again.stderr).toBe(0);
        expect(again.stdout).toMatch(/unchanged/);
        expect(again.stdout).not.toMatch(/to update|to create|to delete/);
        expect(emu.counters.snapshot().writes).toBe(0);
      },
      LONG,
    );
  });
});
