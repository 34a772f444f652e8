import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { FusionAuthClient } from "@fusionauth/typescript-client";
import type { LocalWorkspace } from "@pulumi/pulumi/automation";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { type Bundle, loadBundle } from "../../packages/verifier/src";
import { BUNDLE_FILES } from "../../packages/verifier/src/format";
import { type GeneratedKeyFiles, generateSigningKeyFiles } from "../../src/bundle/signing-key-file";
import { type ApiKeySpec, type RunningEmulator, startEmulator } from "../../src/emulator";
import type { ApplicationOutput, TenantOutput } from "../../src/pulumi/outputs";
import { createKitProject, type KitProject } from "../../testkit/helpers/kit-project";
import { type CliResult, runFakit } from "./fakit";
import { createTestStack, type TestStack, type Toolchain, uniqueStackName } from "./pulumi";

export const PASSWORD = "correct horse battery staple";

/** ISO 8601 of seconds since the Unix epoch, as the CLI flags take it. */
export const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();
/** Seconds since the Unix epoch of an ISO 8601 time. */
export const sec = (text: string): number => Date.parse(text) / 1000;
export const kidOf = (token: string): string => decodeProtectedHeader(token).kid as string;
/** The time claims of a token FusionAuth issued (read, not verified: the verifier does that). */
export const claimsOf = (token: string): { iat: number; exp: number } =>
  decodeJwt(token) as { iat: number; exp: number };

/** Per application, what the stack exports for it and its tenant (see src/pulumi/program.ts). */
export interface AppOutput {
  tenant: string;
  tenantId: string;
  applicationId: string;
  issuer: string;
  signingKid: string;
  rotation: { signingGeneration: number | null; heldBack: string | null; horizon: string };
}

export interface DeployOutputs {
  applications: Record<string, AppOutput>;
  /** Per tenant, as the stack exports it under `tenants`. */
  rotations: Record<string, TenantOutput>;
  /** What the engine printed (warnings included). */
  log: string;
}

export interface PreviewResult {
  /** Steps by operation (`same`, `update`, ...), as the engine counts them. */
  changeSummary: Record<string, number>;
  /** What the engine printed. */
  log: string;
}

export interface KitScenario {
  emu: RunningEmulator;
  project: KitProject;
  stack: TestStack;
  stackName: string;
  apiKey: string;
  /** A super-key client of the emulator. */
  client: FusionAuthClient;
  /** Sets the emulator clock to `at` (seconds) without deploying: time passes between pipeline runs. */
  setClock(at: number): void;
  /** `pulumi up` with the run's time and the emulator's clock both at `at` (seconds). */
  deployAt(at: number): Promise<DeployOutputs>;
  /** `pulumi preview` at `at` (seconds): the count of each kind of step, and the outputs that would change. */
  previewAt(at: number): Promise<PreviewResult>;
  /** A fresh directory for what the scenario writes (bundles, copies), removed by {@link KitScenario.dispose}. */
  outDir: string;
  /** The pipeline's bundle signing key pair, generated for the scenario (FAKIT_BUNDLE_SIGNING_KEY of `fakit`). */
  signingKey: GeneratedKeyFiles;
  /**
   * The real `fakit` CLI, in the project, with the API key (or `apiKey`) in FUSIONAUTH_API_KEY and the scenario's
   * bundle signing key in FAKIT_BUNDLE_SIGNING_KEY.
   */
  fakit(args: string[], apiKey?: string): Promise<CliResult>;
  dispose(): Promise<void>;
}

/**
 * Starts the emulator frozen at `at`, writes the stack (its YAML from the emulator's URL) into a throwaway
 * project and creates its Pulumi stack with the API key as a secret.
 */
