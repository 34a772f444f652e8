// A pipeline runs `pulumi preview` on every pull request: when nothing changed, it must say so. Nothing in the
// stack's outputs may change between runs (a run-time output once made every preview show a diff). Such a
// preview is mostly start-up, so it also shows what the program's process loads (docs/performance.md).
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shippedStack } from "../../testkit/helpers/kit-project";
import { type KitScenario, sec, startKitScenario } from "../helpers/kit-scenario";
import { pulumiToolchain } from "../helpers/pulumi";

const tc = await pulumiToolchain();
const NOW = sec("2026-11-29T12:00:00Z");
const LONG = { timeout: 300_000 };

describe.skipIf(tc === undefined)("a preview after up with nothing changed", () => {
  let s: KitScenario;

  beforeAll(async () => {
    // biome-ignore lint/style/noNonNullAssertion: guarded by skipIf
    s = await startKitScenario(tc!, { stackPrefix: "noop", stackYaml: (url) => shippedStack("local", url), at: NOW });
  }, 120_000);

  afterAll(async () => s?.dispose());

  it("shows no change, not even of an output, and writes nothing to FusionAuth", LONG, async () => {
    await s.deployAt(NOW);
    // The program's process records, when it ends, the files of node_modules it ran (Node.js's module cache).
    const loaded = path.join(s.project.dir, "loaded.json");
    s.project.write(
      "probe.js",
      `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(loaded)}, JSON.stringify(
         Object.entries(require.cache).filter(([f, m]) => m.loaded && f.includes("/node_modules/"))
           .map(([f]) => f.slice(f.lastIndexOf("/node_modules/") + 14)))));`,
    );
    const yaml = s.project.read("Pulumi.yaml");
    s.project.write(
      "Pulumi.yaml",
      yaml.replace(/nodeargs: (.*)/, `nodeargs: $1 --require ${path.join(s.project.dir, "probe.js")}`),
    );
    s.emu.counters.reset();
    // An hour later: still inside the same rotation period, so nothing is due.
    const preview = await s.previewAt(NOW + 3600);
    const changed = Object.entries(preview.changeSummary).filter(([op, n]) => op !== "same" && n > 0);
    expect(changed).toEqual([]);
    // The engine counts the stack as "same" even when an output changes; only its diff shows the change.
    expect(preview.log).not.toMatch(/^\s*[~+-] \w+\s*:/m);
    expect(s.emu.counters.snapshot().writes).toBe(0);

    // What the up before it left in the checkout's cache spares this run: the SDK and gRPC run from the host's
    // bundle (src/toolchain/fast-start.js), also where the kit imports an SDK module by path; the schemas'
    // validators come compiled (no ajv); the trampolines' parses come parsed (no TypeScript).
    const files = JSON.parse(readFileSync(loaded, "utf8")) as string[];
    expect(files.filter((f) => /^(@pulumi\/pulumi|@grpc\/grpc-js)\//.test(f)).sort()).toEqual([
      "@pulumi/pulumi/cmd/run/index.js",
      "@pulumi/pulumi/index.js",
      "@pulumi/pulumi/runtime/settings.js",
    ]);
    expect(files.filter((f) => /^(ajv\/dist\/(2020|core|compile\/)|typescript\/lib\/)/.test(f))).toEqual([]);
    // The SDK's gRPC tracing is a stand-in loaded on first use, and tracing is off: nothing loads it.
    expect(files.filter((f) => f.startsWith("@opentelemetry/instrumentation-grpc/"))).toEqual([]);
    expect(files).toContain("ajv/dist/runtime/ucs2length.js"); // what the compiled validators require
  });

  it("has the engine start the provider's process before the program registers its first resource", LONG, async () => {
    // The engine's own log (-v=9: plugin launches are logged at 9, registrations at 5), in the order it did things.
    const res = await s.stack.stack.preview({ color: "never", logVerbosity: 9, logToStdErr: true, logFlow: true });
    const lines = res.stderr.split("\n");
    const first = (re: RegExp) => lines.findIndex((l) => re.test(l));
    const invoked = first(/ResourceMonitor\.Invoke received: tok=pulumi-nodejs:dynamic:startEarly/);
    const launched = first(/Launching plugin 'pulumi-nodejs \(resource\)'/);
    // The program's first resource after the stack itself (a tenant component, which needs no provider). The
    // engine logs a custom resource's registration only once it has its provider, so that line cannot tell.
    const registered = first(/ResourceMonitor\.RegisterResource received: t=(?!pulumi:pulumi:Stack)/);
    expect(launched).toBeGreaterThan(-1);
    expect(registered).toBeGreaterThan(-1);
    // Started by the program's first call (src/pulumi/start-provider.js), not by its first registration.
    expect(launched).toBeLessThan(registered);
    // The engine logs the call once its provider is ready, so only its presence tells.
    expect(invoked).toBeGreaterThan(-1);
    // Exactly one provider process, the one every resource then uses.
    expect(lines.filter((l) => /Launching plugin 'pulumi-nodejs \(resource\)'/.test(l))).toHaveLength(1);
    // The call is answered "unknown function", as expected, and nothing of it reaches what the user sees.
    expect(res.stdout).not.toMatch(/startEarly|unknown function|error/i);
    expect(Object.entries(res.changeSummary).filter(([op, n]) => op !== "same" && n > 0)).toEqual([]);
  });
});
