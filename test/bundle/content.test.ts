import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { PRIVATE_JWK_MEMBERS } from "../../packages/verifier/src/format";
import { checkBundle } from "../../src/bundle/check";
import { type BundleContentInput, buildBundleContent, expectedBundleKeys } from "../../src/bundle/content";
import type { SigningAlgorithm } from "../../src/policy/types";
import { planRotation } from "../../src/rotation/schedule";
import { APP_ID, fusionAuthJwk, ISSUER, type TenantFixture, tenantFixture } from "../../testkit/bundle/fixtures";
import { DAY, EPOCH } from "../../testkit/rotation/presets";

const ALGORITHMS: SigningAlgorithm[] = ["ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "Ed25519"];
const PUBLIC_MEMBERS: Record<string, string[]> = {
  EC: ["alg", "crv", "kid", "kty", "use", "x", "y"],
  RSA: ["alg", "e", "kid", "kty", "n", "use"],
  OKP: ["alg", "crv", "kid", "kty", "use", "x"],
};

function inputOf(f: TenantFixture, jwks: unknown = f.jwks): BundleContentInput {
  return {
    tenant: { key: "acme", issuer: ISSUER },
    application: { id: APP_ID, key: "mobile", name: "Acme Mobile" },
    policy: f.policy,
    rotation: f.rotation,
    jwks,
    generatedFor: EPOCH,
  };
}

describe.each(ALGORITHMS)("bundle of a tenant signing with %s", (alg) => {
  it("holds public members only, for this tenant's keys only, sorted by kid", async () => {
    const f = await tenantFixture({ alg });
    const jwks = JSON.parse(f.files["jwks.json"]);
    expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual([`kid-g0-${alg}`, `kid-g1-${alg}`]);
    for (const jwk of jwks.keys) {
      expect(Object.keys(jwk)).toEqual(PUBLIC_MEMBERS[jwk.kty]);
      for (const m of PRIVATE_JWK_MEMBERS) expect(jwk).not.toHaveProperty(m);
      expect(jwk.alg).toBe(alg);
    }
    expect(JSON.parse(f.files["policy.json"]).allowedAlgorithms).toEqual([alg]);
  });

  it("refuses a JWKS that carries private members, naming them", async () => {
    const f = await tenantFixture({ alg });
    const [g0] = [...f.keys.values()];
    const leaky = { keys: f.jwks.keys.map((k) => (k.kid === g0?.kid ? { ...g0?.privateJwk, x5t: "t" } : k)) };
    const members = PRIVATE_JWK_MEMBERS.filter((m) => m in (g0?.privateJwk ?? {}));
    expect(members.length).toBeGreaterThan(0);
    expect(() => buildBundleContent(inputOf(f, leaky))).toThrowError(
      expect.objectContaining({
        code: "KIT_BUNDLE_PRIVATE_MEMBER",
        message: expect.stringContaining(members.map((m) => `"${m}"`).join(", ")),
      }),
    );
  });
});

describe("bundle content", () => {
  it("is byte-identical for the same inputs, whatever the JWKS order", async () => {
    const f = await tenantFixture();
    const shuffled = { keys: [...f.jwks.keys].reverse().map((k) => Object.fromEntries(Object.entries(k).reverse())) };
    expect(buildBundleContent(inputOf(f, shuffled))).toEqual(buildBundleContent(inputOf(f)));
    expect(buildBundleContent(inputOf(f))).toEqual(f.files);
  });

  it("lists each file's SHA-256 in the manifest", async () => {
    const f = await tenantFixture();
    const manifest = JSON.parse(f.files["manifest.json"]);
    const sha = (s: string) => createHash("sha256").update(s).digest("hex");
    expect(manifest).toEqual({
      formatVersion: 2,
      // The build's time in Unix seconds: a later build has a higher generation.
      generation: EPOCH,
      tenant: "acme",
      application: APP_ID,
      files: [
        { name: "jwks.json", sha256: sha(f.files["jwks.json"]) },
        { name: "policy.json", sha256: sha(f.files["policy.json"]) },
      ],
    });
  });

  it("writes the offline policy, key times and horizon of the run", async () => {
    const f = await tenantFixture({ level: "field", rotateAt: EPOCH + 180 * DAY });
    const policy = JSON.parse(f.files["policy.json"]);
    expect(policy).toMatchObject({
      formatVersion: 2,
      tenant: "acme",
      issuer: ISSUER,
      audience: APP_ID,
      allowedAlgorithms: ["ES256"],
      accessTokenTtlSeconds: 1800,
      graceSeconds: 72 * 3600,
      checkInSeconds: 14 * DAY,
      jwksRefreshSeconds: 7 * DAY,
      clockRollbackToleranceSeconds: 300,
      degradedMode: "read-and-queue-writes",
      generatedFor: "2025-06-30T00:00:00.000Z",
      horizon: "2026-12-22T00:00:00.000Z", // epoch + 4K: g4, created at epoch + 2K, signs from epoch + 4K
      claimsMaxAgeSeconds: 72 * 3600,
      localUnlock: { mode: "either", maxAttempts: 10, argon2id: { memoryKiB: 19_456, iterations: 2, parallelism: 1 } },
      mfaStandIn: "local-unlock",
      revokedKeys: [],
    });
    expect(policy.keys).toEqual([
      {
        kid: "kid-g0-ES256",
        generation: 0,
        role: "retired",
        activatesAt: "2025-01-01T00:00:00.000Z",
        retiresAt: "2025-06-30T00:00:00.000Z",
      },
      {
        kid: "kid-g1-ES256",
        generation: 1,
        role: "signing",
        activatesAt: "2025-06-30T00:00:00.000Z",
        retiresAt: "2025-12-27T00:00:00.000Z",
      },
      {
        kid: "kid-g2-ES256",
        generation: 2,
        role: "published",
        activatesAt: "2025-12-27T00:00:00.000Z",
        retiresAt: "2026-06-25T00:00:00.000Z",
      },
      {
        kid: "kid-g3-ES256",
        generation: 3,
        role: "published",
        activatesAt: "2026-06-25T00:00:00.000Z",
        retiresAt: "2026-12-22T00:00:00.000Z",
      },
    ]);
  });

  it("refuses a JWKS that misses an expected key, naming it (no partial bundle)", async () => {
    const f = await tenantFixture();
    const missing = { keys: f.jwks.keys.filter((k) => k.kid !== "kid-g1-ES256") };
    expect(() => buildBundleContent(inputOf(f, missing))).toThrowError(
      expect.objectContaining({
        code: "KIT_BUNDLE_KEY_MISMATCH",
        details: { missing: ["generation 1 (published, id key-1, kid kid-g1-ES256)"], extra: [], problems: [] },
      }),
    );
  });

  it("refuses a schedule whose keys FusionAuth does not have yet", async () => {
    const f = await tenantFixture();
    const rotation = planRotation({
      policy: f.policy,
      epoch: EPOCH,
      at: EPOCH + 90 * DAY,
      observed: {
        keys: f.rotation.keys.map((k) => ({
          id: k.id as string,
          generation: k.generation,
          insertInstant: k.insertInstant,
          kid: k.kid,
        })),
        signingGeneration: 0,
      },
    });
    expect(() => buildBundleContent({ ...inputOf(f), rotation })).toThrowError(
      expect.objectContaining({
        code: "KIT_BUNDLE_KEY_MISMATCH",
        message: expect.stringContaining("generation 2 (published, not created yet)"),
      }),
    );
  });

  it("refuses a JWKS that still publishes a key the schedule deletes", async () => {
    const f = await tenantFixture({ rotateAt: EPOCH + 90 * DAY });
    const observed = {
      keys: f.rotation.keys.map((k) => ({
        id: k.id as string,
        generation: k.generation,
        insertInstant: k.insertInstant,
        kid: k.kid,
        retiredAt: k.role === "retired" ? k.retiresAt : undefined,
      })),
      signingGeneration: 1,
    };
    // 98 days: past the rotation at 90 days plus standard's retention of max(A + G, C) + S = 7d5m.
    const rotation = planRotation({ policy: f.policy, epoch: EPOCH, at: EPOCH + 98 * DAY, observed });
    expect(rotation.delete.map((d) => d.generation)).toEqual([0]);
    expect(() => buildBundleContent({ ...inputOf(f), rotation })).toThrowError(
      expect.objectContaining({
        code: "KIT_BUNDLE_KEY_MISMATCH",
        details: {
          missing: [],
          extra: ["generation 0 (id key-0, kid kid-g0-ES256) is past retention but still published"],
          problems: [],
        },
      }),
    );
  });

  it("refuses an HMAC key among the expected ones", async () => {
    const f = await tenantFixture();
    const jwks = {
      keys: f.jwks.keys.map((k) =>
        k.kid === "kid-g0-ES256" ? { kty: "oct", kid: k.kid, alg: "HS256", use: "sig" } : k,
      ),
    };
    expect(() => buildBundleContent(inputOf(f, jwks))).toThrowError(
      expect.objectContaining({ code: "KIT_BUNDLE_JWK_INVALID" }),
    );
  });
});

describe("checkBundle (--check)", () => {
  it("passes a fresh bundle", async () => {
    const f = await tenantFixture();
    expect(checkBundle(f.files, expectedBundleKeys(f.rotation), EPOCH + DAY)).toEqual({ ok: true, problems: [] });
  });

  it("fails a bundle that misses a key published since it was built", async () => {
    const old = await tenantFixture();
    const now = await tenantFixture({ rotateAt: EPOCH + 90 * DAY });
    const result = checkBundle(old.files, expectedBundleKeys(now.rotation), EPOCH + 90 * DAY);
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          code: "KIT_BUNDLE_KEY_MISSING",
          message:
            "the bundle misses a key scheduled to sign: generation 2, kid kid-g2-ES256; rebuild it with `fakit bundle`",
        },
      ],
    });
  });

  it("fails a bundle whose horizon has passed", async () => {
    const f = await tenantFixture();
    const result = checkBundle(f.files, expectedBundleKeys(f.rotation), EPOCH + 180 * DAY);
    expect(result.problems).toEqual([
      {
        code: "KIT_BUNDLE_HORIZON_PASSED",
        message:
          "the bundle's horizon 2025-06-30T00:00:00.000Z has passed (now 2025-06-30T00:00:00.000Z): a key it does not hold may sign; rebuild it with `fakit bundle`",
      },
    ]);
  });

  it("fails an edited or incomplete bundle", async () => {
    const f = await tenantFixture();
    const edited = { ...f.files, "jwks.json": f.files["jwks.json"].replace("kid-g1", "kid-gX") };
    expect(checkBundle(edited, expectedBundleKeys(f.rotation), EPOCH).problems[0]?.code).toBe(
      "KIT_BUNDLE_DIGEST_MISMATCH",
    );
    const { "policy.json": _, ...partial } = f.files;
    expect(checkBundle(partial, expectedBundleKeys(f.rotation), EPOCH).problems).toEqual([
      { code: "KIT_BUNDLE_FILE_MISSING", message: "policy.json is missing from the bundle" },
    ]);
  });

  it("fails a bundle holding a private member even with matching digests", async () => {
    const f = await tenantFixture();
    const jwks = JSON.parse(f.files["jwks.json"]);
    jwks.keys[0].d = "secret";
    const jwksText = `${JSON.stringify(jwks, null, 2)}\n`;
    const manifest = {
      ...JSON.parse(f.files["manifest.json"]),
      files: [
        { name: "jwks.json", sha256: createHash("sha256").update(jwksText).digest("hex") },
        JSON.parse(f.files["manifest.json"]).files[1],
      ],
    };
    const files = { ...f.files, "jwks.json": jwksText, "manifest.json": JSON.stringify(manifest) };
    expect(checkBundle(files, expectedBundleKeys(f.rotation), EPOCH).problems.map((p) => p.code)).toEqual([
      "KIT_BUNDLE_PRIVATE_MEMBER",
    ]);
  });
});

it("fusionAuthJwk keeps certificate members the bundle must drop", async () => {
  const f = await tenantFixture();
  expect(Object.keys(fusionAuthJwk([...f.keys.values()][0] as never))).toContain("x5c");
});
