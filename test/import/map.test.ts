// The pure part of `fakit import`: live FusionAuth settings to preset paths, the closest preset, the stack text.
import { describe, expect, it } from "vitest";
import { slugOf } from "../../src/import/keys";
import { closestPreset, importStack, type LiveInstance, liveSettings } from "../../src/import/map";
import { checkPresetCatalog } from "../../src/policy/preset-catalog";
import type { EffectivePolicy } from "../../src/policy/types";
import type { DesiredState } from "../../src/stack/desired-state";
import { loadPolicySources } from "../../src/stack/load";
import { planStackRotation } from "../../src/stack/rotation";
import { REPO } from "../policy/policy-fixture";

const sources = loadPolicySources(REPO);
const presetPolicies = new Map<string, EffectivePolicy>();
for (const [name, p] of checkPresetCatalog(sources).presets)
  if (p.policy !== undefined) presetPolicies.set(name, p.policy);

/** A tenant's jwtConfiguration exactly as a preset would have FusionAuth hold it. */
function jwtOf(p: EffectivePolicy, keyId: string) {
  const r = p.refreshToken;
  return {
    timeToLiveInSeconds: p.accessToken.ttlSeconds,
    accessTokenKeyId: keyId,
    idTokenKeyId: keyId,
    refreshTokenTimeToLiveInMinutes: r.lifetimeMinutes,
    refreshTokenExpirationPolicy: r.expirationPolicy,
    refreshTokenSlidingWindowConfiguration: { maximumTimeToLiveInMinutes: r.maximumLifetimeMinutes },
    refreshTokenUsagePolicy: r.usagePolicy,
    refreshTokenOneTimeUseConfiguration: { gracePeriodInSeconds: r.oneTimeUseGraceSeconds },
    refreshTokenRevocationPolicy: {
      onLoginPrevented: r.revokeOn.loginPrevented,
      onPasswordChanged: r.revokeOn.passwordChange,
      onMultiFactorEnable: r.revokeOn.multiFactorEnable,
      onOneTimeTokenReuse: r.revokeOn.oneTimeTokenReuse,
    },
  };
}

const KEY = { id: "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", algorithm: "ES256", kid: "crews-kid" };
/** The import time: 2026-12-01T09:30:15Z. */
const NOW = Date.UTC(2026, 11, 1, 9, 30, 15) / 1000;

describe("slugOf", () => {
  it.each([
    { name: "Mobile Crews", want: "mobile-crews" },
    { name: "  Ärzte & Pflege ", want: "rzte-pflege" },
    { name: "2024 Pilot", want: "t-2024-pilot" },
  ])("$name -> $want", ({ name, want }) => {
    expect(slugOf(name, new Set())).toBe(want);
  });

  it("keeps slugs unique", () => {
    const taken = new Set<string>();
    expect([slugOf("App", taken), slugOf("app", taken), slugOf("APP", taken)]).toEqual(["app", "app-2", "app-3"]);
  });
});

describe("closestPreset", () => {
  it.each([...presetPolicies.keys()])("finds %s for a tenant configured exactly like it", (name) => {
    const p = presetPolicies.get(name) as EffectivePolicy;
    const live = liveSettings(jwtOf(p, KEY.id), jwtOf(p, KEY.id).refreshTokenRevocationPolicy, [KEY]);
    expect(closestPreset(live, presetPolicies)).toBe(name);
  });
});

