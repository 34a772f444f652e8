// Authentic bundles (issue #13): manifest.jws is a detached ES256 JWS over manifest.json by the pipeline's key.
// Before it, raising graceSeconds in policy.json and recomputing the manifest digest turned `degraded` into `full`.
import { createHash } from "node:crypto";
import {
  base64url,
  calculateJwkThumbprint,
  compactVerify,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
} from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import {
  MANIFEST_FILE,
  MANIFEST_JWS_FILE,
  POLICY_FILE,
  type SignedBundleFiles,
} from "../../packages/verifier/src/format";
import { checkBundle, checkBundleSignature } from "../../src/bundle/check";
import { expectedBundleKeys } from "../../src/bundle/content";
import { type BundleSigningKey, readSigningJwk, signBundle, signManifest } from "../../src/bundle/sign";
import { verifyManifestSignature } from "../../src/bundle/signature";
import { type TenantFixture, tenantFixture } from "../../testkit/bundle/fixtures";
import { EPOCH } from "../../testkit/rotation/presets";

async function newKey(): Promise<{ key: BundleSigningKey; privateJwk: JWK }> {
  const pair = await generateKeyPair("ES256", { extractable: true });
  const privateJwk = await exportJWK(pair.privateKey);
  return { key: await readSigningJwk(privateJwk), privateJwk };
}

const sha = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

let f: TenantFixture;
let pipeline: { key: BundleSigningKey; privateJwk: JWK };
let other: { key: BundleSigningKey; privateJwk: JWK };
let signed: SignedBundleFiles;

beforeAll(async () => {
  f = await tenantFixture({ level: "high" });
  pipeline = await newKey();
  other = await newKey();
  signed = signBundle(f.files, pipeline.key);
});

describe("manifest.jws", () => {
  it("is a compact JWS with detached payload and the agreed protected header", async () => {
    const [header, payload, signature] = signed[MANIFEST_JWS_FILE].split(".");
    expect(payload).toBe("");
    expect(base64url.decode(signature as string)).toHaveLength(64);
    const kid = await calculateJwkThumbprint(pipeline.key.publicJwk);
    expect(new TextDecoder().decode(base64url.decode(header as string))).toBe(
      `{"alg":"ES256","kid":"${kid}","typ":"fakit-bundle+jws"}`,
    );
  });

  it("verifies with a stock JOSE library once the manifest bytes are put back (RFC 7515 appendix F)", async () => {
    const [header, , signature] = signed[MANIFEST_JWS_FILE].split(".");
    const attached = `${header}.${base64url.encode(signed[MANIFEST_FILE])}.${signature}`;
    const result = await compactVerify(attached, await importJWK(pipeline.key.publicJwk, "ES256"));
    expect(new TextDecoder().decode(result.payload)).toBe(signed[MANIFEST_FILE]);
  });

  it("round trip: the pinned public key accepts the bundle", async () => {
    expect(await checkBundleSignature(signed, pipeline.key.publicJwk)).toEqual([]);
    expect(
      await verifyManifestSignature(
        new TextEncoder().encode(signed[MANIFEST_FILE]),
        signed[MANIFEST_JWS_FILE],
        pipeline.key.publicJwk,
      ),
    ).toEqual([]);
  });

  it("is deterministic: the same manifest and key give the same bytes (RFC 6979), another key other bytes", () => {
    expect(signManifest(f.files[MANIFEST_FILE], pipeline.key)).toBe(signed[MANIFEST_JWS_FILE]);
    expect(signBundle(f.files, pipeline.key)).toEqual(signed);
    expect(signManifest(f.files[MANIFEST_FILE], other.key)).not.toBe(signed[MANIFEST_JWS_FILE]);
  });

  it("never carries the private key: no file of the bundle holds the private scalar", () => {
    for (const text of Object.values(signed)) expect(text).not.toContain(pipeline.privateJwk.d as string);
  });
});

