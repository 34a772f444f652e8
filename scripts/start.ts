/**
 * `npm start`: the kit's main job on the local default. Finds or builds the Pulumi CLI, starts this checkout's
 * FusionAuth emulator (port FAKIT_EMULATOR_PORT, else the one it runs already, else the stack's 9011; pid in
 * .fakit/emulator-PORT.pid, data in .fakit/emulator/), runs `pulumi up` of the
 * `local` stack on the local file backend, prints what was configured and writes the JWKS bundles to artifacts/.
 * Running it again reports no changes.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import path from "node:path";
import { run as bundle } from "../src/cli/commands/bundle";
import { formatDiagnostic } from "../src/diagnostics/diagnostic";
import { DEFAULT_API_KEY } from "../src/emulator/api-keys";
import { parseKickstart, runKickstart, testUsersOf } from "../src/emulator/kickstart";
import {
  chooseEmulator,
  DEFAULT_EMULATOR_PORT,
  localEmulatorPort,
  PORT_ENV,
  pidFilePath,
  runningEmulatorRecord,
} from "../src/emulator/lifecycle";
import type { StackOutputs } from "../src/pulumi/outputs";
import { API_KEY_ENV } from "../src/pulumi/providers/settings";
import { tenantIssuer } from "../src/stack/issuer";
import { loadDesiredState } from "../src/stack/load";
import { localStateDir, REPO_ROOT } from "../src/toolchain/pulumi-cli";
import { deployStack, localPulumi } from "./local-pulumi";

const STACK = process.env.FAKIT_STACK ?? "local";
/** `npm start -- --use-running`: use whatever FusionAuth answers on the port, saying so. */
const USE_RUNNING = process.argv.includes("--use-running");

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

/**
 * Makes sure this checkout's emulator runs on `port`: reuses the one recorded in .fakit/emulator-PORT.pid, starts one
 * when the port is free, and refuses (unless --use-running) when something else answers there: a second checkout
 * would otherwise deploy into the first one's emulator, with the first one's data.
 */
