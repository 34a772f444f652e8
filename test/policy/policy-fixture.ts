// Test helper: the shipped presets, floors and schemas as parsed documents, plus stacks/presets from inline text.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Diagnostic, formatDiagnostic } from "../../src/diagnostics/diagnostic";
import type { PolicySchemas } from "../../src/diagnostics/schema-check";
import { type ParsedDocument, parseYamlSource } from "../../src/diagnostics/yaml-source";
import { compileStack } from "../../src/stack/compile";

export const REPO = join(__dirname, "..", "..");
const read = (p: string) => readFileSync(join(REPO, p), "utf8");

export const schemas: PolicySchemas = {
  preset: JSON.parse(read("policies/schema/preset.schema.json")),
  stack: JSON.parse(read("policies/schema/stack.schema.json")),
  levels: JSON.parse(read("policies/schema/sensitivity-levels.schema.json")),
};

export const presetTexts: Record<string, string> = Object.fromEntries(
  readdirSync(join(REPO, "policies/presets"))
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => [f.replace(/\.yaml$/, ""), read(`policies/presets/${f}`)]),
);
export const levelsText = read("policies/sensitivity-levels.yaml");

export function parse(path: string, text: string): { doc: ParsedDocument; diagnostics: Diagnostic[] } {
  return parseYamlSource({ path, text });
}

/** Compiles a stack text (file `stacks/Pulumi.test.yaml`) against the shipped presets, optionally replaced or added. */
export function compile(
  stackText: string,
  options: { presets?: Record<string, string>; levels?: string; stackName?: string } = {},
) {
  const texts = { ...presetTexts, ...(options.presets ?? {}) };
  const presetDocs = Object.entries(texts).map(([name, text]) => parse(`policies/presets/${name}.yaml`, text));
  const levels = parse("policies/sensitivity-levels.yaml", options.levels ?? levelsText);
  const stack = parse("stacks/Pulumi.test.yaml", stackText);
  const result = compileStack({
    stackName: options.stackName ?? "test",
    stack: stack.doc,
    presets: presetDocs.map((p) => p.doc),
    levels: levels.doc,
    schemas,
  });
  const all = [
    ...presetDocs.flatMap((p) => p.diagnostics),
    ...levels.diagnostics,
    ...stack.diagnostics,
    ...result.diagnostics,
  ];
  return { ...result, diagnostics: all, lines: all.map(formatDiagnostic) };
}

/** A one-tenant stack on `preset` with an overrides block given as indented YAML (6 spaces), and one app. */
export function stackWith(preset: string, overrides = "", extra = ""): string {
  return [
    "config:",
    "  fusionauth-offline-kit:url: https://auth.example.com",
    "  fusionauth-offline-kit:tenants:",
    "    - key: t1",
    "      name: Tenant One",
    "      issuer: https://auth.example.com/t1",
    `      preset: ${preset}`,
    ...(overrides === "" ? [] : ["      overrides:", ...overrides.split("\n").map((l) => `        ${l}`)]),
    ...(extra === "" ? [] : extra.split("\n").map((l) => `      ${l}`)),
    "      applications:",
    "        - key: app",
    "          name: App",
    "          redirectUris: [com.example.app:/cb]",
    "",
  ].join("\n");
}
