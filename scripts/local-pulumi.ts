/**
 * The Pulumi CLI with this checkout's local settings, for `npm start` and `npm run pulumi`: the cached CLI
 * (scripts/ensure-pulumi), the local file backend in .fakit/pulumi-state, PULUMI_HOME in .fakit/pulumi-home, the
 * local-only passphrase (each unless already set: `localPulumiEnv`), and FAKIT_EMULATOR_PORT set to this
 * checkout's emulator when one runs, so the program and its providers agree with every `fakit` command on the URL.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { localEmulatorPort, PORT_ENV } from "../src/emulator/lifecycle";
import { checkoutSaltDir, withCheckoutSalts } from "../src/toolchain/checkout-salt";
import { ensurePulumi, localPulumiEnv, localStateDir } from "../src/toolchain/pulumi-cli";

export async function localPulumi(
  options: { onProgress?: (line: string) => void } = {},
): Promise<{ bin: string; env: Record<string, string> }> {
  const bin = await ensurePulumi(options);
  const env = localPulumiEnv(bin);
  // Two emulators and no FAKIT_EMULATOR_PORT: left unset, so a program that needs the URL says so (the stack's
  // load fails with KIT_EMULATOR_AMBIGUOUS) while commands that do not (`stack ls`) still run.
  const local = localEmulatorPort(process.env, localStateDir());
  if (!("error" in local) && local.port !== undefined) env[PORT_ENV] = String(local.port);
  return { bin, env };
}

/** Runs `pulumi ARGS --cwd CWD --non-interactive`; with `capture`, answers with its stdout (else shown as it comes). */
export function runPulumi(
  bin: string,
  env: Record<string, string>,
  cwd: string,
  args: string[],
  capture = false,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(bin, "pulumi"), [...args, "--cwd", cwd, "--non-interactive"], {
      env,
      stdio: capture ? ["ignore", "pipe", "inherit"] : "inherit",
    });
    let out = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`pulumi ${args[0]} failed (exit ${code})`));
    });
  });
}

/**
 * `npm start`'s Pulumi part: selects (or creates) `stack` in `projectDir` and runs `pulumi up`, answering with the
 * stack outputs as JSON. Pulumi writes the stack's passphrase salt into its file; this checkout keeps it in
 * `stateDir` instead (src/toolchain/checkout-salt.ts), so the committed file is left as it is.
 */
export async function deployStack(options: {
  bin: string;
  env: Record<string, string>;
  stack: string;
  projectDir: string;
  stateDir: string;
}): Promise<string> {
  const { bin, env, stack, projectDir } = options;
  const stacksDir = path.join(projectDir, "stacks");
  return withCheckoutSalts(stacksDir, checkoutSaltDir(options.stateDir), async () => {
    await runPulumi(bin, env, projectDir, ["stack", "select", stack, "--create"]);
    await runPulumi(bin, env, projectDir, ["up", "--yes", "--stack", stack, "--color", "never"]);
    return runPulumi(bin, env, projectDir, ["stack", "output", "--json", "--stack", stack], true);
  });
}
