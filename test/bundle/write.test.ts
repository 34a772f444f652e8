// Writing bundles to disk (src/bundle/write.ts). What users depend on: the output folder holds exactly the
// stack's current bundles after a run, and a re-run that would write the same bytes leaves the files untouched.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AppBundle } from "../../src/bundle/compute";
import { writeBundles } from "../../src/bundle/write";

const bundle = (app: string, jwks = `{"keys":["${app}"]}`): AppBundle => ({
  path: path.join("prod", "t1", app),
  files: { "jwks.json": jwks, "policy.json": "{}", "manifest.json": `{"app":"${app}"}`, "manifest.jws": "a.b.c" },
});

describe("writeBundles", () => {
  let out: string;
  const file = (...p: string[]) => path.join(out, "prod", "t1", ...p);
  beforeEach(() => {
    out = mkdtempSync(path.join(os.tmpdir(), "fakit-write-"));
  });
  afterEach(() => rmSync(out, { recursive: true, force: true }));

  it("writes each application's four files and returns their folders", () => {
    expect(writeBundles(out, "prod", [bundle("a"), bundle("b")])).toEqual([file("a"), file("b")]);
    expect(readdirSync(file("a")).sort()).toEqual(["jwks.json", "manifest.json", "manifest.jws", "policy.json"]);
    expect(readFileSync(file("b", "manifest.json"), "utf8")).toBe('{"app":"b"}');
    expect(readdirSync(out)).toEqual(["prod"]);
  });

  it("leaves the files untouched when the folder already holds exactly these bundles", () => {
    writeBundles(out, "prod", [bundle("a"), bundle("b")]);
    const before = statSync(file("a", "jwks.json"));
    expect(writeBundles(out, "prod", [bundle("a"), bundle("b")])).toEqual([file("a"), file("b")]);
    const after = statSync(file("a", "jwks.json"));
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it("replaces the folder when a byte, an application or a file differs", () => {
    writeBundles(out, "prod", [bundle("a"), bundle("b")]);
    writeBundles(out, "prod", [bundle("a", '{"keys":["new"]}'), bundle("b")]);
    expect(readFileSync(file("a", "jwks.json"), "utf8")).toBe('{"keys":["new"]}');
    writeBundles(out, "prod", [bundle("a", '{"keys":["new"]}')]);
    expect(readdirSync(path.join(out, "prod", "t1"))).toEqual(["a"]);
    writeBundles(out, "prod", [bundle("a", '{"keys":["new"]}'), bundle("c")]);
    expect(readdirSync(path.join(out, "prod", "t1"))).toEqual(["a", "c"]);
    writeBundles(out, "prod", [bundle("a", '{"keys":["new"]}')]);
    writeFileSync(file("a", "stray.json"), "{}");
    writeBundles(out, "prod", [bundle("a", '{"keys":["new"]}')]);
    expect(readdirSync(file("a"))).not.toContain("stray.json");
    mkdirSync(path.join(out, "prod", "t2"));
    writeBundles(out, "prod", [bundle("a", '{"keys":["new"]}')]);
    expect(readdirSync(path.join(out, "prod"))).toEqual(["t1"]);
  });
});
