// The policy pack's check (src/pulumi/policy.ts): a tenant component as FusionAuth will hold it. A declaration
// within the floors whose FusionAuth tenant was pushed beyond one (a transform, an edited copy) breaks the floor
// with fakit validate's code and message; the declaration's waiver lets it through.
import { describe, expect, it } from "vitest";
import { asJson, tenantShape } from "../../src/fusionauth/objects";
import { compileDeclaredTenant, type DeclaredTenant } from "../../src/pulumi/components/declared";
import { tenantViolations } from "../../src/pulumi/policy";
import { loadPolicySources } from "../../src/stack/load";
import { REPO_ROOT } from "../../src/toolchain/pulumi-cli";

const declaration: DeclaredTenant = {
  key: "crews",
  name: "Crews",
  issuer: "https://auth.example.com/crews",
  preset: "field",
  applications: [{ key: "app", name: "App", redirectUris: ["com.example:/cb"] }],
};

/** The `shape` input of the tenant resource the component registers for `d`. */
function shapeOf(d: DeclaredTenant): Record<string, unknown> {
  const r = compileDeclaredTenant({
    name: d.key,
    stackName: "s",
    url: "https://auth.example.com",
    tenant: d,
    sources: loadPolicySources(REPO_ROOT),
  });
  const tenant = r.state?.tenants[0];
  if (tenant === undefined) throw new Error(r.diagnostics.map((x) => x.message).join("\n"));
  return asJson(tenantShape(tenant, { signingKeyId: "k", verificationKeyIds: [] }));
}

const withTtl = (shape: Record<string, unknown>, seconds: number) => ({
  ...shape,
  jwtConfiguration: { ...(shape.jwtConfiguration as object), timeToLiveInSeconds: seconds },
});

describe("the policy pack's check of a tenant component", () => {
  it("passes a tenant FusionAuth holds as declared", () => {
    expect(
      tenantViolations({ name: "crews", declaration: { ...declaration }, tenantShape: shapeOf(declaration) }),
    ).toEqual([]);
  });

  it("fails a tenant whose access tokens were raised beyond the level's maximum, as fakit validate says it", () => {
    const shape = withTtl(shapeOf(declaration), 7200);
    expect(tenantViolations({ name: "crews", declaration: { ...declaration }, tenantShape: shape })).toEqual([
      'OfflineAuthTenant "crews": overrides.accessToken.ttl: KIT_FLOOR_MAX accessToken.ttl (2h) exceeds the field level\'s maximum of 1h (rule accessToken.ttl.max); change it or add a waiver with a reason',
    ]);
  });

  it("lets the breach through when the declaration waives the rule", () => {
    const waived = { ...declaration, waivers: [{ rule: "accessToken.ttl.max", reason: "underground work" }] };
    expect(
      tenantViolations({ name: "crews", declaration: waived, tenantShape: withTtl(shapeOf(declaration), 7200) }),
    ).toEqual([]);
  });
});
