// `npm run pulumi -- <args>` as the README writes it, in a fresh copy of the checkout: the cached CLI with the
// checkout's local backend, PULUMI_HOME and passphrase, none of which the caller sets (#23: plain `pulumi` failed
// with "PULUMI_ACCESS_TOKEN must be set" until four variables were set by hand).
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../src/toolchain/pulumi-cli";
import { pulumiToolchain } from "../helpers/pulumi";

const tc = await pulumiToolchain();

/** The commands of the README's "Plain `pulumi` in this checkout" block, as written. */
function readmeCommands(): string[] {
  const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("### Plain `pulumi` in this checkout"));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  return block.split("\n").filter((l) => l.startsWith("npm run pulumi"));
}

/** A copy of the checkout (its own src/ and scripts/, so its own .fakit/), sharing node_modules. */
function copyOfCheckout(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fakit-npm-pulumi-"));
  for (const name of ["Pulumi.yaml", "package.json", "tsconfig.json", "src", "scripts", "policies", "bin"])
    cpSync(path.join(REPO_ROOT, name), path.join(dir, name), { recursive: true });
  cpSync(path.join(REPO_ROOT, "stacks", "Pulumi.local.yaml"), path.join(dir, "stacks", "Pulumi.local.yaml"));
  symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"));
  return dir;
}

describe.skipIf(tc === undefined)("npm run pulumi", () => {
  it("runs the README's commands as written, on the checkout's own local backend", { timeout: 300_000 }, () => {
    const commands = readmeCommands();
    expect(commands.length).toBeGreaterThanOrEqual(3);
    const dir = copyOfCheckout();
    const committed = readFileSync(path.join(dir, "stacks", "Pulumi.local.yaml"), "utf8");
    // Nothing Pulumi-specific from the caller: the script provides it all.
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env))
      if (v !== undefined && !k.startsWith("PULUMI_") && k !== "FAKIT_EMULATOR_PORT") env[k] = v;
    env.PATH = (process.env.PATH ?? "")
      .split(path.delimiter)
      .filter((p) => !existsSync(path.join(p, "pulumi")))
      .join(path.delimiter);
    const outputs = commands.map((command) => {
      const r = spawnSync("bash", ["-c", command], { cwd: dir, env, encoding: "utf8" });
      expect(r.stderr, command).not.toContain("PULUMI_ACCESS_TOKEN");
      expect(r.status, `${command}\n${r.stderr}`).toBe(0);
      return r.stdout;
    });
    expect(outputs.join("\n")).toContain("http://localhost:9011");
    expect(outputs[outputs.length - 1]).toMatch(/^local\*?\s/m);
    // The state is the copy's own, under its .fakit/.
    const stacks = path.join(dir, ".fakit", "pulumi-state", ".pulumi", "stacks");
    expect(readdirSync(stacks, { recursive: true }).map(String)).toContainEqual(expect.stringMatching(/local\.json$/));
    // `stack select --create` wrote the passphrase salt: kept in .fakit/, the committed stack file unchanged.
    expect(readFileSync(path.join(dir, "stacks", "Pulumi.local.yaml"), "utf8")).toBe(committed);
    expect(readFileSync(path.join(dir, ".fakit", "pulumi-salts", "Pulumi.local.yaml.salt"), "utf8")).toMatch(/^v1:/);
  });
});
