/**
 * `npm run gen:types`: derives TypeScript from the JSON Schemas of policies/schema/, the single source of the
 * formats: the stack config (src/stack/config.generated.ts), the preset (src/policy/preset.generated.ts, with the
 * value lists of its enums as constants, so that code never repeats them) and the sensitivity levels
 * (src/policy/sensitivity-levels.generated.ts). `--check` fails when a committed file is stale (a test runs it).
 */

import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { compile, type JSONSchema } from "json-schema-to-typescript";
import { isPlainObject } from "../src/lib/plain-object";

const ROOT = path.resolve(__dirname, "..");
const SCHEMA_DIR = path.join(ROOT, "policies", "schema");

interface Target {
  schema: string;
  /** The name of the root type. */
  name: string;
  out: string;
  /** Emit `export const <DEF>_VALUES = [...] as const` for every `$defs` entry that is a plain enum. */
  enumConstants?: boolean;
  /** Emit `PRESET_SETTINGS`, every setting of a preset by dotted path (see {@link presetSettings}). */
  settings?: boolean;
}

export const TARGETS: readonly Target[] = [
  { schema: "stack.schema.json", name: "StackConfig", out: "src/stack/config.generated.ts" },
  {
    schema: "preset.schema.json",
    name: "Preset",
    out: "src/policy/preset.generated.ts",
    enumConstants: true,
    settings: true,
  },
  {
    schema: "sensitivity-levels.schema.json",
    name: "SensitivityLevels",
    out: "src/policy/sensitivity-levels.generated.ts",
  },
];

/** Kept for the stack config's staleness test. */
export const GENERATED = path.join(ROOT, "src", "stack", "config.generated.ts");

type Schema = Record<string, unknown>;

const isSchema = isPlainObject<Schema>;

