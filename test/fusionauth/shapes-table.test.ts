// The FusionAuth shapes over each revocation trigger, signing algorithm, expiration and usage policy (issue #12).
// Expectations are written out as FusionAuth field names and values, never derived from the policy under test, so
// writing one trigger from another's setting (onPasswordChanged from loginPrevented) fails here.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listManagedPaths } from "../../src/fusionauth/managed-fields";
import { applicationShape, asJson, keyLength, MANAGED_LAYOUTS, tenantShape } from "../../src/fusionauth/objects";
import type { EffectivePolicy } from "../../src/policy/types";
import { compileStackText } from "../helpers/policies";

const KEYS = { signingKeyId: "00000000-0000-4000-8000-000000000001", verificationKeyIds: [] };

/** The policy of a one-tenant stack on the `standard` preset with the given override YAML and waivers. */
function policyWith(overrides: string, waivers: string[] = []): EffectivePolicy {
  const waiverYaml = waivers.map(
    (rule) => `\n        - rule: ${rule}\n          reason: table test of the FusionAuth shapes`,
  );
  const state = compileStackText(`config:
  fusionauth-offline-kit:url: https://auth.example.com
  fusionauth-offline-kit:tenants:
    - key: t
      name: T
      issuer: https://auth.example.com/t
      preset: standard
      overrides:
${overrides.replace(/^/gm, "        ")}${waivers.length > 0 ? `\n      waivers:${waiverYaml.join("")}` : ""}
`);
  return (state.tenants[0] as { policy: EffectivePolicy }).policy;
}

const tenant = (policy: EffectivePolicy) =>
  tenantShape({ name: "T", issuer: "https://auth.example.com/t", policy }, KEYS);

describe("revocation triggers", () => {
  const ALL_TRUE = {
    onLoginPrevented: true,
    onPasswordChanged: true,
    onMultiFactorEnable: true,
    onOneTimeTokenReuse: true,
  };
  it.each([
    ["loginPrevented", "onLoginPrevented", ["refreshToken.revokeOn.loginPrevented.required"]],
    ["passwordChange", "onPasswordChanged", ["refreshToken.revokeOn.passwordChange.required"]],
    ["multiFactorEnable", "onMultiFactorEnable", []],
    ["oneTimeTokenReuse", "onOneTimeTokenReuse", []],
  ])("revokeOn.%s: false turns off exactly %s", (setting, field, waivers) => {
    const policy = policyWith(`refreshToken:\n  revokeOn:\n    ${setting}: false`, waivers as string[]);
    expect(tenant(policy).jwtConfiguration.refreshTokenRevocationPolicy).toEqual({ ...ALL_TRUE, [field]: false });
  });

  it("the stack fixture with mixed triggers gives FusionAuth exactly those triggers", () => {
    const text = readFileSync(join(__dirname, "..", "fixtures", "stacks", "Pulumi.triggers.yaml"), "utf8");
    const t = compileStackText(text, "triggers").tenants[0];
    if (t === undefined) throw new Error("no tenant");
    expect(tenantShape(t, KEYS).jwtConfiguration.refreshTokenRevocationPolicy).toEqual({
      onLoginPrevented: true,
      onPasswordChanged: false,
      onMultiFactorEnable: false,
      onOneTimeTokenReuse: true,
    });
  });
});

describe("signing algorithms", () => {
  it.each([
    ["ES256", 256],
    ["ES384", 384],
    ["ES512", 521],
    ["RS256", 2048],
    ["RS384", 2048],
    ["RS512", 2048],
    ["Ed25519", undefined],
  ] as const)("%s keys are generated with length %s", (alg, length) => {
    expect(keyLength(alg)).toBe(length);
  });
});

describe("refresh-token expiration and usage", () => {
  // With a 7d lifetime and a 30d maximum: FusionAuth's sliding-window maximum is the maximum only when the
  // policy uses it; otherwise the kit writes the lifetime there (the maximum is ignored, with a warning).
  it.each([
    ["Fixed", "Fixed", 7, []],
    ["SlidingWindow", "SlidingWindow", 7, ["refreshToken.expiration.allowed"]],
    ["SlidingWindowWithMaximumLifetime", "SlidingWindowWithMaximumLifetime", 30, []],
  ])("expiration %s is refreshTokenExpirationPolicy %s, sliding maximum %s days", (setting, value, days, waivers) => {
    const policy = policyWith(
      `refreshToken:\n  expiration: ${setting}\n  lifetime: 7d\n  maximumLifetime: 30d`,
      waivers as string[],
    );
    const jwt = tenant(policy).jwtConfiguration;
    expect(jwt.refreshTokenExpirationPolicy).toBe(value);
    expect(jwt.refreshTokenTimeToLiveInMinutes).toBe(7 * 24 * 60);
    expect(jwt.refreshTokenSlidingWindowConfiguration).toEqual({
      maximumTimeToLiveInMinutes: (days as number) * 24 * 60,
    });
  });

  it.each([
    ["OneTimeUse", "OneTimeUse", []],
    ["Reusable", "Reusable", ["refreshToken.usage.allowed"]],
  ])("usage %s is refreshTokenUsagePolicy %s", (setting, value, waivers) => {
    const policy = policyWith(`refreshToken:\n  usage: ${setting}`, waivers as string[]);
    expect(tenant(policy).jwtConfiguration.refreshTokenUsagePolicy).toBe(value);
  });

  it("an application with its own JWT configuration carries its own lifetimes, and no revocation policy", () => {
    const policy = policyWith("accessToken:\n  ttl: 5m\nrefreshToken:\n  expiration: Fixed\n  lifetime: 2d");
    const app = applicationShape(
      { name: "A", redirectUris: ["com.example.a:/cb"], policy, ownJwtConfiguration: true },
      KEYS,
    ).jwtConfiguration;
    expect(app).toMatchObject({
      enabled: true,
      timeToLiveInSeconds: 300,
      refreshTokenExpirationPolicy: "Fixed",
      refreshTokenTimeToLiveInMinutes: 2 * 24 * 60,
      accessTokenKeyId: KEYS.signingKeyId,
    });
    expect(app).not.toHaveProperty("refreshTokenRevocationPolicy");
  });
});

describe("the managed layouts the providers read back on refresh", () => {
  const layoutOf = (shape: object) => JSON.stringify(listManagedPaths(asJson(shape as never)));
  const layouts = (kind: "tenant" | "application") => MANAGED_LAYOUTS[kind].map((l) => layoutOf(l));
  const app = (policy: EffectivePolicy, ownJwtConfiguration: boolean) =>
    applicationShape({ name: "A", redirectUris: ["com.example:/cb"], policy, ownJwtConfiguration }, KEYS);

  it("are exactly the tenant's fields, whatever the policy", () => {
    for (const p of [policyWith("accessToken:\n  ttl: 5m"), policyWith("refreshToken:\n  lifetime: 1d")])
      expect(layouts("tenant")).toEqual([layoutOf(tenant(p))]);
  });

  it("are exactly an application's fields, with and without a JWT configuration of its own", () => {
    const p = policyWith("accessToken:\n  ttl: 5m");
    expect(layouts("application")).toEqual([layoutOf(app(p, false)), layoutOf(app(p, true))]);
  });
});
