/**
 * Previewing or deploying a stack from a team's own tool through Pulumi's Automation API: an inline program (one
 * that builds `OfflineAuthTenant`s, say) on any backend, answering with the stack's outputs and the plan's
 * figures (the steps by operation). Needs the `pulumi` CLI (on PATH, or `pulumiCommand`).
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { LocalWorkspace, type OutputMap, type PulumiCommand, type PulumiFn, Stack } from "@pulumi/pulumi/automation";

export interface RunStackOptions {
  /** `preview` changes nothing; `up` deploys. */
  action: "preview" | "up";
  /** The Pulumi project's name. */
  projectName: string;
  stackName: string;
  /** The inline program: what a Pulumi.yaml `main` would export. */
  program: PulumiFn;
  /**
   * The state backend (`file:///...`, `s3://bucket?endpoint=...`, Pulumi Cloud's URL); default: the
   * environment's `PULUMI_BACKEND_URL`, else Pulumi Cloud.
   */
  backendUrl?: string;
  /** Plain config, `namespace:key` (e.g. `fusionauth-offline-kit:url`). */
  config?: Record<string, string>;
  /** Config stored as Pulumi secrets (e.g. `fusionauth-offline-kit:apiKey`). */
  secrets?: Record<string, string>;
  /** Environment of the CLI and the providers (the passphrase, `PULUMI_HOME`, ...), over this process's. */
  envVars?: Record<string, string>;
  /**
   * The project directory. The engine starts the providers there, so it must see the `node_modules` holding
   * `@pulumi/pulumi` and this package. Default: a fresh directory under that `node_modules/.cache`, removed
   * afterwards (a given directory gets the project's Pulumi.yaml written into it).
   */
  workDir?: string;
  pulumiCommand?: PulumiCommand;
  /** The engine's output, as it comes. */
  onOutput?: (text: string) => void;
}

export interface RunStackResult {
  /** The stack outputs, plain values (secrets included, as values): after `up`, the new ones; after `preview`, the last deployed ones. */
  outputs: Record<string, unknown>;
  /** Steps by operation (`create`, `update`, `same`, `delete`, `replace`, ...), as the engine counts them. */
  changes: Record<string, number>;
}

/** The `node_modules` holding `@pulumi/pulumi` as this module sees it. */
function nodeModulesDir(): string {
  return path.resolve(path.dirname(require.resolve("@pulumi/pulumi/package.json")), "..", "..");
}

function plain(outputs: OutputMap): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value]));
}

/** Previews or deploys `options.stackName` with the inline program; creates the stack when it does not exist. */
export async function runStack(options: RunStackOptions): Promise<RunStackResult> {
  let scratch: string | undefined;
  let workDir = options.workDir;
  if (workDir === undefined) {
    const base = path.join(nodeModulesDir(), ".cache", "fusionauth-offline-kit-pulumi");
    mkdirSync(base, { recursive: true });
    scratch = mkdtempSync(path.join(base, "inline-"));
    workDir = scratch;
  }
  try {
    const envVars: Record<string, string> = { ...options.envVars };
    if (options.backendUrl !== undefined) envVars.PULUMI_BACKEND_URL = options.backendUrl;
    const ws = await LocalWorkspace.create({
      workDir,
      program: options.program,
      projectSettings: {
        name: options.projectName,
        runtime: "nodejs",
        ...(options.backendUrl === undefined ? {} : { backend: { url: options.backendUrl } }),
      },
      envVars,
      ...(options.pulumiCommand === undefined ? {} : { pulumiCommand: options.pulumiCommand }),
    });
    const stack = await Stack.createOrSelect(options.stackName, ws);
    for (const [key, value] of Object.entries(options.config ?? {})) await stack.setConfig(key, { value });
    for (const [key, value] of Object.entries(options.secrets ?? {}))
      await stack.setConfig(key, { value, secret: true });
    const onOutput = options.onOutput;
    const run = { color: "never" as const, ...(onOutput === undefined ? {} : { onOutput }) };
    if (options.action === "up") {
      const res = await stack.up(run);
      return { outputs: plain(res.outputs), changes: { ...(res.summary.resourceChanges ?? {}) } };
    }
    const res = await stack.preview(run);
    return { outputs: plain(await stack.outputs()), changes: { ...res.changeSummary } as Record<string, number> };
  } finally {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  }
}
