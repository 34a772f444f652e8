// The trampoline providers as the engine handles them: serialized from the precompiled bundle, as a program run stores
// them in the state, then deserialized in another process in another checkout, the way the provider process
// runs them. What users depend on: a small state, and a state that keeps working when the checkout moves.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../src/toolchain/pulumi-cli";

const FIXTURE = path.join(__dirname, "fixtures", "serialize-providers.js");
/** Where the provider process's half finds the implementations by provider name. */
const { REGISTRY } = require("../../src/pulumi/providers/attach.js") as { REGISTRY: string };
/** The application provider's trampoline as the previous kit version stored it in states: it must keep working. */
const V1_APPLICATION = readFileSync(path.join(__dirname, "fixtures", "trampoline-v1-application.txt"), "utf8");
let serialized: Record<string, string>;

beforeAll(() => {
  const out = execFileSync(process.execPath, [FIXTURE], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  serialized = JSON.parse(out);
}, 60_000);

describe("trampoline providers", () => {
  it("serialize to under 1 KB each, naming only their provider", () => {
    expect(Object.keys(serialized).sort()).toEqual(["apiKey", "application", "signingKey", "tenant"]);
    for (const [name, text] of Object.entries(serialized)) {
      expect(Buffer.byteLength(text), name).toBeLessThan(1024);
      // Nothing of the implementation rides along: no client, no path of this checkout, no module path.
      expect(text, name).not.toContain("FusionAuthClient");
      expect(text, name).not.toContain(REPO_ROOT);
      expect(text, name).not.toContain(".ts");
      expect(text, name).toContain(`"${name}"`);
    }
  });

  it("each name a provider the registry of kinds implements", async () => {
    const { IMPLEMENTATIONS } = await import(path.join(REPO_ROOT, REGISTRY));
    expect(Object.keys(IMPLEMENTATIONS).sort()).toEqual(Object.keys(serialized).sort());
    for (const impl of Object.values(IMPLEMENTATIONS) as Record<string, unknown>[])
      for (const m of ["configure", "diff", "create", "read", "update", "delete"])
        expect(typeof impl[m]).toBe("function");
  });

  describe("run from a checkout that moved", () => {
    let moved: string;
    beforeAll(() => {
      // Another checkout: its own Pulumi.yaml and its own implementation module, which says where it ran.
      moved = mkdtempSync(path.join(os.tmpdir(), "fakit-moved-"));
      writeFileSync(path.join(moved, "Pulumi.yaml"), "name: moved\nruntime: nodejs\nmain: src/pulumi/index.ts\n");
      // Its own node_modules (so the bundle cache is its own) with what the provider process needs, and its own
      // registry of kinds, whose application provider says where it ran.
      mkdirSync(path.join(moved, "node_modules"));
      for (const pkg of ["esbuild", "require-from-string"])
        symlinkSync(path.join(REPO_ROOT, "node_modules", pkg), path.join(moved, "node_modules", pkg));
      const impl = path.join(moved, REGISTRY);
      mkdirSync(path.dirname(impl), { recursive: true });
      mkdirSync(path.join(moved, "src", "toolchain"));
      mkdirSync(path.join(moved, "src", "pulumi", "providers"));
      for (const f of [
        path.join("toolchain", "precompiled.js"),
        path.join("toolchain", "code-cache.js"),
        path.join("toolchain", "write-atomically.js"),
        path.join("pulumi", "providers", "attach.js"),
      ])
        copyFileSync(path.join(REPO_ROOT, "src", f), path.join(moved, "src", f));
      writeFileSync(
        impl,
        `const here: string = "the moved checkout's own module";
const applicationProvider = {
  url: "",
  async configure(req: { config: { get(k: string): string | undefined } }) {
    this.url = req.config.get("fusionauth-offline-kit:url") ?? "";
  },
  async diff() { return { changes: false }; },
  async create(inputs: { objectId: string }) { return { id: inputs.objectId, outs: { loadedFrom: here, url: this.url } }; },
  async read(id: string) { return { id }; },
  async update() { return {}; },
  async delete() {},
};
export const IMPLEMENTATIONS = { application: applicationProvider };
`,
      );
    });
    afterAll(() => rmSync(moved, { recursive: true, force: true }));

    it.each([
      ["today's trampoline", () => serialized.application as string],
      ["the previous kit version's trampoline, still in older states", () => V1_APPLICATION],
    ])("%s loads the implementation of the checkout it runs in, found from the working directory", (_, text) => {
      // The provider process's working directory is the program's (src/pulumi), as the engine sets it.
      const cwd = path.join(moved, "src", "pulumi");
      const script = `
        const provider = require("require-from-string")(process.env.PROVIDER_TEXT).handler();
        (async () => {
          await provider.configure({ config: { get: (k) => ({ "fusionauth-offline-kit:url": "http://fa.test" })[k] } });
          const res = await provider.create({ objectId: "app-1" });
          process.stdout.write(JSON.stringify(res));
        })().catch((e) => { process.stderr.write(String(e)); process.exit(1); });`;
      const out = execFileSync(process.execPath, ["-e", script], {
        cwd,
        encoding: "utf8",
        env: { ...process.env, PROVIDER_TEXT: text() },
      });
      expect(JSON.parse(out)).toEqual({
        id: "app-1",
        outs: { loadedFrom: "the moved checkout's own module", url: "http://fa.test" },
      });
    });
  });
});
