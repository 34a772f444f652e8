import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { generate, TARGETS } from "../../scripts/gen-schema-types";
import { ALGORITHM_VALUES, DEGRADED_MODE_VALUES } from "../../src/policy/preset.generated";
import { SIGNING_ALGORITHMS } from "../../src/policy/types";

const ROOT = path.join(__dirname, "..", "..");

describe("types derived from the JSON Schemas", () => {
  it.each(TARGETS.map((t) => [t.out, t] as const))("%s matches its schema (else: npm run gen:types)", async (_o, t) => {
    expect(readFileSync(path.join(ROOT, t.out), "utf8")).toBe(await generate(t));
  });

  it("the preset's refreshToken block keeps its properties and the keys a preset must set", () => {
    const src = readFileSync(path.join(ROOT, "src/policy/preset.generated.ts"), "utf8");
    const block = src.slice(src.indexOf("export interface PresetRefreshToken {"));
    expect(block.slice(0, block.indexOf("}"))).toContain("lifetime: Duration\nexpiration: RefreshExpiration\n");
    expect(src).toContain("revokeOn: PresetRefreshTokenRevokeOn");
    expect(src).toMatch(/export interface PresetRefreshTokenRevokeOn \{\nloginPrevented: boolean\n/);
  });

  it("enum value lists come from the schema, so code never repeats them", () => {
    const schema = JSON.parse(readFileSync(path.join(ROOT, "policies/schema/preset.schema.json"), "utf8"));
    expect(ALGORITHM_VALUES).toEqual(schema.$defs.algorithm.enum);
    expect(DEGRADED_MODE_VALUES).toEqual(schema.$defs.degradedMode.enum);
    expect(SIGNING_ALGORITHMS).toEqual(schema.$defs.algorithm.enum.filter((a: string) => !a.startsWith("HS")));
  });
});
