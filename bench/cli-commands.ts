/**
 * `fakit validate`, `fakit plan` and `fakit bundle` (and `bundle --check`, the app-build gate) on a stack of
 * many applications, each spawned as a user runs it. The keys the bundles need are made by a real `pulumi up`
 * of the same stack name and tenants (one application each): keys depend on the stack and tenants only.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateSigningKeyFiles } from "../src/bundle/signing-key-file";
import { startEmulator } from "../src/emulator";
import { REPO_ROOT } from "../src/toolchain/pulumi-cli";
import { createKitProject } from "../testkit/helpers/kit-project";
import { assertOk, type RunResult, runCommand } from "./lib/process";
import { benchStackYaml, stackShape } from "./lib/stack-yaml";
import { createBenchStack } from "./lib/workspace";
import { BENCH_NOW } from "./pulumi-phases";

const API_KEY = "bench-cli-api-key";
const BIN = path.join(REPO_ROOT, "bin", "fakit.js");

export type CliStep = "startup" | "validate" | "plan" | "bundle" | "bundle --check";

export interface CliStepRuns {
  step: CliStep;
  command: string;
  /** Wall times in ms, or the reason the step could not run. */
  ms: number[];
  /** HTTP reads per run (bundle steps). */
  reads?: number;
  skipped?: string;
}

export async function benchCliCommands(binDir: string, applications: number, runs: number): Promise<CliStepRuns[]> {
  const emu = await startEmulator({ apiKeys: [API_KEY], now: new Date(BENCH_NOW) });
  const project = createKitProject();
  // The pipeline's bundle signing key: `fakit bundle` signs with it, `--check` verifies with its public half.
  const signingKey = await generateSigningKeyFiles(path.join(project.dir, ".fakit", "pipeline-key"));
  const out = mkdtempSync(path.join(os.tmpdir(), "fakit-bench-bundles-"));
  const name = `bench${applications}`;
  try {
    const keysOnly = stackShape(applications).tenants;
    project.writeStack(name, benchStackYaml(keysOnly, emu.url));
    const stack = await createBenchStack({
      binDir,
      dir: project.dir,
      name,
      env: { FAKIT_NOW: BENCH_NOW },
      secrets: { "fusionauth-offline-kit:apiKey": API_KEY },
    });
    try {
      assertOk("pulumi up (keys for the bundles)", await stack.pulumi(["up", "--yes", "--skip-preview"]));
    } finally {
      stack.dispose();
    }
    project.writeStack(name, benchStackYaml(applications, emu.url));

    const hasBundle = existsSync(path.join(REPO_ROOT, "src", "cli", "commands", "bundle.ts"));
    const steps: { step: CliStep; args: string[]; check: (r: RunResult) => string | undefined }[] = [
      { step: "startup", args: ["--help"], check: () => undefined },
      {
        step: "validate",
        args: ["validate", `stacks/Pulumi.${name}.yaml`],
        check: (r) => (/valid/.test(r.stdout) ? undefined : "no 'valid' line"),
      },
      {
        step: "plan",
        args: ["plan", "--stack", name, "--json", "--now", BENCH_NOW],
        check: (r) => {
          const apps = (JSON.stringify(JSON.parse(r.stdout)).match(/"app-\d+"/g) ?? []).length;
          return apps >= applications ? undefined : `plan names ${apps} applications`;
        },
      },
      {
        step: "bundle",
        args: ["bundle", "--stack", name, "--out", out, "--now", BENCH_NOW],
        check: (r) => {
          const wrote = (r.stdout.match(/^wrote /gm) ?? []).length;
          return wrote === applications ? undefined : `wrote ${wrote} bundles`;
        },
      },
      {
        step: "bundle --check",
        args: ["bundle", "--stack", name, "--out", out, "--check", "--now", BENCH_NOW],
        check: () => undefined,
      },
    ];
    const results: CliStepRuns[] = [];
    for (const s of steps) {
      const entry: CliStepRuns = { step: s.step, command: `fakit ${s.args.join(" ").replace(out, "DIR")}`, ms: [] };
      results.push(entry);
      if (s.step.startsWith("bundle") && !hasBundle) {
        entry.skipped = "fakit bundle is not there yet";
        continue;
      }
      for (let i = 0; i < runs; i++) {
        emu.counters.reset();
        // Each `bundle` run writes into an empty folder, as a pipeline's fresh checkout does: a re-run into the
        // same folder finds its bundles unchanged and writes nothing, which would flatter the figure.
        if (s.step === "bundle") rmSync(out, { recursive: true, force: true });
        const r = await runCommand(process.execPath, [BIN, ...s.args], {
          cwd: project.dir,
          env: {
            ...(process.env as Record<string, string>),
            NO_COLOR: "1",
            FUSIONAUTH_API_KEY: API_KEY,
            FAKIT_BUNDLE_SIGNING_KEY: signingKey.privatePath,
          },
          timeoutMs: 300_000,
        });
        const wrong =
          r.code === 0 ? s.check(r) : `exit ${r.code}: ${(r.stderr.trim().split("\n")[0] ?? "").slice(0, 160)}`;
        if (wrong !== undefined) {
          entry.skipped = wrong;
          break;
        }
        entry.ms.push(r.ms);
        entry.reads = emu.counters.snapshot().reads;
      }
    }
    return results;
  } finally {
    rmSync(out, { recursive: true, force: true });
    project.dispose();
    await emu.close();
  }
}
