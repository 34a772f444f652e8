// resolveTenantPolicy is the one call stack compilation makes for a tenant's policy: it returns the tenant's and
// its applications' effective policies, the floor breaches no waiver covers and the waivers used.
import { describe, expect, it } from "vitest";
import { toPointer } from "../../src/diagnostics/yaml-source";
import { checkPresetCatalog } from "../../src/policy/preset-catalog";
import { resolveTenantPolicy } from "../../src/policy/tenant-policy";
import { levelsText, parse, presetTexts, schemas } from "./policy-fixture";

const catalog = checkPresetCatalog({
  presets: Object.entries(presetTexts).map(([name, text]) => parse(`policies/presets/${name}.yaml`, text).doc),
  levels: parse("policies/sensitivity-levels.yaml", levelsText).doc,
  schemas,
});
const floors = catalog.floors;
if (floors === undefined) throw new Error("the shipped sensitivity levels do not load");

// The tenant entry's text; its pointer is /tenants/0 in this document.
const doc = parse(
  "stacks/Pulumi.test.yaml",
  [
    "tenants:",
    "  - key: t1",
    "    preset: high",
    "    overrides:",
    "      offline:",
    "        grace: 40m",
    "    waivers:",
    "      - rule: offline.grace.max",
    "        reason: ward tablets lose the network in the lift",
    "    applications:",
    "      - key: ward",
    "        overrides:",
    "          offline:",
    "            checkIn: 2h",
    "      - key: kiosk",
    "        preset: field",
  ].join("\n"),
).doc;
const value = doc.value as {
  tenants: [{ key: string; preset: string; overrides: object; waivers: []; applications: [] }];
};
const tenant = value.tenants[0];
const result = resolveTenantPolicy({
  doc,
  pointer: toPointer(["tenants", 0]),
  tenant,
  applications: tenant.applications,
  presets: catalog.presets,
  floors,
});

describe("resolveTenantPolicy", () => {
  it("returns the tenant's and each application's effective policy, the keys shared", () => {
    const p = result.policy;
    expect(p?.preset).toBe("high");
    expect(p?.policy.offline.graceSeconds).toBe(40 * 60);
    expect(p?.applications.map((a) => a.policy.preset)).toEqual(["high", "field"]);
    expect(p?.applications[0]?.policy.offline.checkInSeconds).toBe(2 * 3600);
    for (const a of p?.applications ?? []) expect(a.policy.keys).toEqual(p?.policy.keys);
    expect(p?.applications[1]?.ownJwtConfiguration).toBe(true);
  });

  it("lets the waived tenant breach through as a waiver used, located at the waiver", () => {
    expect(result.policy?.waivers).toEqual([
      expect.objectContaining({ rule: "offline.grace.max", file: "stacks/Pulumi.test.yaml", line: 8 }),
    ]);
    expect(result.policy?.breaches).toEqual([]);
  });

  it("returns an application's unwaived breach and reports it as an error at its override", () => {
    const ward = result.policy?.applications[0];
    expect(ward?.breaches.map((b) => b.rule)).toEqual(["offline.checkIn.max"]);
    const errors = result.diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => [d.code, d.line])).toEqual([["KIT_FLOOR_MAX", 14]]);
  });
});
