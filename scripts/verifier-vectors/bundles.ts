/**
 * The vectors' signed bundles (test/vectors/bundles/): the standard, critical and rotated tenants, and the
 * bundles a session must refuse (unsigned, tampered, foreign signer, broken JWKS, another application's).
 */
import { canonicalJson } from "../../packages/verifier/src/format";
import type { BundleFiles } from "../../src/bundle/content";
import { tenantFixture } from "../../testkit/bundle/fixtures";
import { DAY, EPOCH } from "../../testkit/rotation/presets";
import {
  type BundleSigner,
  makeBundleSigner,
  manifestOf,
  type SignedFiles,
  type SignOptions,
  signBundle,
  signManifest,
} from "../../testkit/verifier/signed-fixture";
import type { KeyFile } from "./keys";
import type { VectorSigning } from "./signing";

/** Another application of the same tenant, signed by the same pipeline key, with a longer grace. */
export const OTHER_APP = "0b0b0b0b-0000-4000-8000-00000000a2a2";

export interface VectorBundles {
  /** By directory name under test/vectors/bundles/. */
  bundles: Map<string, Partial<SignedFiles>>;
  /** The pipeline's bundle-signing key the app pins. */
  signer: BundleSigner;
}

export async function buildBundles(keys: KeyFile, signing: VectorSigning): Promise<VectorBundles> {
  const { keyFor, stableJws } = signing;
  const signer = await makeBundleSigner(keys.bundleSigner);
  const foreignSigner = await makeBundleSigner(keys.foreignBundleSigner);
  const bundles = new Map<string, Partial<SignedFiles>>();
  const addBundle = (name: string, b: Partial<SignedFiles>) => {
    const withStable =
      b["manifest.jws"] !== undefined && b["manifest.json"] !== undefined
        ? { ...b, "manifest.jws": stableJws(b["manifest.json"], b["manifest.jws"]) }
        : b;
    bundles.set(name, withStable);
  };
  const signed = (f: BundleFiles, options: SignOptions = {}, by: BundleSigner = signer) => signBundle(f, by, options);

  const std = await tenantFixture({ keyFor });
  const crit = await tenantFixture({ level: "critical", keyFor });
  const rotated = await tenantFixture({ rotateAt: EPOCH + 200 * DAY, keyFor });
  const revokedKey = await keyFor("ES256", "kid-revoked-ES256");
  const revokedAt = "2025-01-01T00:30:00.000Z";
  const stdOptions: SignOptions = {
    v2: { revokedKeys: [{ kid: revokedKey.kid, generation: null, reason: "leaked in a test", revokedAt }] },
  };
  addBundle("standard", await signed(std.files, stdOptions));
  addBundle(
    "critical",
    await signed(crit.files, {
      v2: {
        mfaStandIn: "refuse",
        localUnlock: { mode: "none", maxAttempts: 1, argon2id: { memoryKiB: 19_456, iterations: 2, parallelism: 1 } },
      },
    }),
  );
  addBundle("rotated", await signed(rotated.files));
  addBundle(
    "two-algorithms",
    await signed(std.files, { editPolicy: (p) => (p.allowedAlgorithms = ["ES256", "ES384"]) }),
  );
  const standard = bundles.get("standard") as SignedFiles;
  const { "manifest.jws": _jws, ...unsigned } = standard;
  addBundle("unsigned", unsigned);
  const raised = JSON.parse(standard["policy.json"]);
  raised.graceSeconds = 100 * DAY;
  const raisedText = canonicalJson(raised);
  addBundle("tampered", {
    ...standard,
    "policy.json": raisedText,
    "manifest.json": manifestOf(standard["jwks.json"], raisedText, EPOCH),
  });
  addBundle("foreign-signer", await signed(std.files, stdOptions, foreignSigner));
  const brokenManifest = manifestOf("{\n", standard["policy.json"], EPOCH);
  addBundle("broken-jwks", {
    ...standard,
    "jwks.json": "{\n",
    "manifest.json": brokenManifest,
    "manifest.jws": await signManifest(brokenManifest, signer),
  });
  addBundle(
    "other-app",
    await signed(std.files, {
      ...stdOptions,
      editPolicy: (p) => {
        p.application = { id: OTHER_APP, key: "kiosk", name: "Acme Kiosk" };
        p.audience = OTHER_APP;
        p.graceSeconds = 30 * 86_400;
      },
    }),
  );
  return { bundles, signer };
}
