// The dev -> staging -> prod example as shipped: the tenants of stacks/kit.yaml deployed by three stacks on one
// FusionAuth (the emulator), each with its own ids, names and per-stack settings, then a no-op promotion.
import { readFileSync } from "node:fs";
import path from "node:path";
import { FusionAuthClient } from "@fusionauth/typescript-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator";
import { compileStackFile } from "../../src/stack/load";
import { REPO_ROOT } from "../../src/toolchain/pulumi-cli";
import { createKitProject, type KitProject, shippedStack } from "../../testkit/helpers/kit-project";
import { iso, sec } from "../helpers/kit-scenario";
import { createTestStack, pulumiToolchain, type TestStack, uniqueStackName } from "../helpers/pulumi";

const tc = await pulumiToolchain();
const NOW = sec("2026-11-29T12:00:00Z");
const LONG = { timeout: 300_000 };
const API_KEY = "environments-e2e-key";
const ENVIRONMENTS = ["dev", "staging", "prod"] as const;

describe.skipIf(tc === undefined)("the dev, staging and prod stacks on one emulator", () => {
  let emu: RunningEmulator;
  let project: KitProject;
  const stacks = new Map<string, TestStack>();
  const names = new Map(ENVIRONMENTS.map((e) => [e, uniqueStackName(e)]));

  beforeAll(async () => {
    emu = await startEmulator({ admin: true, apiKeys: [API_KEY], now: new Date(NOW * 1000) });
    project = createKitProject();
    project.write("stacks/kit.yaml", readFileSync(path.join(REPO_ROOT, "stacks", "kit.yaml"), "utf8"));
    for (const e of ENVIRONMENTS) {
      const name = names.get(e) as string;
      project.writeStack(name, shippedStack(e, emu.url));
      // biome-ignore lint/style/noNonNullAssertion: guarded by skipIf
      const stack = await createTestStack(tc!, {
        workDir: project.dir,
        stackName: name,
        secrets: { "fusionauth-offline-kit:apiKey": API_KEY },
        env: { FAKIT_NOW: iso(NOW) },
      });
      stacks.set(e, stack);
    }
  }, 120_000);

  afterAll(async () => {
    for (const s of stacks.values()) await s.dispose();
    project?.dispose();
    await emu?.close();
  }, 180_000);

  it("deploys each environment's tenants side by side, with its own settings", LONG, async () => {
    for (const e of ENVIRONMENTS) {
      const res = await stacks.get(e)?.stack.up({ color: "never" });
      expect(res?.summary.result).toBe("succeeded");
    }
    const client = new FusionAuthClient(API_KEY, emu.url);
    const tenants = (await client.retrieveTenants()).response.tenants ?? [];
    for (const e of ENVIRONMENTS) {
      const name = names.get(e) as string;
      const desired = compileStackFile(project.dir, path.join(project.dir, "stacks", `Pulumi.${name}.yaml`)).state;
      if (desired === undefined) throw new Error(`stack ${name} does not compile`);
      const clinic = desired.tenants.find((t) => t.key === "clinic");
      const live = tenants.find((t) => t.id === clinic?.id);
      expect(live?.name).toBe(`Clinic (${name})`);
      const crews = desired.tenants.find((t) => t.key === "field-ops");
      const liveCrews = tenants.find((t) => t.id === crews?.id);
      // dev's tenantSettings shorten the access token; staging and prod keep the preset's 30 minutes.
      expect(liveCrews?.jwtConfiguration?.timeToLiveInSeconds).toBe(e === "dev" ? 600 : 1800);
    }
  });

  it("re-running every environment writes nothing", LONG, async () => {
    emu.counters.reset();
    for (const e of ENVIRONMENTS) await stacks.get(e)?.stack.up({ color: "never" });
    expect(emu.counters.snapshot().writes).toBe(0);
  });
});
