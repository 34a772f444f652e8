// The nesting guard that runs before the YAML parser: deep files are refused from the text alone (no recursion),
// and nothing the kit ships comes near the limit.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { firstNestingBeyond } from "../../src/diagnostics/yaml-depth";

const ROOT = join(__dirname, "..", "..");

function yamlFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => join(ROOT, dir, f));
}

describe("firstNestingBeyond", () => {
  // The mapping holding `a` is the first level, so the ninth bracket is the tenth level.
  it("finds flow nesting at the bracket that goes past the limit", () => {
    expect(firstNestingBeyond(`a: ${"[".repeat(10)}${"]".repeat(10)}\n`, 9)).toEqual({ line: 1, column: 12 });
    expect(firstNestingBeyond(`a: ${"[".repeat(9)}${"]".repeat(9)}\n`, 10)).toBeUndefined();
  });

  it("finds block nesting by indentation and by compact sequence entries", () => {
    const block = Array.from({ length: 20 }, (_, i) => `${" ".repeat(i)}k${i}:`).join("\n");
    expect(firstNestingBeyond(`${block} 1\n`, 10)).toEqual({ line: 11, column: 11 });
    expect(firstNestingBeyond(`${"- ".repeat(20)}a\n`, 10)?.line).toBe(1);
  });

  it("ignores brackets in quotes, comments and block scalars", () => {
    const text = [
      `a: "${"[".repeat(50)}"`,
      `b: '${"{".repeat(50)}'`,
      `c: 1 # ${"[".repeat(50)}`,
      "d: |",
      `  ${"[".repeat(50)}`,
      `  ${" ".repeat(40)}deeper text`,
      "e: 2",
    ].join("\n");
    expect(firstNestingBeyond(text, 5)).toBeUndefined();
  });

  it("passes every YAML file the kit ships with room to spare (a quarter of the guard's limit)", () => {
    const files = [
      ...yamlFiles("policies"),
      ...yamlFiles("policies/presets"),
      ...yamlFiles("stacks"),
      ...yamlFiles("simulations"),
    ];
    expect(files.length).toBeGreaterThan(10);
    for (const file of files)
      expect([file, firstNestingBeyond(readFileSync(file, "utf8"), 32)]).toEqual([file, undefined]);
  });

  it("scans 2,000 levels without recursion", () => {
    expect(firstNestingBeyond(`${"[".repeat(2000)}${"]".repeat(2000)}\n`, 128)).toEqual({ line: 1, column: 128 });
  });
});
