// The start of Pulumi's Node.js processes from a cached bundle (src/toolchain/fast-start.js), shown on the dynamic
// provider's process as the engine starts it (`node --require fast-start.js .../cmd/dynamic-provider
// <engine>`): it runs from the bundle and loads no file of the installed SDK or gRPC; an edit to an input
// rebuilds the bundle; a bundle that does not build, or a cache that cannot be written, still starts the provider.
// The program's process (`cmd/run`) starts the same way in every end-to-end test through Pulumi.yaml's `nodeargs`.
import { spawn } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../src/toolchain/pulumi-cli";
import { createKitProject } from "../../testkit/helpers/kit-project";

interface Start {
  /** The first line the provider printed: the port it listens on. */
  port: string;
  stderr: string;
  /** Files of node_modules (relative to it) that Node.js loaded as modules. */
  loaded: string[];
}

describe("the dynamic provider's process started by fast-start.js", () => {
  let checkout: string;
  const toolchain = () => path.join(checkout, "src", "toolchain");
  const cache = () => path.join(checkout, "node_modules", ".cache", "fusionauth-offline-kit");
  const probe = () => path.join(checkout, "probe.js");

  /**
   * Starts the provider as the shim does, waits for its port, stops it, and says what it loaded. It starts in
   * `project` (the checkout by default, which is no Pulumi project), as the engine starts it in the program's.
   */
  const start = (env: Record<string, string> = {}, project = checkout): Promise<Start> =>
    new Promise((resolve, reject) => {
      const out = path.join(checkout, `loaded-${Date.now()}-${Math.random()}.json`);
      const provider = path.join(project, "node_modules", "@pulumi", "pulumi", "cmd", "dynamic-provider", "index.js");
      const fastStart = path.join(project, "src", "toolchain", "fast-start.js");
      const child = spawn(process.execPath, ["--require", fastStart, "--require", probe(), provider, "127.0.0.1:1"], {
        cwd: project,
        env: { ...process.env, ...env, PROBE_OUT: out },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      child.stdout.on("data", (d) => {
        stdout += d;
        if (stdout.includes("\n")) child.kill("SIGTERM");
      });
      child.on("error", reject);
      child.on("close", () => {
        try {
          resolve({ port: stdout.split("\n")[0] ?? "", stderr, loaded: JSON.parse(readFileSync(out, "utf8")) });
        } catch (err) {
          reject(new Error(`the provider did not start: ${(err as Error).message}\n${stderr}`));
        }
      });
    });
  /** Modules of the installed SDK and gRPC in the module cache. */
  const installedSdk = (s: Start) => s.loaded.filter((f) => /^(@pulumi\/pulumi|@grpc\/grpc-js)\//.test(f)).sort();
  /** The npm packages with a module in the module cache. */
  const packagesLoaded = (s: Start) => [
    ...new Set(
      s.loaded.map((f) =>
        f
          .split("/")
          .slice(0, f.startsWith("@") ? 2 : 1)
          .join("/"),
      ),
    ),
  ];
  /**
   * What fast-start.js puts in the module cache without running it: the entry point's own file, marked as loaded,
   * and the SDK's main module and the one module the kit imports by path, served from the bundle to whatever
   * requires them.
   */
  const STUBS = [
    "@pulumi/pulumi/cmd/dynamic-provider/index.js",
    "@pulumi/pulumi/index.js",
    "@pulumi/pulumi/runtime/settings.js",
  ];
  /** The bundle of the resource kinds (src/pulumi/kinds/registry.ts), as the module cache names it. */
  const isKindsBundle = (f: string) => /^\.cache\/fusionauth-offline-kit\/registry-\w+\.\w+\.js$/.test(f);
  const editHost = (text: string) => {
    const file = path.join(toolchain(), "hosts", "provider.js");
    writeFileSync(file, text);
    const later = new Date(Date.now() + 5_000);
    utimesSync(file, later, later);
  };
  const HOST = () => readFileSync(path.join(REPO_ROOT, "src", "toolchain", "hosts", "provider.js"), "utf8");

  beforeAll(() => {
    // A checkout of its own, so its cache is its own: the toolchain's JavaScript, and node_modules linked entry by
    // entry (not as one link, which would share the repository's cache folder).
    checkout = mkdtempSync(path.join(os.tmpdir(), "fakit-fast-start-"));
    mkdirSync(toolchain(), { recursive: true });
    for (const f of readdirSync(path.join(REPO_ROOT, "src", "toolchain"))) {
      if (!f.endsWith(".ts"))
        cpSync(path.join(REPO_ROOT, "src", "toolchain", f), path.join(toolchain(), f), { recursive: true });
    }
    mkdirSync(path.join(checkout, "node_modules"));
    for (const f of readdirSync(path.join(REPO_ROOT, "node_modules"))) {
      if (f !== ".cache") symlinkSync(path.join(REPO_ROOT, "node_modules", f), path.join(checkout, "node_modules", f));
    }
    // Records, when the process ends, every file in Node.js's module cache marked as loaded.
    writeFileSync(
      probe(),
      `const fs = require("node:fs");
       process.on("SIGTERM", () => process.exit(0));
       process.on("exit", () => {
         const loaded = Object.entries(require.cache).filter(([f, m]) => m.loaded && f.includes("/node_modules/"));
         fs.writeFileSync(process.env.PROBE_OUT, JSON.stringify(loaded.map(([f]) => f.slice(f.lastIndexOf("/node_modules/") + 14))));
       });`,
    );
  });
  afterAll(() => rmSync(checkout, { recursive: true, force: true }));

  it("loads the installed SDK and gRPC file by file without it (what the probe sees)", async () => {
    const s = await start({ FAKIT_BUNDLED_SDK: "0" });
    expect(s.port).toMatch(/^\d+$/);
    expect(installedSdk(s).length).toBeGreaterThan(100);
    expect(packagesLoaded(s)).toEqual(expect.arrayContaining(["typescript", "@npmcli/arborist"]));
  });

  it("runs from one cached bundle: no file of the installed SDK or gRPC runs, the entry point not twice", async () => {
    const first = await start();
    expect(first.port).toMatch(/^\d+$/);
    expect(installedSdk(first)).toEqual(STUBS);
    // Loaded on first use (lazy/), and a provider's process never uses them.
    expect(packagesLoaded(first)).not.toContain("typescript");
    expect(packagesLoaded(first)).not.toContain("@npmcli/arborist");
    const files = readdirSync(cache());
    expect(files.filter((f) => /^provider-\w+\.\w+\.js$/.test(f))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith(".v8cache"))).toHaveLength(1);
    const again = await start();
    expect(installedSdk(again)).toEqual(STUBS);
    expect(readdirSync(cache())).toEqual(files);
    // Outside a kit project there are no resource kinds to load ahead.
    expect(first.loaded.filter(isKindsBundle)).toEqual([]);
  });

  it("loads the kit's resource kinds before the engine sends anything, in a kit project", async () => {
    // The engine address leads nowhere: no Configure or Check ever reaches this provider, so the kinds can only
    // have been loaded by the host as the process started (src/toolchain/hosts/preload-kinds.js).
    const project = createKitProject();
    try {
      const s = await start({}, project.dir);
      expect(s.port).toMatch(/^\d+$/);
      expect(s.loaded.filter(isKindsBundle)).toHaveLength(1);
      expect(installedSdk(s)).toEqual(STUBS);
    } finally {
      project.dispose();
    }
  });

  it("rebuilds the bundle when one of its inputs changes", async () => {
    editHost(`process.stderr.write("edited host\\n");\n${HOST()}`);
    const s = await start();
    expect(s.stderr).toContain("edited host");
    expect(s.port).toMatch(/^\d+$/);
    editHost(HOST());
    expect((await start()).stderr).not.toContain("edited host");
  });

  it("starts the provider from the SDK as installed when the bundle does not build", async () => {
    editHost(`${HOST()}\nconst = ;\n`);
    try {
      const s = await start();
      expect(s.port).toMatch(/^\d+$/);
      expect(installedSdk(s).length).toBeGreaterThan(100);
    } finally {
      editHost(HOST());
    }
  });

  it("runs the bundle from memory when the cache cannot be written", async () => {
    rmSync(path.join(checkout, "node_modules", ".cache"), { recursive: true, force: true });
    // A file where the cache folder goes: every write fails, as in a checkout owned by another user (tests run as
    // root, whom file modes do not stop).
    writeFileSync(path.join(checkout, "node_modules", ".cache"), "");
    try {
      const s = await start();
      expect(s.port).toMatch(/^\d+$/);
      expect(installedSdk(s)).toEqual(STUBS);
    } finally {
      rmSync(path.join(checkout, "node_modules", ".cache"), { force: true });
    }
  });
});
