import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { type BundleFilesInput, BundleLoadError, loadBundle } from "../../packages/verifier/src";
import { type TenantFixture, tenantFixture } from "../../testkit/bundle/fixtures";

let f: TenantFixture;
beforeAll(async () => {
  f = await tenantFixture({ alg: "Ed25519" });
});

/** Rewrites one file and its manifest digest, as an attacker with write access to the app's assets would. */
function rewrite(name: "jwks.json" | "policy.json", edit: (v: Record<string, unknown>) => void): BundleFilesInput {
  const value = JSON.parse(f.files[name]);
  edit(value);
  const text = JSON.stringify(value);
  const manifest = JSON.parse(f.files["manifest.json"]);
  for (const file of manifest.files)
    if (file.name === name) file.sha256 = createHash("sha256").update(text).digest("hex");
  return { ...f.files, [name]: text, "manifest.json": JSON.stringify(manifest) };
}

async function loadError(input: Parameters<typeof loadBundle>[0]): Promise<BundleLoadError> {
  try {
    await loadBundle(input);
  } catch (err) {
    if (err instanceof BundleLoadError) return err;
    throw err;
  }
  throw new Error("the bundle loaded");
}

describe("loadBundle", () => {
  it("loads the files as written, as text or bytes, and as parsed objects", async () => {
    const fromText = await loadBundle(f.files);
    expect([...fromText.keys.keys()]).toEqual(["kid-g0-Ed25519", "kid-g1-Ed25519"]);
    expect(fromText.policy.allowedAlgorithms).toEqual(["Ed25519"]);
    const bytes = Object.fromEntries(Object.entries(f.files).map(([k, v]) => [k, new TextEncoder().encode(v)]));
    expect((await loadBundle(bytes as never)).policy).toEqual(fromText.policy);
    const parsed = await loadBundle({
      jwks: JSON.parse(f.files["jwks.json"]),
      policy: JSON.parse(f.files["policy.json"]),
      manifest: JSON.parse(f.files["manifest.json"]),
    });
    expect(parsed.policy).toEqual(fromText.policy);
  });

  it("refuses a JWK with private members, even with a consistent manifest", async () => {
    const err = await loadError(
      rewrite("jwks.json", (v) => (((v.keys as Record<string, unknown>[])[0] as Record<string, unknown>).d = "AAAA")),
    );
    expect(err.code).toBe("KIT_BUNDLE_PRIVATE_MEMBER");
    expect(err.message).toContain('holds private key members "d"');
  });

  it("refuses a file that does not match its digest", async () => {
    const err = await loadError({
      ...f.files,
      "policy.json": f.files["policy.json"].replace('"graceSeconds": 86400', '"graceSeconds": 8640000'),
    });
    expect(err.problems).toEqual([
      { code: "KIT_BUNDLE_DIGEST_MISMATCH", message: "policy.json does not match its SHA-256 in manifest.json" },
    ]);
  });

  it.each([1, 3])("refuses format version %i (it reads version 2 only)", async (version) => {
    const manifest = { ...JSON.parse(f.files["manifest.json"]), formatVersion: version };
    const err = await loadError({ ...f.files, "manifest.json": JSON.stringify(manifest) });
    expect(err.code).toBe("KIT_BUNDLE_FORMAT_VERSION");
    expect(err.message).toBe(
      `KIT_BUNDLE_FORMAT_VERSION: manifest.json has formatVersion ${version}; this verifier reads version 2`,
    );
  });

  it("refuses a missing file, bad JSON and a policy that allows HS256", async () => {
    const { "jwks.json": _, ...partial } = f.files;
    expect((await loadError(partial as never)).code).toBe("KIT_BUNDLE_FILE_MISSING");
    expect((await loadError({ ...f.files, "jwks.json": "{" })).code).toBe("KIT_BUNDLE_JSON_INVALID");
    expect((await loadError(rewrite("policy.json", (v) => (v.allowedAlgorithms = ["HS256"])))).code).toBe(
      "KIT_BUNDLE_POLICY_INVALID",
    );
  });

  // The parsed JSON, edited in place (the policy types are read-only).
  type EditableUnlock = { maxAttempts: number; argon2id: { memoryKiB: number; iterations: number } };
  // parsePolicyFile accepts any positive whole numbers here; the verifier's own ranges refuse what a device must
  // never run with: Argon2id below OWASP's minimum, an unlimited unlock count, a horizon past the year 9999.
  it.each([
    ["argon2id memory below OWASP's minimum", (u: EditableUnlock) => (u.argon2id.memoryKiB = 19_455)],
    ["one Argon2id iteration", (u: EditableUnlock) => (u.argon2id.iterations = 1)],
    ["more than 1000 unlock attempts", (u: EditableUnlock) => (u.maxAttempts = 1001)],
  ])("refuses a local unlock with %s", async (_, edit) => {
    const err = await loadError(rewrite("policy.json", (v) => edit(v.localUnlock as EditableUnlock)));
    expect(err.problems).toEqual([
      {
        code: "KIT_BUNDLE_POLICY_INVALID",
        message: `policy.json: "localUnlock" must be {mode: none|biometric|pin|either, maxAttempts, argon2id: {memoryKiB >= 19456, iterations >= 2, parallelism >= 1}}`,
      },
    ]);
  });

  it("refuses a horizon past the year 9999", async () => {
    const err = await loadError(rewrite("policy.json", (v) => (v.horizon = "+010000-01-01T00:00:00Z")));
    expect(err.problems).toEqual([
      { code: "KIT_BUNDLE_POLICY_INVALID", message: `policy.json: "horizon" is not a time before 10000` },
    ]);
  });
});
