// V8's code cache for the kit's bundles (src/toolchain/code-cache.js). What users depend on: the second run of a
// bundle uses the cache, an edited bundle never runs the old code, and a cache that is broken or cannot be
// written costs the speed-up, never the run.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../src/toolchain/pulumi-cli";

const LOADER = path.join(REPO_ROOT, "src", "toolchain", "code-cache.js");

describe("the code cache of a bundle", () => {
  let dir: string;
  const bundle = () => path.join(dir, "bundle.js");
  const caches = () => readdirSync(dir).filter((f) => f.endsWith(".v8cache"));
  /** Loads the bundle in a fresh Node.js process, as each run does; prints its value and the cache's fate. */
  const run = () =>
    JSON.parse(
      execFileSync(
        process.execPath,
        [
          "-e",
          `const r = require(${JSON.stringify(LOADER)}).requireWithCodeCache(${JSON.stringify(bundle())});
           process.stdout.write(JSON.stringify({ value: r.exports.value, cache: r.cache }));`,
        ],
        { encoding: "utf8" },
      ),
    );
  /** Writes the bundle with a value; some functions, so that V8 has code to cache. */
  const write = (value: string) => {
    const fns = Array.from({ length: 50 }, (_, i) => `function f${i}(x) { return x * ${i} + 1; }`).join("\n");
    writeFileSync(bundle(), `${fns}\nexports.value = ${JSON.stringify(value)} + f3(1);\n`);
  };

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "fakit-code-cache-"));
  });
  afterAll(() => {
    chmodSync(dir, 0o755);
    rmSync(dir, { recursive: true, force: true });
  });

  it("is written at the first run and used at the next", () => {
    write("first");
    expect(run()).toEqual({ value: "first4", cache: "written" });
    expect(caches()).toHaveLength(1);
    expect(run()).toEqual({ value: "first4", cache: "used" });
  });

  it("never runs the old code for a bundle rewritten in place, even at the same length and time", () => {
    const before = caches();
    const stamp = new Date(Date.now() - 60_000);
    write("other");
    utimesSync(bundle(), stamp, stamp);
    expect(run()).toEqual({ value: "other4", cache: "written" });
    write("again");
    utimesSync(bundle(), stamp, stamp);
    // Same length and mtime as "other": V8 would take the cache of "other" (it checks only the length).
    expect(run()).toEqual({ value: "again4", cache: "written" });
    expect(caches().length).toBeGreaterThan(before.length);
  });

  it("runs the bundle when the cache file is garbage, and replaces it", () => {
    write("garbage");
    run();
    for (const f of caches()) writeFileSync(path.join(dir, f), "not a code cache");
    expect(run()).toEqual({ value: "garbage4", cache: "rejected" });
    expect(run()).toEqual({ value: "garbage4", cache: "used" });
  });

  it("runs the bundle when the cache cannot be written", () => {
    const ro = path.join(dir, "ro");
    mkdirSync(ro);
    const file = path.join(ro, "bundle.js");
    writeFileSync(file, 'exports.value = "read-only";\n');
    // A file where the temporary cache file goes: the write fails, as in a folder the user cannot write to
    // (tests run as root, whom file modes do not stop).
    const out = execFileSync(
      process.execPath,
      [
        "-e",
        `const fs = require("node:fs");
         const { requireWithCodeCache, cacheFileOf } = require(${JSON.stringify(LOADER)});
         const file = ${JSON.stringify(file)};
         fs.mkdirSync(cacheFileOf(file, fs.readFileSync(file)) + "." + process.pid + ".tmp");
         const r = requireWithCodeCache(file);
         process.stdout.write(JSON.stringify({ value: r.exports.value, cache: r.cache }));`,
      ],
      { encoding: "utf8" },
    );
    expect(JSON.parse(out)).toEqual({ value: "read-only", cache: "none" });
  });
});