async function ensureEmulator(port: number): Promise<void> {
  const url = `http://localhost:${port}`;
  const pidFile = pidFilePath(localStateDir(), port);
  const choice = chooseEmulator({
    port,
    ours: runningEmulatorRecord(pidFile),
    portAnswers: await answers(url),
    useRunning: USE_RUNNING,
  });
  if (choice.action === "refuse") throw new Error(choice.message);
  if (choice.action !== "start") {
    console.log(choice.message);
    return;
  }
  const dir = path.join(localStateDir(), "emulator");
  mkdirSync(dir, { recursive: true });
  const log = openSync(path.join(dir, "emulator.log"), "a");
  const child = spawn(
    process.execPath,
    [
      path.join(REPO_ROOT, "bin", "fakit.js"),
      "emulator",
      "--port",
      String(port),
      "--data",
      path.join(dir, "data.json"),
    ],
    { cwd: REPO_ROOT, detached: true, stdio: ["ignore", log, log] },
  );
  child.unref();
  for (let i = 0; i < 100; i++) {
    if (runningEmulatorRecord(pidFile)?.pid === child.pid && (await answers(url))) {
      console.log(
        `started the emulator at ${url} (pid ${child.pid}, data and log in ${path.relative(REPO_ROOT, dir)}/); stop it with \`node bin/fakit.js emulator stop\``,
      );
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the emulator did not answer at ${url}; see ${path.join(dir, "emulator.log")}`);
}

function printSummary(outputs: Partial<StackOutputs>): void {
  for (const [name, app] of Object.entries(outputs.applications ?? {})) {
    const tenant = outputs.tenants?.[app.tenant];
    const figures = app.figures ?? tenant?.figures ?? {};
    console.log(`${name}  (preset ${app.preset})`);
    console.log(`  client id      ${app.clientId}`);
    console.log(`  issuer         ${tenant?.issuer}`);
    console.log(
      `  revocation lag ${figures.revocationLag}, offline runway ${figures.fullOfflineRunway} full + degraded until ${figures.degradedRunway} after check-in`,
    );
    console.log(
      `  signing key    generation ${tenant?.signingGeneration ?? "adopted"}, bundle horizon ${tenant?.horizon}`,
    );
    if (tenant?.heldBack) console.log(`  HELD BACK      ${tenant.heldBack.message}`);
  }
}

/**
 * Applies the stack's Kickstart file of test users (once: users already there count as applied) and prints how
 * to sign in as each of them.
 */
async function applyTestUsers(file: string, url: string): Promise<void> {
  const ks = parseKickstart(readFileSync(file, "utf8"), path.relative(REPO_ROOT, file), process.env);
  const { applied, present } = await runKickstart(url, ks, { duplicatesAreApplied: true });
  console.log(`${applied} request(s) applied, ${present} already there`);
  for (const u of testUsersOf(ks)) {
    console.log(
      `sign in as ${u.loginId} / ${u.password} to application ${u.applicationId}: authorization-code flow with PKCE from issuer ${tenantIssuer(url, u.tenantId ?? "")}`,
    );
  }
}

async function main(): Promise<number> {
  // Stacks other than `local` sign their bundles with the pipeline's key: say so before deploying, not after.
  if (STACK !== "local" && !process.env.FAKIT_BUNDLE_SIGNING_KEY) {
    throw new Error(
      `stack ${STACK} signs its bundles with the pipeline's bundle signing key, and FAKIT_BUNDLE_SIGNING_KEY is not set; nothing done.\n` +
        `Create a key once (outside any repository): node bin/fakit.js bundle-key generate --out ~/fakit-${STACK}-bundle-key\n` +
        `then: FAKIT_BUNDLE_SIGNING_KEY=~/fakit-${STACK}-bundle-key/private.jwk.json FAKIT_STACK=${STACK} npm start`,
    );
  }
  step("Pulumi CLI");
  const { bin, env } = await localPulumi({ onProgress: (line) => process.stderr.write(line) });
  console.log(`using ${path.join(bin, "pulumi")}`);

  // A stack on localhost (local, or the dev/staging/prod example) gets this checkout's emulator; its URL is already
  // on the port of FAKIT_EMULATOR_PORT or of the emulator this checkout runs (one rule for every command).
  const localPort = () => localEmulatorPort(process.env, localStateDir());
  const loaded = loadDesiredState({ repoRoot: REPO_ROOT, stack: STACK, localPort });
  if ("diagnostics" in loaded) {
    for (const d of loaded.diagnostics) console.error(formatDiagnostic(d));
    throw new Error(`stack ${STACK} is invalid; nothing done`);
  }
  if (["localhost", "127.0.0.1"].includes(new URL(loaded.state.url).hostname)) {
    step("FusionAuth emulator");
    const port = Number(new URL(loaded.state.url).port) || DEFAULT_EMULATOR_PORT;
    await ensureEmulator(port);
    // The program and its providers (other processes) use this same port.
    env[PORT_ENV] = String(port);
    console.log(`FusionAuth: ${loaded.state.url}`);
    // The local stack holds no secret: its API key is the emulator's default, passed to the program here.
    if (loaded.state.apiKey === "absent" && !process.env[API_KEY_ENV]) {
      process.env[API_KEY_ENV] = DEFAULT_API_KEY;
      env[API_KEY_ENV] = DEFAULT_API_KEY;
    }
  }

  step(`pulumi up (stack ${STACK}, backend ${env.PULUMI_BACKEND_URL})`);
  const outputs = await deployStack({ bin, env, stack: STACK, projectDir: REPO_ROOT, stateDir: localStateDir() });

  step("What was configured");
  printSummary(JSON.parse(outputs));

  const kickstartFile = path.join(REPO_ROOT, "stacks", `kickstart.${STACK}.json`);
  if (existsSync(kickstartFile) && ["localhost", "127.0.0.1"].includes(new URL(loaded.state.url).hostname)) {
    step(`Test users (${path.relative(REPO_ROOT, kickstartFile)})`);
    await applyTestUsers(kickstartFile, loaded.state.url);
  }

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
