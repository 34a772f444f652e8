// The program's resource graph under Pulumi's mocked runtime: no CLI, no provider CRUD (dynamic resources are
// only registered), FusionAuth read for key creation times from an in-process emulator. Any unmocked call fails.
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator";
import { runProgram } from "../../src/pulumi/program";
import { createKitProject, type KitProject, shippedStack } from "../../testkit/helpers/kit-project";
import { compileStackText } from "../helpers/policies";

/** The runtime's own wait for outstanding registrations (exported by its settings module, not typed). */
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> };

const KEY = "mock-test-key";
interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

let emu: RunningEmulator;
let project: KitProject;
const cwd = process.cwd();

async function runWithMocks(
  stack: string,
  config: Record<string, string> = { "fusionauth-offline-kit:apiKey": KEY },
): Promise<{ registered: Registered[]; outputs?: Record<string, unknown>; error?: Error }> {
  const registered: Registered[] = [];
  pulumi.runtime.setAllConfig(config, Object.keys(config));
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        const id = (args.inputs.objectId ?? args.inputs.keyId ?? `${args.name}-id`) as string;
        return { id, state: { ...args.inputs, kid: `kid-${args.name}`, insertInstant: 0 } };
      },
      call(args) {
        throw new Error(`unmocked call ${args.token}`);
      },
    },
    "fusionauth-offline-kit",
    stack,
    true,
  );
  try {
    const outputs = await runProgram();
    // Registrations finish asynchronously (a resource with `dependsOn` registers once its dependencies have):
    // wait for the outputs, then for every outstanding registration, as the runtime does before it exits.
    await new Promise((resolve) => pulumi.output(outputs).apply(resolve));
    await waitForRPCs();
    return { registered, outputs };
  } catch (error) {
    return { registered, error: error as Error };
  }
}

beforeAll(async () => {
  emu = await startEmulator({ apiKeys: [KEY] });
  project = createKitProject();
  project.writeStack("mocks", shippedStack("example", emu.url));
  project.writeStack("broken", shippedStack("example", emu.url).replace("preset: high", "preset: nope"));
  const keys = "  fusionauth-offline-kit:apiKeys:\n    - role: import\n    - {role: revoke, tenant: patient}\n";
  project.writeStack("bad-keys", shippedStack("example", emu.url) + keys);
  // The program reads stacks/ and policies/ from the project root, which is the working directory here.
  process.chdir(project.dir);
});
afterAll(async () => {
  process.chdir(cwd);
  project.dispose();
  await emu.close();
});

