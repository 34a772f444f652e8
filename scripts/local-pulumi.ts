/**
 * The Pulumi CLI with this checkout's local settings, for `npm start` and `npm run pulumi`: the cached CLI
 * (scripts/ensure-pulumi), the local file backend in .fakit/pulumi-state, PULUMI_HOME in .fakit/pulumi-home, the
 * local-only passphrase (each unless already set: `localPulumiEnv`), and FAKIT_EMULATOR_PORT set to this
 * checkout's emulator when one runs, so the program and its providers agree with every `fakit` command on the URL.
 */
import { localEmulatorPort, PORT_ENV } from "../src/emulator/lifecycle";
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