describe("importStack", () => {
  const field = presetPolicies.get("field") as EffectivePolicy;
  const live = (jwt: object): LiveInstance => ({
    url: "https://auth.example.com",
    keys: [KEY],
    tenants: [
      {
        id: "0b7c8a52-3f4e-4d7a-9a61-2f0c6f5b1e01",
        name: "Crews",
        issuer: "https://auth.example.com/crews",
        jwtConfiguration: jwt,
      },
    ],
    applications: [
      {
        id: "7d1e2f30-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
        tenantId: "0b7c8a52-3f4e-4d7a-9a61-2f0c6f5b1e01",
        name: "Crew App",
        oauthConfiguration: { authorizedRedirectURLs: ["com.example.crew:/cb"] },
      },
      {
        id: "3c219e58-ed0e-4b18-ad48-f4f92793ae32",
        tenantId: "0b7c8a52-3f4e-4d7a-9a61-2f0c6f5b1e01",
        name: "FusionAuth",
      },
    ],
  });

  it("writes a preset with no override for an exact match, adopting the ids, leaving FusionAuth's own app out", () => {
    const r = importStack({
      stackName: "prod",
      live: live(jwtOf(field, KEY.id)),
      sources: { ...sources, presetPolicies },
      now: NOW,
    });
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(r.ifPresetOnly).toEqual([]);
    const t = r.state?.tenants[0];
    expect(t).toMatchObject({
      key: "crews",
      preset: "field",
      adopted: true,
      id: "0b7c8a52-3f4e-4d7a-9a61-2f0c6f5b1e01",
    });
    expect(t?.applications.map((a) => [a.key, a.adopted])).toEqual([["crew-app", true]]);
    // The signing key is the kit's current generation for one period (field: 180 days, up to the whole minute),
    // written quoted so that Pulumi's YAML 1.1 rewrite keeps it a string.
    const rotateFrom = Date.UTC(2027, 4, 30, 9, 31) / 1000;
    expect(t?.adoptedKey).toEqual({ id: KEY.id, rotateFrom });
    expect(r.yaml).toContain(`adopted:\n          id: "${KEY.id}"\n          rotateFrom: "2027-05-30T09:31:00Z"\n`);
    // So up writes nothing to the tenant: no key, and its key references stay as they are.
    expect(r.upChanges.filter((c) => c.startsWith("tenant crews:"))).toEqual([]);
    // The adopted key signs until the first kit key, created at rotateFrom, has been published for the lead.
    const lead =
      field.offline.jwksRefreshSeconds + field.offline.checkInSeconds + field.offline.clockRollbackToleranceSeconds;
    expect(r.adoptedKeys).toEqual([
      { tenant: "crews", keyId: KEY.id, kid: "crews-kid", rotateFrom, signsUntil: rotateFrom + lead },
    ]);
  });

  it.each([...presetPolicies.keys()])(
    "adopts the signing key of a %s tenant so that up right after the import creates nothing",
    (name) => {
      const p = presetPolicies.get(name) as EffectivePolicy;
      const r = importStack({
        stackName: "prod",
        live: live(jwtOf(p, KEY.id)),
        sources: { ...sources, presetPolicies },
        now: NOW,
      });
      const tenant = r.state?.tenants[0];
      expect(tenant?.preset).toBe(name);
      expect(tenant?.adoptedKey?.rotateFrom).toBeGreaterThan(NOW);
      const [rotation] = planStackRotation(
        r.state as DesiredState,
        NOW,
        new Map([["crews", { keys: [], adopted: { id: KEY.id } }]]),
      );
      expect(rotation?.rotation.create).toEqual([]);
      expect(rotation?.rotation.adopted?.role).toBe("signing");
    },
  );

  it("keeps a live value past a floor with a waiver to review, and says what the bare preset changes", () => {
    const r = importStack({
      stackName: "prod",
      live: live({ ...jwtOf(field, KEY.id), timeToLiveInSeconds: 4 * 3600 }),
      sources: { ...sources, presetPolicies },
      now: NOW,
    });
    expect(r.yaml).toContain('ttl: "4h"');
    expect(r.ifPresetOnly).toContainEqual({
      where: "tenant crews",
      path: "accessToken.ttl",
      live: "4h",
      preset: "30m",
    });
    expect(r.state?.tenants[0]?.waivers.map((w) => w.rule)).toEqual(["accessToken.ttl.max"]);
    expect(r.yaml).toContain("Imported from FusionAuth on 2026-12-01");
  });
});