describe("the program's resource graph", () => {
  let registered: Registered[];
  beforeAll(async () => {
    const run = await runWithMocks("mocks");
    expect(run.error).toBeUndefined();
    registered = run.registered;
  });

  it("groups each tenant's keys, tenant and applications under one component", () => {
    const desired = compileStackText(project.read("stacks/Pulumi.mocks.yaml"), "mocks");
    const components = registered.filter((r) => r.type === "fusionauth-offline-kit:index:OfflineAuthTenant");
    expect(components.map((c) => c.name).sort()).toEqual(desired.tenants.map((t) => t.key).sort());

    const byType = (t: string) => registered.filter((r) => r.type === `pulumi-nodejs:dynamic/fusionauth:${t}`);
    expect(
      byType("Tenant")
        .map((r) => r.inputs.objectId)
        .sort(),
    ).toEqual(desired.tenants.map((t) => t.id).sort());
    expect(byType("Application")).toHaveLength(desired.tenants.reduce((n, t) => n + t.applications.length, 0));
    // A new tenant gets its signing key plus the keys published ahead.
    for (const tenant of desired.tenants) {
      const keys = byType("SigningKey").filter((r) => r.name.startsWith(`${tenant.key}-key-g`));
      expect(keys).toHaveLength(1 + tenant.policy.keys.publishedAhead);
      for (const k of keys) expect(k.inputs.algorithm).toBe(tenant.policy.accessToken.algorithm);
    }
  });

  it("points each tenant and its applications at the tenant's signing key", () => {
    const desired = compileStackText(project.read("stacks/Pulumi.mocks.yaml"), "mocks");
    for (const tenant of desired.tenants) {
      const resource = registered.find((r) => r.type.endsWith(":Tenant") && r.inputs.objectId === tenant.id);
      expect(resource).toBeDefined();
      const jwt =
        (resource?.inputs.shape as { jwtConfiguration: Record<string, unknown> } | undefined)?.jwtConfiguration ?? {};
      const keyIds = registered.filter((r) => r.name.startsWith(`${tenant.key}-key-g`)).map((r) => r.inputs.keyId);
      expect(keyIds).toContain(jwt.accessTokenKeyId);
      for (const app of tenant.applications) {
        const a = registered.find((r) => r.type.endsWith(":Application") && r.inputs.objectId === app.id);
        expect(a?.inputs.tenantId).toBe(tenant.id);
        const appJwt =
          (a?.inputs.shape as { jwtConfiguration: Record<string, unknown> } | undefined)?.jwtConfiguration ?? {};
        expect(appJwt.enabled).toBe(app.ownJwtConfiguration);
        if (app.ownJwtConfiguration) expect(appJwt.accessTokenKeyId).toBe(jwt.accessTokenKeyId);
      }
    }
  });
});

describe("an invalid stack", () => {
  it("registers nothing", async () => {
    const { registered, error } = await runWithMocks("broken");
    expect(error?.message).toMatch(/stacks\/Pulumi\.broken\.yaml:\d+:\d+: KIT_\w+ .*nope/);
    expect(registered).toEqual([]);
  });
});

describe("API keys naming a tenant the stack does not have", () => {
  it("fail before anything is registered", async () => {
    const { registered, error } = await runWithMocks("bad-keys");
    expect(error?.message).toMatch(
      /stacks\/Pulumi\.bad-keys\.yaml:\d+:\d+: KIT_UNKNOWN_REFERENCE .*"patient".*did you mean "patients"/,
    );
    expect(registered).toEqual([]);
  });
});

describe("a mistake in how the program is run", () => {
  /** The error as the engine shows it: a RunError prints its message alone, never a stack trace. */
  const asShown = (error: Error | undefined) => ({
    runError: pulumi.RunError.isInstance(error),
    stack: error?.stack,
    message: error?.message,
  });

  it("no API key: KIT_API_KEY_MISSING with what to set, and nothing registered", async () => {
    const saved = process.env.FUSIONAUTH_API_KEY;
    delete process.env.FUSIONAUTH_API_KEY;
    try {
      const { registered, error } = await runWithMocks("mocks", {});
      expect(asShown(error)).toEqual({
        runError: true,
        stack: undefined,
        message: expect.stringMatching(
          /^KIT_API_KEY_MISSING the stack has no API key: pulumi config set --secret fusionauth-offline-kit:apiKey <key> --stack mocks, or set FUSIONAUTH_API_KEY$/,
        ),
      });
      expect(registered).toEqual([]);
    } finally {
      if (saved !== undefined) process.env.FUSIONAUTH_API_KEY = saved;
    }
  });

  it("a FAKIT_NOW that is no time: KIT_NOW_INVALID naming it, and nothing registered", async () => {
    const saved = process.env.FAKIT_NOW;
    process.env.FAKIT_NOW = "next tuesday";
    try {
      const { registered, error } = await runWithMocks("mocks");
      expect(asShown(error)).toEqual({
        runError: true,
        stack: undefined,
        message: 'KIT_NOW_INVALID FAKIT_NOW must be an ISO 8601 time, got "next tuesday"',
      });
      expect(registered).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.FAKIT_NOW;
      else process.env.FAKIT_NOW = saved;
    }
  });
});
