// One row per preset setting (src/policy/fields.ts) drives the schema check, resolvePolicy, the effective policy,
// the FusionAuth shapes and the bundle's policy.json. These tests walk the recipe of docs/design.md ("Adding a
// preset setting") both ways: a setting half added (in the schema but not the effective policy, in the effective
// policy but not the bundle or the FusionAuth layouts) fails here; the schema-to-row direction fails the typecheck.
import { describe, expect, it } from "vitest";
import { parsePolicyFile } from "../../packages/verifier/src/format";
import { buildBundleContent } from "../../src/bundle/content";
import { listManagedPaths } from "../../src/fusionauth/managed-fields";
import { applicationShape, MANAGED_LAYOUTS, tenantShape } from "../../src/fusionauth/objects";
import { liveSettings } from "../../src/import/map";
import { formatFieldValue, POLICY_FIELDS, setAtPath, valueAtPath } from "../../src/policy/fields";
import { PRESET_SETTINGS } from "../../src/policy/preset.generated";
import { checkPresetCatalog } from "../../src/policy/preset-catalog";
import type { EffectivePolicy } from "../../src/policy/types";
import { tenantFixture } from "../../testkit/bundle/fixtures";
import { levelsText, parse, presetTexts, schemas } from "./policy-fixture";

const catalog = checkPresetCatalog({
  presets: Object.entries(presetTexts).map(([name, text]) => parse(`policies/presets/${name}.yaml`, text).doc),
  levels: parse("policies/sensitivity-levels.yaml", levelsText).doc,
  schemas,
});
const shipped = [...catalog.presets.values()].map((p) => p.policy as EffectivePolicy);

/**
 * A shipped policy with every number of the table made distinct (1001, 1002, ...), so that a row that writes
 * another row's value anywhere (a shape, policy.json) is caught, not hidden by two settings that happen to agree.
 */
function distinctPolicy(): EffectivePolicy {
  const p = structuredClone(shipped[0]) as unknown as Record<string, unknown>;
  POLICY_FIELDS.forEach((f, i) => {
    if (typeof valueAtPath(p, f.at) === "number") setAtPath(p, f.at, 1001 + i);
  });
  return p as unknown as EffectivePolicy;
}

/** The dotted paths of the leaves of a plain object (arrays are leaves). */
function leaves(value: unknown, prefix = ""): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => leaves(v, prefix === "" ? k : `${prefix}.${k}`));
}

const PRESET_DEFS = (schemas.preset as { $defs: Record<string, { enum?: unknown[] }> }).$defs;

const KINDS_OF: Record<string, string[]> = {
  duration: ["duration", "minutes"],
  size: ["size"],
  integer: ["integer"],
  boolean: ["boolean"],
};

describe("the field table against the preset schema", () => {
  it("has one row per setting of the schema, in the schema's order, each of a kind that reads the schema's type", () => {
    expect(POLICY_FIELDS.map((f) => f.path)).toEqual(Object.keys(PRESET_SETTINGS));
    for (const f of POLICY_FIELDS) {
      const { type, required } = PRESET_SETTINGS[f.path];
      expect([f.path, KINDS_OF[type] ?? ["enum"]]).toEqual([f.path, expect.arrayContaining([f.kind])]);
      expect([f.path, f.required]).toEqual([f.path, required]);
      if (f.kind === "enum") expect(PRESET_DEFS[type]?.enum, f.path).toBeInstanceOf(Array);
    }
  });
});

describe("the field table against the effective policy", () => {
  it("gives every member of every shipped preset's effective policy a row, and no row a missing member", () => {
    expect(shipped).toHaveLength(4);
    for (const policy of shipped) {
      const members = leaves(policy).filter((p) => p !== "preset" && p !== "level");
      expect(members.sort()).toEqual(POLICY_FIELDS.map((f) => f.at).sort());
    }
  });

  it("reads each setting back where its row says: seconds for durations and minute fields", () => {
    const p = distinctPolicy();
    for (const f of POLICY_FIELDS) {
      const stored = valueAtPath(p, f.at) as number;
      expect([f.path, f.get(p)]).toEqual([f.path, f.kind === "minutes" ? stored * 60 : stored]);
    }
  });
});

