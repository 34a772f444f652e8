/**
 * Finding (or building) the Pulumi CLI and running it fully locally: file backend and `PULUMI_HOME` inside the
 * project's ignored `.fakit/` folder, passphrase secrets, no update checks, no plugin downloads.
 *
 * @see ../../scripts/ensure-pulumi for how the CLI is found or built.
 */
import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "./kit-root";

export { REPO_ROOT } from "./kit-root";

/**
 * The passphrase of the local backend when `PULUMI_CONFIG_PASSPHRASE` is not set. It protects only local state
 * for the emulator (the `local` stack); real stacks must set their own passphrase or use a cloud secrets provider.
 */
export const LOCAL_PASSPHRASE = "fakit-local-only";

let cached: Promise<string> | undefined;

/** Runs scripts/ensure-pulumi once per process and resolves to the directory holding `pulumi`. */
export function ensurePulumi(options: { onProgress?: (line: string) => void } = {}): Promise<string> {
  cached ??= new Promise<string>((resolve, reject) => {
    const child = execFile(
      "bash",
      [path.join(REPO_ROOT, "scripts", "ensure-pulumi")],
      { maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          reject(new Error(`ensure-pulumi failed:\n${stderr.trim()}`));
          return;
        }
        const lines = stdout.trim().split("\n");
        resolve(lines[lines.length - 1] ?? "");
      },
    );
    child.stderr?.on("data", (chunk: Buffer) => options.onProgress?.(chunk.toString()));
  });
  return cached;
}

/** Where local state lives: ignored by git, one folder per purpose. */
export function localStateDir(root: string = REPO_ROOT): string {
  return path.join(root, ".fakit");
}

/**
 * The environment for running the Pulumi CLI locally. Values already set by the user (a backend, a passphrase)
 * win, so the same commands work against a user's own backend.
 */
export function localPulumiEnv(
  binDir: string,
  opts: { stateDir?: string; base?: NodeJS.ProcessEnv } = {},
): Record<string, string> {
  const base = opts.base ?? process.env;
  const stateDir = opts.stateDir ?? localStateDir();
  const backendDir = path.join(stateDir, "pulumi-state");
  const homeDir = path.join(stateDir, "pulumi-home");
  mkdirSync(backendDir, { recursive: true });
  mkdirSync(homeDir, { recursive: true });
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  env.PATH = `${binDir}${path.delimiter}${base.PATH ?? ""}`;
  env.PULUMI_BACKEND_URL = base.PULUMI_BACKEND_URL ?? `file://${backendDir}`;
  env.PULUMI_HOME = base.PULUMI_HOME ?? homeDir;
  if (base.PULUMI_CONFIG_PASSPHRASE === undefined && base.PULUMI_CONFIG_PASSPHRASE_FILE === undefined) {
    env.PULUMI_CONFIG_PASSPHRASE = LOCAL_PASSPHRASE;
  }
  env.PULUMI_SKIP_UPDATE_CHECK = "true";
  env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION = "true";
  env.PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK = "true";
  // One state write per command instead of one per step. The file backend rewrites the whole state after every
  // step, so a create of N resources cost O(N^2): 1,000 applications took minutes, now seconds (docs/performance.md).
  // Pulumi trades crash safety for this; the kit does not need it: a run killed mid-way leaves objects FusionAuth
  // holds but the state lacks, and the next `up` finds each by its deterministic id instead of creating it twice
  // (test/pulumi/fault-tolerance.e2e.test.ts). A user's own setting wins.
  env.PULUMI_SKIP_CHECKPOINTS = base.PULUMI_SKIP_CHECKPOINTS ?? "true";
  // The kit type-checks with `npm run typecheck`; ts-node inside the engine only transpiles, which is much faster.
  env.PULUMI_NODEJS_TRANSPILE_ONLY = base.PULUMI_NODEJS_TRANSPILE_ONLY ?? "true";
  return env;
}
