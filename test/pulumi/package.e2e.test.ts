// A platform team's own Pulumi program (examples/platform-program) installs the kit's components from the packed
// tarball of packages/pulumi, as it would from a registry, and deploys a tenant against the emulator; a second
// `up` is a no-op without one write. The team's own tool (deploy.js) previews the same stack through the
// Automation API (`runStack`), and a declaration that breaks a floor fails with the code and message
// `fakit validate` prints for the same tenant in a stack file. The package's policy pack, run by the real CLI,
// fails a preview whose tenant a transform pushed beyond a floor, with the same code and message, and passes it
// with the declaration's waiver.
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator";
import { REPO_ROOT } from "../../src/toolchain/pulumi-cli";
import { createKitProject } from "../../testkit/helpers/kit-project";
import { runFakit } from "../helpers/fakit";
import { createTestStack, LONG, pulumiToolchain, type TestStack } from "../helpers/pulumi";

const run = promisify(execFile);

/** The error and warning lines of `fakit validate` for a stack file, as `CODE message`, warnings left out. */
async function validateLines(yaml: string): Promise<string[]> {
  const kit = createKitProject();
  try {
    kit.writeStack("floors", yaml);
    const v = await runFakit(["validate", "stacks/Pulumi.floors.yaml"], kit.dir);
    expect(v.code).toBe(1);
    return `${v.stdout}\n${v.stderr}`
      .split("\n")
      .filter((l) => l.startsWith("stacks/Pulumi.floors.yaml:"))
      .map((l) => l.replace(/^[^ ]+ /, ""))
      .filter((l) => !l.startsWith("KIT_WARN_"));
  } finally {
    kit.dispose();
  }
}
const tc = await pulumiToolchain();
const EXAMPLE = path.join(REPO_ROOT, "examples", "platform-program");
const API_KEY = "package-e2e-api-key-0123456789";

/** The tenant of examples/platform-program/tenants.js as a stack file declares it, with its check-in and tokens. */
function stackYaml(url: string, checkIn: string, accessTokenTtl?: string): string {
  const ttl = accessTokenTtl === undefined ? "" : `\n        accessToken:\n          ttl: ${accessTokenTtl}`;
  return `config:
  fusionauth-offline-kit:url: ${url}
  fusionauth-offline-kit:tenants:
    - key: field-crews
      name: Field Crews
      issuer: ${url}/field-crews
      preset: field
      overrides:
        offline:
          checkIn: ${checkIn}${ttl}
      applications:
        - key: crew-app
          name: Crew App
          redirectUris:
            - com.example.crew:/oauth2/callback
`;
}