describe("the field table against the FusionAuth shapes", () => {
  const keys = { signingKeyId: "00000000-0000-4000-8000-000000000001", verificationKeyIds: [] };
  const p = distinctPolicy();
  const tenant = tenantShape({ name: "T", issuer: "https://auth.example.com/t", policy: p }, keys);
  const app = applicationShape({ name: "A", redirectUris: ["x:/cb"], policy: p, ownJwtConfiguration: true }, keys);
  const tenantLayout = listManagedPaths(MANAGED_LAYOUTS.tenant[0] ?? {});
  const appLayout = listManagedPaths(MANAGED_LAYOUTS.application[1] ?? {});

  it("writes every FusionAuth-held row to its field, in the tenant's layout and value", () => {
    for (const f of POLICY_FIELDS.filter((x) => x.fusionauth !== undefined)) {
      const at = f.fusionauth as string;
      expect(tenantLayout, f.path).toContain(at);
      expect([f.path, valueAtPath(tenant, at)]).toEqual([f.path, valueAtPath(p, f.at)]);
    }
  });

  it("writes every per-application (jwt) row into an application's own jwtConfiguration too", () => {
    const jwt = POLICY_FIELDS.filter((x) => x.holder === "jwt");
    expect(jwt.length).toBeGreaterThan(0);
    for (const f of jwt) {
      expect(f.fusionauth, f.path).toBeDefined();
      expect(appLayout, f.path).toContain(f.fusionauth);
      expect([f.path, valueAtPath(app, f.fusionauth as string)]).toEqual([f.path, valueAtPath(p, f.at)]);
    }
  });

  it("reads every FusionAuth-held row back from a live tenant, as `fakit import` does", () => {
    const sliding = structuredClone(p) as unknown as Record<string, unknown>;
    // FusionAuth's maximum lifetime is read only with the expiration policy that uses it.
    setAtPath(sliding, "refreshToken.expirationPolicy", "SlidingWindowWithMaximumLifetime");
    const shape = tenantShape(
      { name: "T", issuer: "https://auth.example.com/t", policy: sliding as unknown as EffectivePolicy },
      keys,
    );
    const live = liveSettings(shape.jwtConfiguration, shape.jwtConfiguration.refreshTokenRevocationPolicy, []);
    for (const f of POLICY_FIELDS.filter((x) => x.fusionauth !== undefined)) {
      const want = formatFieldValue(f, f.get(sliding as unknown as EffectivePolicy));
      expect([f.path, String(live.get(f.path))]).toEqual([f.path, want]);
    }
  });

  it("claims every policy field of the tenant's jwtConfiguration layout by a row (the key ids are the rotation's)", () => {
    const keyIds = ["accessTokenKeyId", "idTokenKeyId", "accessTokenVerificationKeyIds", "idTokenVerificationKeyIds"];
    const policyFields = tenantLayout.filter(
      (path) => path.startsWith("jwtConfiguration.") && !keyIds.includes(path.slice("jwtConfiguration.".length)),
    );
    expect(policyFields.sort()).toEqual(
      POLICY_FIELDS.flatMap((f) => (f.fusionauth === undefined ? [] : [f.fusionauth])).sort(),
    );
  });
});

describe("the field table against the bundle's policy.json", () => {
  // Members of policy.json that are not settings: who the tokens are for, the figures, the keys, the times.
  const NOT_SETTINGS =
    /^(formatVersion|tenant|application\..*|issuer|audience|allowedAlgorithms|figures\..*|keys|revokedKeys|horizon|generatedFor)$/;

  it("carries every app-enforced row, each in its member with its value, and nothing a row does not claim", async () => {
    const fixture = await tenantFixture();
    const policy = distinctPolicy();
    const files = buildBundleContent({
      tenant: { key: "acme", issuer: "https://auth.acme.test" },
      application: { id: "3c219e58-ed0e-4b18-ad48-f4f92793ae32", key: "mobile", name: "Acme Mobile" },
      policy,
      rotation: fixture.rotation,
      jwks: fixture.jwks,
      generatedFor: 1_735_689_600,
    });
    const json = JSON.parse(files["policy.json"]) as Record<string, unknown>;
    for (const f of POLICY_FIELDS.filter((x) => x.holder === "app")) expect(f.bundle, f.path).toBeDefined();
    for (const f of POLICY_FIELDS.filter((x) => x.bundle !== undefined))
      expect([f.path, valueAtPath(json, f.bundle as string)]).toEqual([f.path, valueAtPath(policy, f.at)]);
    const settings = leaves(json).filter((p) => !NOT_SETTINGS.test(p));
    expect(settings.sort()).toEqual(POLICY_FIELDS.flatMap((f) => (f.bundle === undefined ? [] : [f.bundle])).sort());
  });

  it("writes a policy.json the verifier's parser reads back whole, for every shipped preset", async () => {
    const fixture = await tenantFixture();
    for (const policy of shipped) {
      const files = buildBundleContent({
        tenant: { key: "acme", issuer: "https://auth.acme.test" },
        application: { id: "3c219e58-ed0e-4b18-ad48-f4f92793ae32", key: "mobile", name: "Acme Mobile" },
        policy,
        rotation: fixture.rotation,
        jwks: fixture.jwks,
        generatedFor: 1_735_689_600,
      });
      const parsed = parsePolicyFile(JSON.parse(files["policy.json"]));
      expect(parsed.problems).toEqual([]);
      for (const f of POLICY_FIELDS.filter((x) => x.bundle !== undefined))
        expect(valueAtPath(parsed.policy, f.bundle as string), f.path).toEqual(valueAtPath(policy, f.at));
    }
  });
});
