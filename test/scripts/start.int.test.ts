// `FAKIT_STACK=dev npm start` on a fresh clone, without the bundle signing key the dev stack's bundles need: it
// says exactly what to set before it starts anything (it used to deploy, then fail at the bundles).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../src/toolchain/pulumi-cli";

describe("npm start of a stack that signs with the pipeline's key", () => {
  it("stops before deploying and names the variable and the command that makes the key", () => {
    const env: NodeJS.ProcessEnv = { ...process.env, FAKIT_STACK: "dev" };
    delete env.FAKIT_BUNDLE_SIGNING_KEY;
    const r = spawnSync(
      process.execPath,
      [path.join(REPO_ROOT, "node_modules", "tsx", "dist", "cli.mjs"), "scripts/start.ts"],
      {
        cwd: REPO_ROOT,
        env,
        encoding: "utf8",
      },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      "stack dev signs its bundles with the pipeline's bundle signing key, and FAKIT_BUNDLE_SIGNING_KEY is not set; nothing done.",
    );
    expect(r.stderr).toContain("node bin/fakit.js bundle-key generate --out ~/fakit-dev-bundle-key");
    expect(r.stderr).toContain(
      "FAKIT_BUNDLE_SIGNING_KEY=~/fakit-dev-bundle-key/private.jwk.json FAKIT_STACK=dev npm start",
    );
    // Nothing started: no Pulumi step, no emulator.
    expect(r.stdout).not.toContain("==> Pulumi CLI");
  });
});
