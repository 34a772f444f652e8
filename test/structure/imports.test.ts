/**
 * The layout's rules, checked on the source itself: no import cycle between files of src/ (a cycle makes load
 * order matter and hides which concept depends on which), and between folders the layer order of docs/design.md
 * section 2: a folder imports only the folders listed under it, so no folder cycle, no arrow from a lower concept
 * to a higher one, and nothing but the tests imports test/. The pure-core rule is biome's `noRestrictedImports`
 * (biome.json), run by `npm run lint`.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { codeFiles, type FolderArrow, findCycles, folderArrows, importsOf, layersOf, layerViolations } from "./layers";

const ROOT = path.resolve(__dirname, "../..");
const SRC = path.join(ROOT, "src");

describe("source layout", () => {
  it("finds a cycle when there is one (the checker itself)", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["a"]],
    ]);
    expect(findCycles(graph)).toEqual([["a", "b", "c", "a"]]);
  });

  it("has no import cycle in src/", () => {
    const files = codeFiles(SRC).filter((f) => f.endsWith(".ts"));
    const known = new Set(files);
    const graph = new Map(files.map((file) => [file, importsOf(file, known)]));
    const cycles = findCycles(graph).map((cycle) => cycle.map((file) => path.relative(SRC, file)).join(" -> "));
    expect(cycles).toEqual([]);
  });
});

describe("folder layers (docs/design.md section 2)", () => {
  const layers = layersOf(readFileSync(path.join(ROOT, "docs", "design.md"), "utf8"));
  const arrows = folderArrows(ROOT);

  it("reads the layer list of the design doc, every folder once", () => {
    const named = layers.flat();
    expect(new Set(named).size).toBe(named.length);
    expect(layers[0]).toContain("packages/verifier");
    expect(layers.at(-1)).toEqual(["test"]);
  });

  it("names every folder of src/ and every top-level code folder in a layer", () => {
    const concepts = readdirSync(SRC, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => `src/${e.name}`);
    const named = new Set(layers.flat());
    expect(concepts.filter((c) => !named.has(c))).toEqual([]);
    expect(["testkit", "scripts", "bench", "test"].filter((c) => !named.has(c))).toEqual([]);
  });

  it("catches an arrow up, an arrow sideways and an unlisted folder (the checker itself)", () => {
    const toy = [["lib"], ["stack", "plan"], ["cli"]];
    const arrow = (from: string, to: string): FolderArrow => ({ from, to, file: `${from}/a -> ${to}/b` });
    expect(
      layerViolations([arrow("cli", "lib"), arrow("stack", "cli"), arrow("plan", "stack"), arrow("x", "lib")], toy),
    ).toEqual([
      "plan -> stack (plan/a -> stack/b)",
      "stack -> cli (stack/a -> cli/b)",
      "x is in no layer of docs/design.md (x/a -> lib/b)",
    ]);
  });

  it("has no arrow from a lower folder to a higher one or to a peer", () => {
    expect(arrows.length).toBeGreaterThan(100);
    expect(layerViolations(arrows, layers)).toEqual([]);
  });

  it("has no cycle between folders", () => {
    const graph = new Map<string, string[]>();
    for (const a of arrows) graph.set(a.from, [...new Set([...(graph.get(a.from) ?? []), a.to])]);
    expect(findCycles(graph).map((cycle) => cycle.join(" -> "))).toEqual([]);
  });

  it("lets nothing but the tests import test/", () => {
    expect(arrows.filter((a) => a.to === "test" && a.from !== "test").map((a) => a.file)).toEqual([]);
  });
});