describe.skipIf(tc === undefined)("the components installed from the packed package", () => {
  let work: string;
  let project: string;
  let emu: RunningEmulator;
  let stack: TestStack;
  let first: Awaited<ReturnType<TestStack["stack"]["up"]>>;
  let second: Awaited<ReturnType<TestStack["stack"]["up"]>>;
  let secondWrites: number;

  /** `node deploy.js ...` in the example project, with the stack's backend and the emulator. */
  function deploy(args: string[], env: Record<string, string> = {}) {
    return run(process.execPath, ["deploy.js", ...args], {
      cwd: project,
      env: { ...stack.env, FUSIONAUTH_URL: emu.url, FUSIONAUTH_API_KEY: API_KEY, ...env },
    }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
  }

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), "fakit-package-"));
    // As the README says.
    await run("npm", ["run", "build:pulumi"], { cwd: REPO_ROOT });
    const packed = await run("npm", ["pack", "./packages/pulumi", "--pack-destination", "packages/pulumi"], {
      cwd: REPO_ROOT,
    });
    const tarball = packed.stdout.trim().split("\n").pop() as string;
    cpSync(path.join(REPO_ROOT, "packages", "pulumi", tarball), path.join(work, tarball));
    project = path.join(work, "platform-program");
    cpSync(EXAMPLE, project, { recursive: true });
    await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", path.join(work, tarball)], {
      cwd: project,
    });
    emu = await startEmulator({ apiKeys: [API_KEY], admin: true });
    // biome-ignore lint/style/noNonNullAssertion: guarded by skipIf
    stack = await createTestStack(tc!, {
      workDir: project,
      name: "platform",
      config: { "fusionauth-offline-kit:url": emu.url },
      secrets: { "fusionauth-offline-kit:apiKey": API_KEY },
    });
    first = await stack.stack.up({ color: "never" });
    emu.counters.reset();
    second = await stack.stack.up({ color: "never" });
    secondWrites = emu.counters.snapshot().writes;
  }, 900_000);

  afterAll(async () => {
    await stack?.dispose();
    await emu?.close();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  }, 300_000);

  it("deploys the tenant, its keys and its application, and exposes typed outputs", async () => {
    expect(first.summary.result).toBe("succeeded");
    const out = Object.fromEntries(Object.entries(first.outputs).map(([k, v]) => [k, v.value]));
    expect(out.issuer).toBe(`${emu.url}/field-crews`);
    expect(out.revocationLag).toBe("3d30m");
    expect(out.rotation.signingGeneration).toEqual(expect.any(Number));
    // FusionAuth holds what the outputs name: the tenant's discovery document, its issuer and the signing key.
    const discovery = (await (await fetch(out.discoveryUrl)).json()) as Record<string, string>;
    expect(discovery.issuer).toBe(out.issuer);
    // The emulator names itself localhost in its documents; the stack reaches it at 127.0.0.1.
    expect(new URL(discovery.token_endpoint as string).pathname).toBe(new URL(out.tokenUrl).pathname);
    const jwks = (await (await fetch(out.jwksUrl)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toContain(out.signingKid);
    const app = (await (
      await fetch(`${emu.url}/api/application/${out.crewAppClientId}`, { headers: { Authorization: API_KEY } })
    ).json()) as { application: { tenantId: string } };
    expect(app.application.tenantId).toBe(out.tenantId);
  });

  it("changes nothing and writes nothing on a second up", () => {
    const changes: Record<string, number | undefined> = second.summary.resourceChanges ?? {};
    expect(Object.keys(changes)).toEqual(["same"]);
    expect(secondWrites).toBe(0);
  });

  it(
    "previews the stack through the Automation API with its outputs and the plan's figures",
    async () => {
      const r = await deploy(["preview", stack.name]);
      expect(r.stderr).toBe("");
      const result = JSON.parse(r.stdout) as { outputs: Record<string, unknown>; changes: Record<string, number> };
      expect(result.changes).toEqual({ same: second.summary.resourceChanges?.same });
      expect(result.outputs.issuer).toBe(`${emu.url}/field-crews`);
      expect(result.outputs.signingKid).toBe(first.outputs.signingKid?.value);
    },
    LONG,
  );

  it(
    "refuses a declaration beyond a floor with the code and message of fakit validate, located by field",
    async () => {
      const r = await deploy(["preview", stack.name], { CHECK_IN: "45d" });
      expect(r.code).toBe(1);
      // The Automation API's error carries the engine's output: each diagnostic once, however it is indented.
      const located = [
        ...new Set(
          r.stderr
            .split("\n")
            .map((l) => l.trim())
            .filter((l) => l.startsWith('OfflineAuthTenant "field-crews": ')),
        ),
      ];
      expect(r.stderr, r.stderr).toContain('OfflineAuthTenant "field-crews" is invalid; nothing was applied');
      expect(located.length).toBeGreaterThan(0);
      const fromFile = await validateLines(stackYaml("http://localhost:9011", "45d"));
      expect(located.map((l) => l.replace(/^OfflineAuthTenant "field-crews": [^ ]+ /, ""))).toEqual(fromFile);
      expect(located[0]).toMatch(/^OfflineAuthTenant "field-crews": overrides\.offline\.checkIn: KIT_FLOOR_MAX /);
      // Nothing was applied: the stack is as it was.
      expect(emu.counters.snapshot().writes).toBe(0);
    },
    LONG,
  );

  it(
    "runs the policy pack: a tenant pushed beyond a floor fails the preview with fakit validate's code and message",
    async () => {
      cpSync(path.join(__dirname, "fixtures", "policy-breach", "index.js"), path.join(project, "index.js"));
      const pack = path.join(project, "node_modules", "fusionauth-offline-kit-pulumi", "policy-pack");
      const ws = stack.stack.workspace;
      const preview = async (waive: boolean) => {
        ws.envVars.WAIVE_TTL = waive ? "1" : "0";
        const log: string[] = [];
        try {
          await stack.stack.preview({ color: "never", policyPacks: [pack], onOutput: (t) => log.push(t) });
          return { ok: true, log: log.join("") };
        } catch (err) {
          return { ok: false, log: `${log.join("")}\n${(err as Error).message}` };
        }
      };
      emu.counters.reset();
      const broken = await preview(false);
      expect(broken.ok, broken.log).toBe(false);
      const fromFile = await validateLines(stackYaml("http://localhost:9011", "7d", "2h"));
      expect(fromFile).toEqual([expect.stringMatching(/^KIT_FLOOR_MAX accessToken\.ttl \(2h\) exceeds/)]);
      expect(broken.log).toContain(`OfflineAuthTenant "field-crews": overrides.accessToken.ttl: ${fromFile[0]}`);
      expect(broken.log).toMatch(/mandatory/);
      const waived = await preview(true);
      expect(waived.ok, waived.log).toBe(true);
      expect(emu.counters.snapshot().writes).toBe(0);
    },
    LONG,
  );
});
