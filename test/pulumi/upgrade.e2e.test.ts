// A stack deployed by an earlier kit, whose state holds each provider's whole code and groups each tenant's
// resources under the old `TenantStack` component, moves to the trampoline providers and the `OfflineAuthTenant`
// components on its next `pulumi up`: in place (aliases keep the URNs), without a create, replace or delete,
// and without one write to FusionAuth. Users upgrading the kit depend on exactly this.
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { UpResult } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../src/toolchain/pulumi-cli";
import { shippedStack } from "../../testkit/helpers/kit-project";
import { type KitScenario, sec, startKitScenario } from "../helpers/kit-scenario";
import { pulumiToolchain } from "../helpers/pulumi";

const tc = await pulumiToolchain();
const NOW = "2026-11-29T12:00:00Z";
const LEGACY = path.join(__dirname, "fixtures", "legacy-providers");
const OLD_PROGRAM = path.join(__dirname, "fixtures", "tenant-stack-program", "program.ts.txt");
const DYNAMIC = "pulumi-nodejs:dynamic/fusionauth:";

interface StateResource {
  urn: string;
  type: string;
  id?: string;
  parent?: string;
  outputs?: { __provider?: string };
}

async function stateResources(s: KitScenario): Promise<StateResource[]> {
  return ((await s.stack.stack.exportStack()).deployment as { resources: StateResource[] }).resources;
}

/** The serialized provider of every dynamic resource in the stack's state, by URN. */
async function providersInState(s: KitScenario): Promise<Map<string, string>> {
  const deployment = (await s.stack.stack.exportStack()).deployment as {
    resources: { urn: string; outputs?: { __provider?: string } }[];
  };
  const dynamic = deployment.resources.filter((r) => typeof r.outputs?.__provider === "string");
  return new Map(dynamic.map((r) => [r.urn, r.outputs?.__provider as string]));
}

describe.skipIf(tc === undefined)(
  "upgrading a stack from providers serialized whole and TenantStack to trampolines and components",
  () => {
    let s: KitScenario;
    let legacy: Map<string, string>;
    let before: StateResource[];
    let upgrade: UpResult;
    let upgradeWrites: number;

    beforeAll(async () => {
      // biome-ignore lint/style/noNonNullAssertion: guarded by skipIf
      s = await startKitScenario(tc!, {
        stackPrefix: "upgrade",
        stackYaml: (url) => shippedStack("example", url),
        at: sec(NOW),
      });
      // The earlier kit: a copy of src/ with the providers and resources as they were.
      const src = path.join(s.project.dir, "src");
      rmSync(src);
      cpSync(path.join(REPO_ROOT, "src"), src, { recursive: true });
      for (const f of ["resources", "managed-object", "signing-key"]) {
        const target = f === "resources" ? "resources.ts" : path.join("providers", `${f}.ts`);
        writeFileSync(path.join(src, "pulumi", target), readFileSync(path.join(LEGACY, `${f}.ts.txt`)));
      }
      writeFileSync(path.join(src, "pulumi", "program.ts"), readFileSync(OLD_PROGRAM));
      await s.deployAt(sec(NOW));
      legacy = await providersInState(s);
      before = await stateResources(s);
      // This kit.
      rmSync(src, { recursive: true, force: true });
      symlinkSync(path.join(REPO_ROOT, "src"), src);
      s.emu.counters.reset();
      upgrade = await s.stack.stack.up({ color: "never" });
      upgradeWrites = s.emu.counters.snapshot().writes;
    }, 600_000);

    afterAll(async () => {
      await s?.dispose();
      // The copy of src/ compiled its own program bundle into the shared node_modules cache: remove it.
      const cache = path.join(REPO_ROOT, "node_modules", ".cache", "fusionauth-offline-kit");
      for (const f of existsSync(cache) ? readdirSync(cache) : []) {
        if (!f.endsWith(".json") || !s) continue;
        if (readFileSync(path.join(cache, f), "utf8").includes(JSON.stringify(s.project.dir).slice(1, -1)))
          for (const ext of [".json", ".js"]) rmSync(path.join(cache, f.replace(/\.json$/, ext)), { force: true });
      }
    });

    it("starts from a state holding each provider's code, over 10 KB per resource", () => {
      expect(legacy.size).toBeGreaterThan(0);
      for (const [urn, text] of legacy) expect(Buffer.byteLength(text), urn).toBeGreaterThan(10_240);
    });

    it("starts from the TenantStack components of the program before OfflineAuthTenant", () => {
      const tenants = before.filter((r) => r.type === "fusionauth-offline-kit:index:TenantStack");
      expect(tenants.length).toBeGreaterThan(0);
      for (const r of before.filter((x) => x.type.startsWith(DYNAMIC)))
        expect(
          tenants.map((t) => t.urn),
          r.urn,
        ).toContain(r.parent);
    });

    it("updates every kit resource in place, creates, replaces and deletes nothing, and writes nothing", async () => {
      const changes: Record<string, number | undefined> = upgrade.summary.resourceChanges ?? {};
      expect(upgrade.summary.result).toBe("succeeded");
      expect(changes.update).toBe(legacy.size);
      for (const op of ["create", "replace", "delete", "create-replacement", "delete-replaced"])
        expect(changes[op] ?? 0, op).toBe(0);
      expect(upgradeWrites).toBe(0);
      // The same FusionAuth objects, now under the OfflineAuthTenant components.
      const after = await stateResources(s);
      const ids = (list: StateResource[]) =>
        list
          .filter((r) => r.type.startsWith(DYNAMIC))
          .map((r) => `${r.type} ${r.id}`)
          .sort();
      expect(ids(after)).toEqual(ids(before));
      expect(after.filter((r) => r.type === "fusionauth-offline-kit:index:TenantStack")).toEqual([]);
      const components = after
        .filter((r) => r.type === "fusionauth-offline-kit:index:OfflineAuthTenant")
        .map((r) => r.urn);
      expect(components.length).toBeGreaterThan(0);
      for (const r of after.filter((x) => x.type.startsWith(DYNAMIC))) expect(components, r.urn).toContain(r.parent);
    });

    it("leaves at most 2 KB of provider per resource, and the next up changes nothing", async () => {
      const now = await providersInState(s);
      // The same resources, their URNs now under the components: compare type and name.
      const typeAndName = (urn: string) => `${urn.split("$").pop()}`;
      expect([...now.keys()].map(typeAndName).sort()).toEqual([...legacy.keys()].map(typeAndName).sort());
      for (const [urn, text] of now) expect(Buffer.byteLength(text), urn).toBeLessThanOrEqual(2048);
      s.emu.counters.reset();
      const again = await s.stack.stack.up({ color: "never" });
      const changes: Record<string, number | undefined> = again.summary.resourceChanges ?? {};
      for (const op of ["update", "create", "delete", "replace"]) expect(changes[op] ?? 0, op).toBe(0);
      expect(s.emu.counters.snapshot().writes).toBe(0);
    }, 300_000);
  },
);
