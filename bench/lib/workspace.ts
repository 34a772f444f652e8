/**
 * Throwaway Pulumi projects and stacks for the benchmarks, run through the real CLI exactly as a pipeline runs
 * it: a temporary file backend, `pulumi stack init`, `pulumi config set`, then `up`/`preview` commands.
 */
import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { localPulumiEnv, REPO_ROOT } from "../../src/toolchain/pulumi-cli";
import { assertOk, type RunOptions, type RunResult, runCommand } from "./process";

export interface BenchStack {
  name: string;
  dir: string;
  env: Record<string, string>;
  /** `pulumi ARGS --stack NAME --cwd DIR`; never rejects for a non-zero exit. */
  pulumi(args: string[], options?: Pick<RunOptions, "onSpawn" | "timeoutMs">): Promise<RunResult>;
  /** Removes the local state (the project directory is the caller's). */
  dispose(): void;
}

export async function createBenchStack(options: {
  binDir: string;
  dir: string;
  name: string;
  env?: Record<string, string>;
  config?: Record<string, string>;
  secrets?: Record<string, string>;
}): Promise<BenchStack> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), "fakit-bench-state-"));
  const env = { ...localPulumiEnv(options.binDir, { stateDir }), ...options.env };
  const pulumi = (args: string[], o: Pick<RunOptions, "onSpawn" | "timeoutMs"> = {}) =>
    runCommand("pulumi", [...args, "--stack", options.name, "--cwd", options.dir, "--color", "never"], { env, ...o });
  assertOk(
    "pulumi stack init",
    await runCommand("pulumi", ["stack", "init", options.name, "--cwd", options.dir], { env }),
  );
  for (const [key, value] of Object.entries(options.config ?? {}))
    assertOk(`pulumi config set ${key}`, await pulumi(["config", "set", key, value]));
  for (const [key, value] of Object.entries(options.secrets ?? {}))
    assertOk(`pulumi config set --secret ${key}`, await pulumi(["config", "set", "--secret", key, value]));
  return {
    name: options.name,
    dir: options.dir,
    env,
    pulumi,
    dispose: () => rmSync(stateDir, { recursive: true, force: true }),
  };
}

/** A copy of bench/floor with links to the repository's node_modules: the engine-floor project. */
export function createFloorProject(): { dir: string; dispose(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fakit-bench-floor-"));
  for (const f of ["Pulumi.yaml", "index.js"])
    copyFileSync(path.join(REPO_ROOT, "bench", "floor", f), path.join(dir, f));
  for (const f of ["node_modules", "package.json"]) symlinkSync(path.join(REPO_ROOT, f), path.join(dir, f));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Dynamic resources in a stack's state, the state's size (`pulumi stack export`) and the largest serialized
 * provider of one resource.
 */
export async function inspectState(
  stack: BenchStack,
): Promise<{ resources: number; stateBytes: number; providerBytes: number }> {
  const out = assertOk("pulumi stack export", await stack.pulumi(["stack", "export"]));
  const resources = (JSON.parse(out.stdout).deployment?.resources ?? []) as {
    type: string;
    outputs?: { __provider?: unknown };
  }[];
  const dynamic = resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"));
  const sizes = dynamic.map((r) =>
    typeof r.outputs?.__provider === "string" ? Buffer.byteLength(r.outputs.__provider) : 0,
  );
  return { resources: dynamic.length, stateBytes: Buffer.byteLength(out.stdout), providerBytes: Math.max(0, ...sizes) };
}