function resolveLocal(root: Schema, ref: string): Schema {
  let node: unknown = root;
  for (const seg of ref.replace(/^#\//, "").split("/")) node = (node as Schema)[seg];
  if (!isSchema(node)) throw new Error(`unresolvable $ref ${ref}`);
  return node;
}

/**
 * A preset block is `{"$ref": "#/$defs/x", "required": [...], "properties": {"y": {"required": [...]}}}`: the
 * shared, all-optional definition (which a stack's overrides use as is) plus the keys a preset must set.
 * json-schema-to-typescript reads such a node as the overlay alone and loses the referenced properties, so the
 * generator inlines the definition with the overlay's `required` merged in, under a name of its own.
 */
function inlineRequiredOverlays(root: Schema, node: Schema, title: string): Schema {
  const ref = node.$ref;
  if (
    typeof ref !== "string" ||
    !ref.startsWith("#/") ||
    (node.required === undefined && node.properties === undefined)
  )
    return node;
  const base = structuredClone(resolveLocal(root, ref));
  const { $ref: _r, required, properties, ...rest } = node;
  const merged: Schema = { ...base, ...rest, title };
  if (Array.isArray(required)) merged.required = required;
  if (isSchema(properties) && isSchema(merged.properties)) {
    const props = { ...(merged.properties as Schema) };
    for (const [key, overlay] of Object.entries(properties)) {
      const target = props[key];
      if (isSchema(overlay) && isSchema(target))
        props[key] = inlineRequiredOverlays(root, { ...target, ...overlay }, `${title}${capital(key)}`);
    }
    merged.properties = props;
  }
  return merged;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function withInlinedOverlays(schema: Schema): Schema {
  const props = schema.properties;
  if (!isSchema(props)) return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(props))
    out[key] = isSchema(value) ? inlineRequiredOverlays(schema, value, `Preset${capital(key)}`) : value;
  return { ...schema, properties: out };
}

function constantName(def: string): string {
  return `${def.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()}_VALUES`;
}

function enumConstants(schema: Schema): string {
  const defs = isSchema(schema.$defs) ? schema.$defs : {};
  const lines: string[] = [];
  for (const [name, def] of Object.entries(defs)) {
    if (!isSchema(def) || !Array.isArray(def.enum)) continue;
    const type = capital(name);
    lines.push(
      "",
      `/** Every value of {@link ${type}}, in schema order. */`,
      `export const ${constantName(name)} = ${JSON.stringify(def.enum)} as const satisfies readonly ${type}[];`,
    );
  }
  return lines.join("\n");
}

/** A preset's own members, not settings: they say which preset it is, not what it sets. */
const PRESET_HEADER = new Set(["name", "description", "level"]);

/**
 * Every setting of a preset (a leaf of the schema, objects walked through their `$ref`), by dotted path, with its
 * schema type (the `$defs` name it refers to, else its JSON type) and whether a preset must set it. The policy's
 * field table (src/policy/fields.ts) is typed by these paths, so a setting added to the schema without its row,
 * or a row without its setting, fails the typecheck.
 */
function presetSettings(schema: Schema): string {
  const rows: string[] = [];
  const walk = (node: Schema, prefix: string, required: boolean) => {
    const props = isSchema(node.properties) ? node.properties : {};
    const must = new Set(Array.isArray(node.required) ? node.required : []);
    for (const [key, raw] of Object.entries(props)) {
      if (prefix === "" && PRESET_HEADER.has(key)) continue;
      if (!isSchema(raw)) continue;
      const ref = typeof raw.$ref === "string" ? raw.$ref : undefined;
      const target = ref === undefined ? raw : { ...resolveLocal(schema, ref), ...raw };
      const path = prefix === "" ? key : `${prefix}.${key}`;
      const isRequired = required && must.has(key);
      if (target.type === "object") walk(target, path, isRequired);
      else {
        const type = ref === undefined ? String(target.type) : ref.replace("#/$defs/", "");
        rows.push(`  ${JSON.stringify(path)}: { type: ${JSON.stringify(type)}, required: ${isRequired} },`);
      }
    }
  };
  walk(schema, "", true);
  return [
    "",
    "",
    "/** Every setting of a preset by dotted path: its schema type (a `$defs` name or a JSON type) and whether a preset must set it. */",
    "export const PRESET_SETTINGS = {",
    ...rows,
    "} as const;",
    "",
    "/** The dotted path of a preset setting. */",
    "export type PresetSettingPath = keyof typeof PRESET_SETTINGS;",
  ].join("\n");
}

/** The generated source of one target, for the current schema. */
export async function generate(target: Target): Promise<string> {
  const file = path.join(SCHEMA_DIR, target.schema);
  const schema = withInlinedOverlays(JSON.parse(readFileSync(file, "utf8")) as Schema);
  const banner = `/* Generated by scripts/gen-schema-types.ts from policies/schema/${target.schema}: do not edit by hand.
 * Run \`npm run gen:types\` after changing the schema; a test fails while this file is stale. */`;
  const types = await compile(schema as JSONSchema, target.name, {
    bannerComment: banner,
    additionalProperties: false,
    cwd: SCHEMA_DIR,
    format: false,
  });
  if (!target.enumConstants && !target.settings) return types;
  const consts = `${target.enumConstants ? enumConstants(schema) : ""}${target.settings ? presetSettings(schema) : ""}`;
  return `${types}${consts}\n`;
}

/** The stack config's generated source (kept for callers of the earlier API). */
export function generateStackConfigTypes(): Promise<string> {
  return generate(TARGETS[0] as Target);
}

async function main(): Promise<number> {
  const check = process.argv.includes("--check");
  let stale = 0;
  for (const target of TARGETS) {
    const source = await generate(target);
    const out = path.join(ROOT, target.out);
    if (check) {
      if (readFileSync(out, "utf8") !== source) {
        console.error(`${target.out} is stale: run npm run gen:types`);
        stale++;
      }
      continue;
    }
    writeFileSync(out, source);
    console.log(`wrote ${target.out}`);
  }
  return stale > 0 ? 1 : 0;
}

if (typeof require !== "undefined" && require.main === module) {
  main().then((code) => {
    process.exitCode = code;
  });
}
