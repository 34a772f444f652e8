/**
 * `npm run pulumi -- <args>`: the Pulumi CLI as `npm start` runs it, for anything else (`stack ls`, `preview`,
 * `config set`, `refresh`): the cached CLI of scripts/ensure-pulumi, the local file backend in .fakit/pulumi-state,
 * PULUMI_HOME in .fakit/pulumi-home, the local-only passphrase, and the port of this checkout's emulator. Each is
 * used only when not already set, so a team's own PULUMI_BACKEND_URL and passphrase (or secrets provider) win.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { checkoutSaltDir, withCheckoutSalts } from "../src/toolchain/checkout-salt";
import { localStateDir, REPO_ROOT } from "../src/toolchain/pulumi-cli";
import { localPulumi } from "./local-pulumi";

async function main(): Promise<number> {
  const { bin, env } = await localPulumi({ onProgress: (line) => process.stderr.write(line) });
  // Pulumi writes a stack's passphrase salt into its file: this checkout keeps it in .fakit/ instead.
  const res = await withCheckoutSalts(path.join(REPO_ROOT, "stacks"), checkoutSaltDir(localStateDir()), () =>
    spawnSync(path.join(bin, "pulumi"), process.argv.slice(2), { cwd: REPO_ROOT, env, stdio: "inherit" }),
  );
  if (res.error !== undefined) throw res.error;
  return res.status ?? 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    console.error(`npm run pulumi: ${err.message}`);
    process.exitCode = 1;
  },
);
