// The precompiled program (src/pulumi/precompiled.js): Pulumi runs the kit's TypeScript from a cached bundle.
// What users depend on: an edit to any file the program imports is what the next run executes.
import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../src/toolchain/pulumi-cli";

describe("the precompiled program", () => {
  let checkout: string;
  const entry = () => path.join(checkout, "src", "pulumi", "entry.ts");
  const cache = () => path.join(checkout, "node_modules", ".cache", "fusionauth-offline-kit");
  /** Loads the entry in a fresh Node.js process, as each `pulumi` run does. */
  const run = () =>
    execFileSync(
      process.execPath,
      [
        "-e",
        `process.stdout.write(String(require("./src/pulumi/precompiled").load(${JSON.stringify(entry())}).value))`,
      ],
      { cwd: checkout, encoding: "utf8" },
    );

  beforeAll(() => {
    // A checkout of its own, so its cache is its own: the loader, esbuild, an entry importing a second module.
    checkout = mkdtempSync(path.join(os.tmpdir(), "fakit-precompiled-"));
    mkdirSync(path.join(checkout, "src", "pulumi"), { recursive: true });
    mkdirSync(path.join(checkout, "node_modules"));
    symlinkSync(path.join(REPO_ROOT, "node_modules", "esbuild"), path.join(checkout, "node_modules", "esbuild"));
    copyFileSync(
      path.join(REPO_ROOT, "src", "pulumi", "precompiled.js"),
      path.join(checkout, "src", "pulumi", "precompiled.js"),
    );
    writeFileSync(entry(), 'import { figure } from "../lib/figure";\nexport const value: string = figure();\n');
    mkdirSync(path.join(checkout, "src", "lib"));
    writeFileSync(path.join(checkout, "src", "lib", "figure.ts"), 'export const figure = (): string => "first";\n');
  });
  afterAll(() => rmSync(checkout, { recursive: true, force: true }));

  it("compiles the entry and what it imports into one cached bundle", () => {
    expect(run()).toBe("first");
    expect(readdirSync(cache()).filter((f) => f.endsWith(".js"))).toHaveLength(1);
  });

  it("reuses the bundle while no input changed", () => {
    const bundle = path.join(cache(), readdirSync(cache()).find((f) => f.endsWith(".js")) as string);
    // Mark the bundle: a rebuild would overwrite the mark.
    writeFileSync(bundle, 'exports.value = "from the cache";\n');
    expect(run()).toBe("from the cache");
  });

  it("rebuilds when a module the entry imports changes", () => {
    const dep = path.join(checkout, "src", "lib", "figure.ts");
    writeFileSync(dep, 'export const figure = (): string => "other";\n');
    // A coarse file-system clock could keep the mtime; the size differs anyway, and the mtime is pushed on.
    const later = new Date(Date.now() + 5_000);
    utimesSync(dep, later, later);
    expect(run()).toBe("other");
  });
});
