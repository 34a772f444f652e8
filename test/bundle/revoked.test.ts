import { describe, expect, it } from "vitest";
import { checkBundle } from "../../src/bundle/check";
import {
  BundleContentError,
  buildBundleContent,
  expectedBundleKeys,
  resolveRevokedKeys,
} from "../../src/bundle/content";
import { planRotation } from "../../src/rotation/schedule";
import { applyRotation } from "../../src/rotation/timeline";
import { APP_ID, ISSUER, tenantFixture } from "../../testkit/bundle/fixtures";
import { DAY, EPOCH } from "../../testkit/rotation/presets";

const LEAK = { generation: 0, reason: "private key pasted in a ticket", at: EPOCH + DAY };
const LEAK_ISO = new Date((EPOCH + DAY) * 1000).toISOString();

describe("revoked keys in policy.json", () => {
  it("are always present, empty when nothing is revoked", async () => {
    const f = await tenantFixture();
    expect(JSON.parse(f.files["policy.json"]).revokedKeys).toEqual([]);
  });

  it("carry kid, generation, reason and revocation time, sorted by kid", async () => {
    const f = await tenantFixture();
    const revokedKeys = [
      { kid: "kid-z", generation: 7, reason: "r2", revokedAt: "2026-02-01T00:00:00Z" },
      { kid: "kid-a", generation: 3, reason: "r1", revokedAt: "2026-01-01T00:00:00Z" },
    ];
    const files = buildBundleContent({
      tenant: { key: "acme", issuer: ISSUER },
      application: { id: APP_ID, key: "mobile", name: "Acme Mobile" },
      policy: f.policy,
      rotation: f.rotation,
      jwks: f.jwks,
      generatedFor: EPOCH,
      revokedKeys,
    });
    expect(JSON.parse(files["policy.json"]).revokedKeys).toEqual([revokedKeys[1], revokedKeys[0]]);
  });
});

describe("the kid of a revoked key", () => {
  it("comes from FusionAuth while it still holds the key (the run that deletes it)", async () => {
    const f = await tenantFixture();
    const observed = applyRotation(f.rotation, (n) => `key-${n}`);
    observed.keys = observed.keys.map((k) => ({ ...k, kid: `kid-g${k.generation}-ES256` }));
    const r = planRotation({ policy: f.policy, epoch: EPOCH, at: EPOCH + DAY, observed, revoked: [0] });
    expect(resolveRevokedKeys("acme", [LEAK], r)).toEqual([
      { kid: "kid-g0-ES256", generation: 0, reason: LEAK.reason, revokedAt: LEAK_ISO },
    ]);
  });

  it("then from the bundle built before, or from the stack", async () => {
    const f = await tenantFixture();
    const previous = JSON.parse(f.files["policy.json"]);
    expect(resolveRevokedKeys("acme", [LEAK], f.rotation, previous)[0]?.kid).toBe("kid-g0-ES256");
    expect(resolveRevokedKeys("acme", [{ ...LEAK, kid: "given" }], f.rotation, previous)[0]?.kid).toBe("given");
  });

  it("unknown to all of them is an error naming the generation and the fix", async () => {
    const f = await tenantFixture();
    const r = { ...f.rotation, delete: [] };
    expect(() => resolveRevokedKeys("acme", [LEAK], r)).toThrow(BundleContentError);
    expect(() => resolveRevokedKeys("acme", [LEAK], r)).toThrow(
      'the kid of revoked generation 0 of tenant "acme" is unknown: FusionAuth no longer holds the key and no earlier bundle lists it; add its kid to keys.revoked in the stack',
    );
  });
});

describe("bundle --check on a build carrying a revoked key", () => {
  it("fails, naming the key and the reason", async () => {
    const f = await tenantFixture();
    const result = checkBundle(f.files, expectedBundleKeys(f.rotation), EPOCH + DAY, [LEAK]);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      {
        code: "KIT_BUNDLE_KEY_REVOKED",
        message: `the bundle carries generation 0, kid kid-g0-ES256, revoked at ${LEAK_ISO}: private key pasted in a ticket; devices with this build accept tokens forged with it; rebuild it with \`fakit bundle\``,
      },
    ]);
  });

  it("passes a build without the revoked key", async () => {
    const f = await tenantFixture();
    expect(checkBundle(f.files, expectedBundleKeys(f.rotation), EPOCH + DAY, [{ ...LEAK, generation: 5 }]).ok).toBe(
      true,
    );
  });
});
