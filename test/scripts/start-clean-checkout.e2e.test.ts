// The README's first command left the checkout dirty: `npm start`'s `pulumi stack select --create` made Pulumi's
// passphrase provider append `encryptionsalt` to the committed stacks/Pulumi.local.yaml. npm start's Pulumi part
// (deployStack, which start.ts calls) on a committed copy of the project, with the real CLI: after the first run
// and after a second command, `git status` shows nothing, and the second command reused the first one's salt.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployStack, runPulumi } from "../../scripts/local-pulumi";
import { DEFAULT_API_KEY, type RunningEmulator, startEmulator } from "../../src/emulator";
import { API_KEY_ENV } from "../../src/pulumi/providers/settings";
import { checkoutSaltDir, withCheckoutSalts } from "../../src/toolchain/checkout-salt";
import { localPulumiEnv } from "../../src/toolchain/pulumi-cli";
import { createKitProject, type KitProject, shippedStack } from "../../testkit/helpers/kit-project";
import { LONG, pulumiToolchain } from "../helpers/pulumi";

const tc = await pulumiToolchain();

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
    cwd,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

describe.skipIf(tc === undefined)("npm start's pulumi up on a committed checkout", () => {
  let emu: RunningEmulator;
  let project: KitProject;
  let env: Record<string, string>;
  let stateDir: string;
  let committed: string;

  beforeAll(async () => {
    emu = await startEmulator();
    project = createKitProject();
    project.writeStack("local", shippedStack("local", emu.url));
    committed = project.read("stacks/Pulumi.local.yaml");
    stateDir = path.join(project.dir, ".fakit");
    writeFileSync(path.join(project.dir, ".gitignore"), ".fakit/\nnode_modules\n");
    git(project.dir, "init", "-q");
    git(project.dir, "add", "-A");
    git(project.dir, "commit", "-q", "-m", "the kit");
    // biome-ignore lint/style/noNonNullAssertion: guarded by skipIf
    env = { ...localPulumiEnv(tc!.binDir, { stateDir }), [API_KEY_ENV]: DEFAULT_API_KEY };
    delete env.FAKIT_EMULATOR_PORT;
  }, 60_000);

  afterAll(async () => {
    project?.dispose();
    await emu?.close();
  });

  it("leaves git status clean and keeps one salt for the checkout in .fakit/", LONG, async () => {
    // biome-ignore lint/style/noNonNullAssertion: guarded by skipIf
    const outputs = await deployStack({ bin: tc!.binDir, env, stack: "local", projectDir: project.dir, stateDir });
    expect(Object.keys(JSON.parse(outputs).applications)).toHaveLength(2);
    expect(git(project.dir, "status", "--porcelain")).toBe("");
    expect(project.read("stacks/Pulumi.local.yaml")).toBe(committed);
    const kept = path.join(checkoutSaltDir(stateDir), "Pulumi.local.yaml.salt");
    const salt = readFileSync(kept, "utf8");
    expect(salt).toMatch(/^v1:/);

    // A later command that needs the salt (preview writes a new one when the file has none) gets the same one.
    await withCheckoutSalts(path.join(project.dir, "stacks"), checkoutSaltDir(stateDir), () =>
      // biome-ignore lint/style/noNonNullAssertion: guarded by skipIf
      runPulumi(tc!.binDir, env, project.dir, ["preview", "--stack", "local"], true),
    );
    expect(git(project.dir, "status", "--porcelain")).toBe("");
    expect(readFileSync(kept, "utf8")).toBe(salt);
  });
});
