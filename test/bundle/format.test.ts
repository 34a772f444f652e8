// The format-2 fields the offline session relies on: parsePolicyFile and parseManifestFile refuse each bad value.
import { describe, expect, it } from "vitest";
import { MANIFEST_FILE, POLICY_FILE, parseManifestFile, parsePolicyFile } from "../../packages/verifier/src/format";
import { tenantFixture } from "../../testkit/bundle/fixtures";

const f = await tenantFixture({ level: "standard" });
const policy = JSON.parse(f.files[POLICY_FILE]);
const manifest = JSON.parse(f.files[MANIFEST_FILE]);

describe("parsePolicyFile (format 2)", () => {
  it("accepts the policy as built, with its offline-unlock fields", () => {
    const r = parsePolicyFile(policy);
    expect(r.problems).toEqual([]);
    expect(r.policy).toMatchObject({
      claimsMaxAgeSeconds: 86_400,
      localUnlock: { mode: "either", maxAttempts: 10, argon2id: { memoryKiB: 19_456, iterations: 2, parallelism: 1 } },
      mfaStandIn: "local-unlock",
      revokedKeys: [],
    });
  });

  it.each([
    [
      "claimsMaxAgeSeconds",
      { claimsMaxAgeSeconds: 1e308 },
      `"claimsMaxAgeSeconds" must be a whole number of seconds from 1 to 2147483647`,
    ],
    [
      "claimsMaxAgeSeconds",
      { claimsMaxAgeSeconds: 0 },
      `"claimsMaxAgeSeconds" must be a whole number of seconds from 1 to 2147483647`,
    ],
    // Issue #13: checkInSeconds 1e300 made decide() throw a RangeError; the loader refuses it now.
    [
      "checkInSeconds",
      { checkInSeconds: 1e300 },
      `"checkInSeconds" must be a whole number of seconds from 0 to 2147483647`,
    ],
    ["graceSeconds", { graceSeconds: 0.5 }, `"graceSeconds" must be a whole number of seconds from 0 to 2147483647`],
    ["localUnlock", { localUnlock: "pin" }, `"localUnlock" must be an object`],
    [
      "localUnlock.mode",
      { localUnlock: { ...policy.localUnlock, mode: "face" } },
      `"localUnlock.mode" must be one of none, biometric, pin, either`,
    ],
    [
      "localUnlock.maxAttempts",
      { localUnlock: { ...policy.localUnlock, maxAttempts: 0 } },
      `"localUnlock.maxAttempts" must be a whole number of at least 1`,
    ],
    [
      "localUnlock.argon2id",
      { localUnlock: { ...policy.localUnlock, argon2id: { memoryKiB: 19_456, iterations: 2 } } },
      `"localUnlock.argon2id" must hold whole numbers memoryKiB, iterations and parallelism of at least 1`,
    ],
    ["mfaStandIn", { mfaStandIn: "sms" }, `"mfaStandIn" must be one of refuse, local-unlock`],
    [
      "revokedKeys missing",
      { revokedKeys: undefined },
      `"revokedKeys" must list {kid, generation (a number or null), reason, revokedAt (ISO 8601)}`,
    ],
    [
      "revokedKeys entry",
      { revokedKeys: [{ kid: "k", generation: 1, reason: "leak", revokedAt: "yesterday" }] },
      `"revokedKeys" must list {kid, generation (a number or null), reason, revokedAt (ISO 8601)}`,
    ],
  ])("refuses a bad %s", (_n, edit, message) => {
    expect(parsePolicyFile({ ...policy, ...edit }).problems).toEqual([
      { code: "KIT_BUNDLE_POLICY_INVALID", message: `policy.json: ${message}` },
    ]);
  });

  it("accepts a revoked key, adopted (generation null) or not", () => {
    const revokedKeys = [
      { kid: "a", generation: null, reason: "adopted key leaked", revokedAt: "2025-02-01T00:00:00.000Z" },
      { kid: "b", generation: 3, reason: "HSM compromise", revokedAt: "2025-02-01T00:00:00.000Z" },
    ];
    expect(parsePolicyFile({ ...policy, revokedKeys }).problems).toEqual([]);
  });

  it("refuses format 1", () => {
    expect(parsePolicyFile({ ...policy, formatVersion: 1 }).problems.map((p) => p.code)).toEqual([
      "KIT_BUNDLE_FORMAT_VERSION",
    ]);
  });
});

describe("parseManifestFile (format 2)", () => {
  it("accepts the manifest as built", () => {
    expect(parseManifestFile(manifest)).toEqual({ manifest, problems: [] });
  });

  it.each([
    [{ generation: undefined }, `manifest.json "generation" must be a whole number of seconds since the Unix epoch`],
    [{ generation: 1.5 }, `manifest.json "generation" must be a whole number of seconds since the Unix epoch`],
    [{ generation: -1 }, `manifest.json "generation" must be a whole number of seconds since the Unix epoch`],
    [{ tenant: "" }, `manifest.json "tenant" must be a non-empty string`],
    [{ application: 7 }, `manifest.json "application" must be a non-empty string`],
  ])("refuses %j", (edit, message) => {
    expect(parseManifestFile({ ...manifest, ...edit }).problems).toEqual([
      { code: "KIT_BUNDLE_JSON_INVALID", message },
    ]);
  });
});