export async function startKitScenario(
  tc: Toolchain,
  opts: {
    stackPrefix: string;
    stackYaml: (url: string) => string;
    at: number;
    /** More keys the emulator accepts besides the stack's super key (restricted ones, say). */
    extraApiKeys?: ApiKeySpec[];
    /** The emulator's data file: tests read private keys there (a compromise drill forges tokens with one). */
    dataFile?: string;
  },
): Promise<KitScenario> {
  const apiKey = `e2e-${opts.stackPrefix}-api-key-${Math.random().toString(36).slice(2, 10)}`;
  const emu = await startEmulator({
    admin: true,
    apiKeys: [apiKey, ...(opts.extraApiKeys ?? [])],
    now: new Date(opts.at * 1000),
    ...(opts.dataFile === undefined ? {} : { dataFile: opts.dataFile }),
  });
  const project = createKitProject();
  const signingKey = await generateSigningKeyFiles(path.join(project.dir, ".fakit", "pipeline-key"));
  const stackName = uniqueStackName(opts.stackPrefix);
  project.writeStack(stackName, opts.stackYaml(emu.url));
  let stack: TestStack;
  try {
    stack = await createTestStack(tc, {
      workDir: project.dir,
      stackName,
      secrets: { "fusionauth-offline-kit:apiKey": apiKey },
      env: { FAKIT_NOW: iso(opts.at) },
    });
  } catch (err) {
    project.dispose();
    await emu.close();
    throw err;
  }
  const workspace = stack.stack.workspace as LocalWorkspace;
  const outDir = mkdtempSync(path.join(os.tmpdir(), `fakit-${opts.stackPrefix}-out-`));
  return {
    emu,
    project,
    stack,
    stackName,
    apiKey,
    client: new FusionAuthClient(apiKey, emu.url),
    setClock(at) {
      emu.clock.set(at * 1000);
    },
    async deployAt(at) {
      emu.clock.set(at * 1000);
      workspace.envVars.FAKIT_NOW = iso(at);
      const log: string[] = [];
      const res = await stack.stack.up({ color: "never", onOutput: (s) => log.push(s) });
      if (res.summary.result !== "succeeded") throw new Error(`pulumi up at ${iso(at)}: ${res.summary.result}`);
      const tenants = res.outputs.tenants?.value as Record<string, TenantOutput>;
      const apps = res.outputs.applications?.value as Record<string, ApplicationOutput>;
      // Each application with what it shares with its tenant, which the stack exports once per tenant.
      const applications = Object.fromEntries(
        Object.entries(apps).map(([name, app]) => {
          const t = tenants[app.tenant] as TenantOutput;
          const out: AppOutput = {
            tenant: app.tenant,
            tenantId: t.tenantId,
            applicationId: app.clientId,
            issuer: t.issuer,
            signingKid: t.signingKid,
            rotation: {
              signingGeneration: t.signingGeneration,
              heldBack: t.heldBack?.message ?? null,
              horizon: t.horizon,
            },
          };
          return [name, out];
        }),
      );
      return { applications, rotations: tenants, log: log.join("") };
    },
    async previewAt(at) {
      emu.clock.set(at * 1000);
      workspace.envVars.FAKIT_NOW = iso(at);
      const log: string[] = [];
      const res = await stack.stack.preview({ color: "never", diff: true, onOutput: (s) => log.push(s) });
      return { changeSummary: res.changeSummary as Record<string, number>, log: log.join("") };
    },
    outDir,
    signingKey,
    fakit(args, key = apiKey) {
      return runFakit(args, project.dir, { FUSIONAUTH_API_KEY: key, FAKIT_BUNDLE_SIGNING_KEY: signingKey.privatePath });
    },
    async dispose() {
      try {
        await stack.dispose();
      } finally {
        rmSync(outDir, { recursive: true, force: true });
        project.dispose();
        await emu.close();
      }
    },
  };
}

/** The files of a bundle directory, as bytes. */
export function readBundleDir(dir: string): Record<(typeof BUNDLE_FILES)[number], Buffer> {
  return Object.fromEntries(BUNDLE_FILES.map((f) => [f, readFileSync(path.join(dir, f))])) as Record<
    (typeof BUNDLE_FILES)[number],
    Buffer
  >;
}

/** Loads a bundle directory with the reference verifier, as an app would at start-up. */
export function loadBundleDir(dir: string): Promise<Bundle> {
  return loadBundle(readBundleDir(dir));
}

export interface AppUser {
  email: string;
  userId: string;
  /** A client scoped to the user's tenant (the header FusionAuth needs with several tenants). */
  client: FusionAuthClient;
  login(): Promise<{ token: string; refreshToken: string }>;
}

// biome-ignore lint/suspicious/noExplicitAny: the client types ids as required strings; null lets the server pick.
const NO_ID = null as any;

/** Registers a user to an application through the API (combined create + registration). */
export async function registerUser(
  s: Pick<KitScenario, "apiKey" | "emu">,
  app: Pick<AppOutput, "tenantId" | "applicationId">,
  name: string,
): Promise<AppUser> {
  const client = new FusionAuthClient(s.apiKey, s.emu.url, app.tenantId);
  const email = `${name}@example.com`;
  const res = await client.register(NO_ID, {
    user: { email, password: PASSWORD },
    registration: { applicationId: app.applicationId },
  });
  return {
    email,
    userId: res.response.user?.id as string,
    client,
    async login() {
      const r = await client.login({ loginId: email, password: PASSWORD, applicationId: app.applicationId });
      return { token: r.response.token as string, refreshToken: r.response.refreshToken as string };
    },
  };
}

export { type CliResult, runFakit };
