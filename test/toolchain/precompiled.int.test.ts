// The precompiled loader (src/toolchain/precompiled.js): the Pulumi program, its providers and the fakit CLI run
// the kit's TypeScript from a cached bundle. What users depend on: an edit to any file an entry imports is what
// the next run executes, a source that does not compile stops the run with its location, and runs at once share
// the cache safely.
import { execFile, execFileSync, spawnSync } from "node:child_process";
import {
  copyFileSync,
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
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../src/toolchain/pulumi-cli";

describe("the precompiled loader", () => {
  let checkout: string;
  const entry = () => path.join(checkout, "src", "pulumi", "entry.ts");
  const dep = () => path.join(checkout, "src", "lib", "figure.ts");
  const cache = () => path.join(checkout, "node_modules", ".cache", "fusionauth-offline-kit");
  const script = () =>
    `process.stdout.write(String(require("./src/toolchain/precompiled").load(${JSON.stringify(entry())}).value))`;
  /** Loads the entry in a fresh Node.js process, as each `pulumi` or `fakit` run does. */
  const run = () => execFileSync(process.execPath, ["-e", script()], { cwd: checkout, encoding: "utf8" });
  /** Rewrites the imported module; the mtime is pushed on, as a coarse file-system clock could keep it. */
  const edit = (text: string) => {
    writeFileSync(dep(), text);
    const later = new Date(Date.now() + 5_000);
    utimesSync(dep(), later, later);
  };
  const bundleNamed = () => {
    const manifest = readdirSync(cache()).find((f) => f.endsWith(".json")) as string;
    return path.join(cache(), JSON.parse(readFileSync(path.join(cache(), manifest), "utf8")).bundle);
  };

  beforeAll(() => {
    // A checkout of its own, so its cache is its own: the loader, esbuild, an entry importing a second module.
    checkout = mkdtempSync(path.join(os.tmpdir(), "fakit-precompiled-"));
    for (const dir of ["pulumi", "lib", "toolchain"]) mkdirSync(path.join(checkout, "src", dir), { recursive: true });
    mkdirSync(path.join(checkout, "node_modules"));
    symlinkSync(path.join(REPO_ROOT, "node_modules", "esbuild"), path.join(checkout, "node_modules", "esbuild"));
    for (const f of ["precompiled.js", "code-cache.js", "write-atomically.js"])
      copyFileSync(path.join(REPO_ROOT, "src", "toolchain", f), path.join(checkout, "src", "toolchain", f));
    writeFileSync(entry(), 'import { figure } from "../lib/figure";\nexport const value: string = figure();\n');
    writeFileSync(dep(), 'export const figure = (): string => "first";\n');
  });
  afterAll(() => rmSync(checkout, { recursive: true, force: true }));

  it("compiles the entry and what it imports into one cached bundle", () => {
    expect(run()).toBe("first");
    expect(readdirSync(cache()).filter((f) => f.endsWith(".js"))).toHaveLength(1);
  });

  it("reuses the bundle while no input changed", () => {
    // Mark the bundle: a rebuild would write another.
    writeFileSync(bundleNamed(), 'exports.value = "from the cache";\n');
    expect(run()).toBe("from the cache");
  });

  it("rebuilds when a module the entry imports changes", () => {
    edit('export const figure = (): string => "other";\n');
    expect(run()).toBe("other");
  });

  it("stops at a source that does not compile, naming file, line and column, and never runs the old bundle", () => {
    edit('export const figure = (): string => "broken"\n  ;;; const = ;\n');
    const r = spawnSync(process.execPath, ["-e", script()], { cwd: checkout, encoding: "utf8" });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("PrecompileError: cannot compile src/pulumi/entry.ts:");
    expect(r.stderr).toMatch(/src\/lib\/figure\.ts:2:\d+: Expected identifier but found "="/);
    // Fixed, it runs again: the failure left no manifest that would pass the broken text off as built.
    edit('export const figure = (): string => "fixed";\n');
    expect(run()).toBe("fixed");
  });

  it("lets runs started at once with a stale cache all run the current code", async () => {
    edit('export const figure = (): string => "concurrent";\n');
    const runs = Array.from({ length: 4 }, () =>
      promisify(execFile)(process.execPath, ["-e", script()], { cwd: checkout, encoding: "utf8" }),
    );
    const outs = await Promise.all(runs);
    expect(outs.map((o) => o.stdout)).toEqual(["concurrent", "concurrent", "concurrent", "concurrent"]);
    // No temporary file is left, and the next run finds the bundle fresh.
    expect(readdirSync(cache()).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    writeFileSync(bundleNamed(), 'exports.value = "from the cache";\n');
    expect(run()).toBe("from the cache");
  });
});

describe("the precompiled loader in a checkout whose cache cannot be written", () => {
  it("runs the entry from memory, its npm packages found from the checkout", () => {
    const checkout = mkdtempSync(path.join(os.tmpdir(), "fakit-precompiled-ro-"));
    try {
      mkdirSync(path.join(checkout, "src", "toolchain"), { recursive: true });
      mkdirSync(path.join(checkout, "node_modules"));
      symlinkSync(path.join(REPO_ROOT, "node_modules", "esbuild"), path.join(checkout, "node_modules", "esbuild"));
      for (const f of ["precompiled.js", "code-cache.js", "write-atomically.js"])
        copyFileSync(path.join(REPO_ROOT, "src", "toolchain", f), path.join(checkout, "src", "toolchain", f));
      // A file where the cache folder goes: every write fails, as in a checkout owned by another user (tests run
      // as root, whom file modes do not stop).
      writeFileSync(path.join(checkout, "node_modules", ".cache"), "");
      const entry = path.join(checkout, "src", "entry.ts");
      writeFileSync(entry, 'import { version } from "esbuild";\nexport const value: string = "esbuild " + version;\n');
      const out = execFileSync(
        process.execPath,
        ["-e", `process.stdout.write(require("./src/toolchain/precompiled").load(${JSON.stringify(entry)}).value)`],
        { cwd: checkout, encoding: "utf8" },
      );
      expect(out).toBe(`esbuild ${require(path.join(REPO_ROOT, "node_modules", "esbuild", "package.json")).version}`);
    } finally {
      rmSync(checkout, { recursive: true, force: true });
    }
  });
});

describe("src/pulumi/precompiled.js", () => {
  it("is still the loader: trampolines stored in the state of stacks made by earlier kits require that path", () => {
    const legacy = require(path.join(REPO_ROOT, "src", "pulumi", "precompiled.js"));
    expect(legacy.load).toBe(require(path.join(REPO_ROOT, "src", "toolchain", "precompiled.js")).load);
  });
});