describe("bundle --check with the pinned key", () => {
  it("fails a raised graceSeconds even when the manifest digest was recomputed", async () => {
    const policy = JSON.parse(signed[POLICY_FILE]);
    policy.graceSeconds = 30 * 86_400;
    const policyText = `${JSON.stringify(policy, null, 2)}\n`;
    const manifest = JSON.parse(signed[MANIFEST_FILE]);
    manifest.files = manifest.files.map((e: { name: string; sha256: string }) =>
      e.name === POLICY_FILE ? { ...e, sha256: sha(policyText) } : e,
    );
    const tampered = {
      ...signed,
      [POLICY_FILE]: policyText,
      [MANIFEST_FILE]: `${JSON.stringify(manifest, null, 2)}\n`,
    };
    // The digests agree, so only the signature can tell.
    expect(checkBundle(tampered, expectedBundleKeys(f.rotation), EPOCH).problems).toEqual([]);
    expect(await checkBundleSignature(tampered, pipeline.key.publicJwk)).toEqual([
      {
        code: "KIT_BUNDLE_SIGNATURE_INVALID",
        message:
          "manifest.jws does not verify over manifest.json: the manifest (or a file it lists) was changed after signing",
      },
    ]);
  });

  it("fails a bundle signed by another key, naming both keys", async () => {
    const foreign = signBundle(f.files, other.key);
    const problems = await checkBundleSignature(foreign, pipeline.key.publicJwk);
    expect(problems.map((p) => p.code)).toEqual(["KIT_BUNDLE_SIGNATURE_INVALID"]);
    expect(problems[0]?.message).toBe(
      `manifest.jws is signed by key "${other.key.kid}", not by the pinned bundle key ${pipeline.key.kid}: the bundle comes from another pipeline or was re-signed`,
    );
  });

  it("fails a foreign signature that claims the pinned key's kid", async () => {
    const forged = signManifest(f.files[MANIFEST_FILE], { ...other.key, kid: pipeline.key.kid });
    const problems = await checkBundleSignature({ ...signed, [MANIFEST_JWS_FILE]: forged }, pipeline.key.publicJwk);
    expect(problems.map((p) => p.code)).toEqual(["KIT_BUNDLE_SIGNATURE_INVALID"]);
  });

  it("fails an unsigned bundle", async () => {
    const { [MANIFEST_JWS_FILE]: _jws, ...unsigned } = signed;
    expect(await checkBundleSignature(unsigned, pipeline.key.publicJwk)).toEqual([
      {
        code: "KIT_BUNDLE_SIGNATURE_MISSING",
        message:
          "manifest.jws is missing: the bundle is unsigned; rebuild it with `fakit bundle` and the pipeline's signing key",
      },
    ]);
  });

  it.each([
    ["an attached payload", (jws: string) => jws.replace("..", `.${base64url.encode("{}")}.`)],
    ["no signature", (jws: string) => `${jws.split(".")[0]}..`],
    ["garbage", () => "not a jws"],
    [
      "an alg none header",
      (jws: string) => `${base64url.encode('{"alg":"none","typ":"fakit-bundle+jws"}')}..${jws.split(".")[2]}`,
    ],
  ])("fails a malformed signature: %s", async (_n, edit) => {
    const problems = await checkBundleSignature(
      { ...signed, [MANIFEST_JWS_FILE]: edit(signed[MANIFEST_JWS_FILE]) },
      pipeline.key.publicJwk,
    );
    expect(problems.map((p) => p.code)).toEqual(["KIT_BUNDLE_SIGNATURE_INVALID"]);
  });
});

describe("the bundle signing key", () => {
  it("must be the private EC P-256 JWK whose public members belong to it", async () => {
    await expect(readSigningJwk(pipeline.key.publicJwk)).rejects.toThrow(
      `the bundle signing key must be the private JWK (members "d", "x" and "y"); a public key cannot sign`,
    );
    await expect(
      readSigningJwk({ ...pipeline.privateJwk, x: other.key.publicJwk.x, y: other.key.publicJwk.y }),
    ).rejects.toThrow(`the bundle signing key's "x" and "y" do not belong to its "d"`);
    const rsa = await exportJWK((await generateKeyPair("RS256", { extractable: true })).privateKey);
    await expect(readSigningJwk(rsa)).rejects.toThrow("the bundle signing key must be an EC P-256 JWK, got kty RSA");
  });

  it("a pinned verification key with a private member is refused", async () => {
    const problems = await verifyManifestSignature(
      signed[MANIFEST_FILE],
      signed[MANIFEST_JWS_FILE],
      pipeline.privateJwk,
    );
    expect(problems[0]?.message).toContain(`holds the private member "d": pin the public key only`);
  });
});
