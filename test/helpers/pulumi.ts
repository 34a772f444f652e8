/**
 * Test helper over Pulumi's Automation API with the real CLI: throwaway stacks on the local file backend.
 *
 * The CLI comes from scripts/ensure-pulumi through the global setup (found on PATH, or built from Go modules and
 * cached). In CI (`CI=true`) a missing CLI fails the run; elsewhere the end-to-end tests are skipped.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { inject } from "vitest";
import { localPulumiEnv } from "../../src/toolchain/pulumi-cli";

export interface Toolchain {
  binDir: string;
  command: PulumiCommand;
}

/** The per-test timeout of a real-Pulumi scenario: an `up` on the busy CI machine takes minutes, not seconds. */
export const LONG = { timeout: 300_000 };

let toolchain: Promise<Toolchain | undefined> | undefined;

/** The Pulumi toolchain resolved by the global setup (test/setup/pulumi-toolchain.ts), or undefined to skip. */
export function pulumiToolchain(): Promise<Toolchain | undefined> {
  toolchain ??= (async () => {
    const binDir = inject("pulumiBinDir");
    if (binDir === null || binDir === undefined) return undefined;
    const command = await PulumiCommand.get({ root: path.dirname(binDir), skipVersionCheck: true });
    return { binDir, command };
  })();
  return toolchain;
}

export interface StackOptions {
  /** The Pulumi project directory (holding Pulumi.yaml). */
  workDir: string;
  /** Plain config values, `key` or `namespace:key`; objects are set as structured (path) config. */
  config?: Record<string, string>;
  /** Config values stored as Pulumi secrets. */
  secrets?: Record<string, string>;
  /** Extra environment for the CLI and the program (merged over the local Pulumi environment). */
  env?: Record<string, string>;
  /** Prefix of the throwaway stack's name. */
  name?: string;
  /** The exact stack name (when its config file was written beforehand). */
  stackName?: string;
}

export interface TestStack {
  stack: Stack;
  name: string;
  stateDir: string;
  env: Record<string, string>;
  /** Removes the stack (destroying what is left) and its local state. */
  dispose(): Promise<void>;
}

/** A stack name no other test uses. */
export function uniqueStackName(prefix = "test"): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

/** Creates a throwaway stack with its own file backend, so tests never share or leave state. */
export async function createTestStack(tc: Toolchain, opts: StackOptions): Promise<TestStack> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), "fakit-pulumi-"));
  const env = { ...localPulumiEnv(tc.binDir, { stateDir }), ...opts.env };
  const name = opts.stackName ?? uniqueStackName(opts.name);
  const ws = await LocalWorkspace.create({ workDir: opts.workDir, pulumiCommand: tc.command, envVars: env });
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: name, workDir: opts.workDir },
    { pulumiCommand: tc.command, envVars: env },
  );
  for (const [key, value] of Object.entries(opts.config ?? {})) await stack.setConfig(key, { value });
  for (const [key, value] of Object.entries(opts.secrets ?? {})) await stack.setConfig(key, { value, secret: true });
  return {
    stack,
    name,
    stateDir,
    env,
    async dispose() {
      try {
        await stack.destroy({ color: "never" });
        await ws.removeStack(name);
      } finally {
        rmSync(stateDir, { recursive: true, force: true });
      }
    },
  };
}
