/**
 * A throwaway copy of the kit's Pulumi project for end-to-end tests: Pulumi.yaml and links to the code, the
 * policies and node_modules, with its own `stacks/` folder, so tests never write stack files into the repo.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../../src/toolchain/pulumi-cli";

export interface KitProject {
  dir: string;
  /** Writes `stacks/Pulumi.<stack>.yaml`. */
  writeStack(stack: string, yaml: string): void;
  /** Reads a file of the project. */
  read(file: string): string;
  /** Writes a file of the project (a preset, say). */
  write(file: string, text: string): void;
  dispose(): void;
}

const LINKED = ["src", "packages", "node_modules", "package.json", "tsconfig.json"];

export function createKitProject(): KitProject {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fakit-project-"));
  writeFileSync(path.join(dir, "Pulumi.yaml"), readFileSync(path.join(REPO_ROOT, "Pulumi.yaml")));
  for (const name of LINKED) symlinkSync(path.join(REPO_ROOT, name), path.join(dir, name));
  // A copy, not a link: tests change preset values.
  cpSync(path.join(REPO_ROOT, "policies"), path.join(dir, "policies"), { recursive: true });
  mkdirSync(path.join(dir, "stacks"));
  return {
    dir,
    writeStack(stack, yaml) {
      writeFileSync(path.join(dir, "stacks", `Pulumi.${stack}.yaml`), yaml);
    },
    read(file) {
      return readFileSync(path.join(dir, file), "utf8");
    },
    write(file, text) {
      writeFileSync(path.join(dir, file), text);
    },
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A shipped stack's YAML with its FusionAuth URL pointed elsewhere (the emulator of a test). */
export function shippedStack(stack: string, url: string): string {
  const text = readFileSync(path.join(REPO_ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8");
  return text.replace(/^(\s*fusionauth-offline-kit:url:).*$/m, `$1 ${url}`);
}
