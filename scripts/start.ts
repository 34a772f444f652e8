/**
 * `npm start`: the kit's main job on the local default. Finds or builds the Pulumi CLI, starts the FusionAuth
 * emulator when none answers on the local stack's URL (its data in .fakit/emulator/), runs `pulumi up` of the
 * `local` stack on the local file backend, prints what was configured and writes the JWKS bundles to artifacts/.
 * Running it again reports no changes.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, openSync } from "node:fs";
import path from "node:path";
import { run as bundle } from "../src/cli/commands/bundle";
import { ensurePulumi, localPulumiEnv, localStateDir, REPO_ROOT } from "../src/toolchain/pulumi-cli";

const STACK = process.env.FAKIT_STACK ?? "local";
const EMULATOR_URL = "http://localhost:9011";

function step(text: string): void {
  console.log(`\n==> ${text}`);
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(2_000) });
    return res.ok;
  } catch {
    return false;
  }
}

async function ensureEmulator(): Promise<void> {
  if (await answers(EMULATOR_URL)) {
    console.log(`FusionAuth answers at ${EMULATOR_URL}; using it`);
    return;
  }
  const dir = path.join(localStateDir(), "emulator");
  mkdirSync(dir, { recursive: true });
  const log = openSync(path.join(dir, "emulator.log"), "a");
  const child = spawn(
    process.execPath,
    [path.join(REPO_ROOT, "bin", "fakit.js"), "emulator", "--port", "9011", "--data", path.join(dir, "data.json")],
    { detached: true, stdio: ["ignore", log, log] },
  );
  child.unref();
  for (let i = 0; i < 100; i++) {
    if (await answers(EMULATOR_URL)) {
      console.log(
        `started the emulator at ${EMULATOR_URL} (pid ${child.pid}, data and log in ${path.relative(REPO_ROOT, dir)}/)`,
      );
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the emulator did not answer at ${EMULATOR_URL}; see ${path.join(dir, "emulator.log")}`);
}

function pulumi(bin: string, env: Record<string, string>, args: string[], capture = false): string {
  const res = spawnSync(path.join(bin, "pulumi"), [...args, "--cwd", REPO_ROOT, "--non-interactive"], {
    env,
    stdio: capture ? ["ignore", "pipe", "inherit"] : "inherit",
    encoding: "utf8",
  });
  if (res.status !== 0) throw new Error(`pulumi ${args[0]} failed (exit ${res.status})`);
  return capture ? res.stdout : "";
}

interface AppOutput {
  tenant: string;
  applicationId: string;
  issuer: string;
  preset: string;
  figures: Record<string, string>;
  rotation: { signingGeneration: number | null; heldBack: string | null; horizon: string };
}

function printSummary(outputs: { applications?: Record<string, AppOutput> }): void {
  for (const [name, app] of Object.entries(outputs.applications ?? {})) {
    console.log(`${name}  (preset ${app.preset})`);
    console.log(`  client id      ${app.applicationId}`);
    console.log(`  issuer         ${app.issuer}`);
    console.log(
      `  revocation lag ${app.figures.revocationLag}, offline runway ${app.figures.fullOfflineRunway} full + degraded until ${app.figures.degradedRunway} after check-in`,
    );
    console.log(
      `  signing key    generation ${app.rotation.signingGeneration ?? "adopted"}, bundle horizon ${app.rotation.horizon}`,
    );
    if (app.rotation.heldBack) console.log(`  HELD BACK      ${app.rotation.heldBack}`);
  }
}

async function main(): Promise<number> {
  step("Pulumi CLI");
  const bin = await ensurePulumi({ onProgress: (line) => process.stderr.write(line) });
  console.log(`using ${path.join(bin, "pulumi")}`);
  const env = localPulumiEnv(bin);

  if (STACK === "local") {
    step("FusionAuth emulator");
    await ensureEmulator();
  }

  step(`pulumi up (stack ${STACK}, backend ${env.PULUMI_BACKEND_URL})`);
  pulumi(bin, env, ["stack", "select", STACK, "--create"]);
  pulumi(bin, env, ["up", "--yes", "--stack", STACK, "--color", "never"]);

  step("What was configured");
  printSummary(JSON.parse(pulumi(bin, env, ["stack", "output", "--json", "--stack", STACK], true)));

  step("JWKS bundles for app builds");
  return bundle(["--stack", STACK]);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    console.error(`\nnpm start: ${err.message}`);
    process.exitCode = 1;
  },
);