describe("importStack and tenants up would change", () => {
  const field = presetPolicies.get("field") as EffectivePolicy;
  const HS = { id: "92a0c1de-1111-4a1b-8c2d-3e4f5a6b7c8d", algorithm: "HS256" };
  // FusionAuth's own Default tenant (HS256, issuer acme.com) beside a tenant the kit can adopt unchanged.
  const live: LiveInstance = {
    url: "https://auth.example.com",
    keys: [KEY, HS],
    tenants: [
      {
        id: "aaaaaaaa-0000-4000-8000-000000000001",
        name: "Default",
        issuer: "acme.com",
        jwtConfiguration: jwtOf(field, HS.id),
      },
      {
        id: "0b7c8a52-3f4e-4d7a-9a61-2f0c6f5b1e01",
        name: "Crews",
        issuer: "https://auth.example.com/crews",
        jwtConfiguration: jwtOf(field, KEY.id),
      },
    ],
    applications: [
      {
        id: "3c219e58-ed0e-4b18-ad48-f4f92793ae32",
        tenantId: "aaaaaaaa-0000-4000-8000-000000000001",
        name: "FusionAuth",
      },
    ],
  };
  const run = (includeTenants?: Set<string>) =>
    importStack({
      stackName: "prod",
      live,
      sources: { ...sources, presetPolicies },
      now: NOW,
      includeTenants,
    });

  it("leaves out a tenant with an HS256 key and a non-URL issuer, saying why and how to include it", () => {
    const r = run();
    expect(r.state?.tenants.map((t) => t.key)).toEqual(["crews"]);
    expect(r.yaml).not.toContain("acme.com");
    const note = r.notes.find((n) => n.startsWith("tenant default "));
    expect(note).toContain("left out");
    expect(note).toContain("signs with HS256");
    expect(note).toContain('its issuer "acme.com" is not an http(s) URL');
    expect(note).toContain("--include-tenant default");
  });

  it("never writes FusionAuth's admin application, and says so", () => {
    const r = run(new Set(["default"]));
    expect(r.state?.tenants.map((t) => t.key)).toEqual(["crews", "default"]);
    expect(r.yaml).not.toContain("3c219e58-ed0e-4b18-ad48-f4f92793ae32");
    expect(r.notes).toContainEqual(expect.stringContaining("FusionAuth's own admin application: left out"));
  });

  it("writes the tenant with --include-tenant, the issuer replaced by the URL, and says up changes it", () => {
    const r = run(new Set(["default"]));
    const t = r.state?.tenants.find((x) => x.key === "default");
    expect(t).toMatchObject({ adopted: true, issuer: "https://auth.example.com" });
    expect(r.notes).toContainEqual(expect.stringContaining("tenant default (included) signs with HS256"));
    // No device can verify its HS256 key: nothing to adopt, the kit's keys take over at the first up.
    expect(t?.adoptedKey).toBeNull();
    expect(r.adoptedKeys.map((a) => a.tenant)).toEqual(["crews"]);
    expect(r.upChanges).toContain(
      "tenant default: creates 3 ES256 key(s), the kit's current generation and 2 published ahead (keys.publishedAhead)",
    );
  });

  it("names an --include-tenant key that matches no tenant", () => {
    expect(run(new Set(["nope"])).notes).toContainEqual(
      "--include-tenant nope names no tenant; the tenants are: crews, default",
    );
  });

  it("writes nothing when every tenant is left out", () => {
    const r = importStack({
      stackName: "prod",
      live: { ...live, tenants: live.tenants.slice(0, 1) },
      sources: { ...sources, presetPolicies },
      now: NOW,
    });
    expect(r.yaml).toBeUndefined();
    expect(r.notes).toContainEqual(expect.stringContaining("no tenant is left to write"));
  });
});
