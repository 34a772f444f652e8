// The field table (src/policy/fields.ts) is the one place that knows each setting: every setting the sensitivity
// levels can bound is in it, with a kind that suits the bound.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { POLICY_FIELDS, policyField } from "../../src/policy/fields";
import { REPO } from "./policy-fixture";

const levels = JSON.parse(readFileSync(join(REPO, "policies/schema/sensitivity-levels.schema.json"), "utf8"));
const rules = levels.$defs.level.properties as Record<string, { properties: Record<string, unknown> }>;

describe("POLICY_FIELDS", () => {
  it.each([
    ["max", ["duration", "minutes", "integer", "size"]],
    ["allowed", ["enum"]],
    ["required", ["boolean"]],
  ])("every %s rule of the levels schema names a field of the table of a fitting kind", (kind, kinds) => {
    for (const path of Object.keys(rules[kind]?.properties ?? {})) expect(kinds).toContain(policyField(path).kind);
  });

  it("holds every leaf of the preset schema's offline block", () => {
    const preset = JSON.parse(readFileSync(join(REPO, "policies/schema/preset.schema.json"), "utf8"));
    const leaves = (def: Record<string, unknown>, prefix: string): string[] =>
      Object.entries((def.properties ?? {}) as Record<string, { $ref?: string }>).flatMap(([k, v]) => {
        const ref = v.$ref?.replace("#/$defs/", "");
        const target = ref === undefined ? v : preset.$defs[ref];
        return target.type === "object" ? leaves(target, `${prefix}.${k}`) : [`${prefix}.${k}`];
      });
    const paths = POLICY_FIELDS.map((f) => f.path);
    for (const leaf of leaves(preset.$defs.offline, "offline")) expect(paths).toContain(leaf);
  });
});
