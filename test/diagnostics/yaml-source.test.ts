// Hostile YAML: alias bombs, deep nesting and huge files get a located diagnostic, never a crash or a hang.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseYamlSource, YAML_LIMITS } from "../../src/diagnostics/yaml-source";

const parse = (text: string) => parseYamlSource({ path: "stacks/Pulumi.t.yaml", text });

/** "Billion laughs": each level refers nine times to the one before. */
function aliasBomb(levels: number): string {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i <= levels; i++)
    lines.push(
      `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(",")}]`,
    );
  return `${lines.join("\n")}\nconfig: {}\n`;
}

describe("YAML limits", () => {
  it("an alias bomb is KIT_YAML_ALIAS_LIMIT at the first alias, not an exception", () => {
    const { doc, diagnostics } = parse(aliasBomb(9));
    expect(doc.value).toBeUndefined();
    expect(diagnostics).toEqual([
      expect.objectContaining({ code: "KIT_YAML_ALIAS_LIMIT", file: "stacks/Pulumi.t.yaml", line: 2, column: 10 }),
    ]);
  });

  it("a few aliases stay allowed", () => {
    const { doc, diagnostics } = parse("base: &b {x: 1}\ncopy: *b\n");
    expect(diagnostics).toEqual([]);
    expect(doc.value).toEqual({ base: { x: 1 }, copy: { x: 1 } });
  });

  it.each([
    ["compact block lists", (n: number) => `config:\n- ${"- ".repeat(n - 1)}x\n`],
    ["flow lists", (n: number) => `config: ${"[".repeat(n)}${"]".repeat(n)}\n`],
    ["block lists", (n: number) => `config:\n  ${"- ".repeat(n)}x\n`],
    ["flow mappings", (n: number) => `config: ${"{a: ".repeat(n)}1${"}".repeat(n)}\n`],
  ])("2,000 levels of %s are KIT_YAML_TOO_DEEP", (_, build) => {
    const { doc, diagnostics } = parse(build(2000));
    expect(doc.value).toBeUndefined();
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: "KIT_YAML_TOO_DEEP", file: "stacks/Pulumi.t.yaml" });
    expect(diagnostics[0]?.line).toBeGreaterThanOrEqual(1);
  });

  it("block mappings indented 2,000 deep are refused (by size, 4 MB of indentation), 1,000 deep by depth", () => {
    const block = (n: number, indent: string) =>
      `${Array.from({ length: n }, (_, i) => `${indent.repeat(i)}k${i}:`).join("\n")} 1\n`;
    expect(parse(block(2000, "  ")).diagnostics).toEqual([expect.objectContaining({ code: "KIT_FILE_TOO_LARGE" })]);
    expect(parse(block(1000, " ")).diagnostics).toEqual([expect.objectContaining({ code: "KIT_YAML_TOO_DEEP" })]);
  });

  it("nesting at the limit parses; one level more does not", () => {
    const nest = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}\n`;
    expect(parse(nest(YAML_LIMITS.maxDepth)).diagnostics).toEqual([]);
    expect(parse(nest(YAML_LIMITS.maxDepth + 1)).diagnostics[0]).toMatchObject({
      code: "KIT_YAML_TOO_DEEP",
      line: 1,
      column: YAML_LIMITS.maxDepth + 1,
    });
  });

  it("a file beyond the size limit is KIT_FILE_TOO_LARGE without being parsed", () => {
    const { doc, diagnostics } = parse(`name: ${"x".repeat(YAML_LIMITS.maxSourceLength)}\n`);
    expect(doc.value).toBeUndefined();
    expect(diagnostics).toEqual([expect.objectContaining({ code: "KIT_FILE_TOO_LARGE", line: 1, column: 1 })]);
  });

  it("any mix of nesting and aliases up to 3,000 deep parses or is reported, never thrown (seeded)", () => {
    const opener = fc.constantFrom("[", "{a: ", "- ", "&x [", "[*x, ");
    fc.assert(
      fc.property(fc.array(opener, { maxLength: 3000, size: "max" }), (opens) => {
        const closes = opens
          .map((o) => (o.includes("{") ? "}" : o === "- " ? "" : "]"))
          .reverse()
          .join("");
        const text = `x: &x [1]\nv: ${opens.join("")}0${closes}\n`;
        const { doc, diagnostics } = parse(text);
        for (const d of diagnostics) expect(d.line).toBeGreaterThanOrEqual(1);
        if (diagnostics.length === 0) expect(doc.value).toBeDefined();
      }),
      { seed: 0x16_0003, numRuns: 25 },
    );
  });
});
