/**
 * Signed (format 2) bundles for the session tests and the conformance vectors, per the bundle contract of issue
 * 13: `policy.json` and `manifest.json` at `formatVersion` 2 with the offline fields, the manifest's
 * `generation`, `tenant` and `application`, and `manifest.jws`, a compact JWS with a detached payload over the
 * manifest's exact bytes, signed by a test bundle key (ES256, `kid` = RFC 7638 thumbprint).
 */
import { createHash, type KeyObject } from "node:crypto";
import { calculateJwkThumbprint, exportJWK, FlattenedSign, generateKeyPair, importJWK, type JWK } from "jose";
import { canonicalJson, type PolicyFileV2Fields } from "../../packages/verifier/src/format";
import type { BundleFiles } from "../../src/bundle/content";

export interface BundleSigner {
  privateKey: KeyObject;
  publicJwk: JWK;
  thumbprint: string;
}

export interface SignedFiles {
  "jwks.json": string;
  "policy.json": string;
  "manifest.json": string;
  "manifest.jws": string;
}

/** A bundle-signing key: fresh, or from a committed test JWK (private). */
export async function makeBundleSigner(privateJwk?: JWK): Promise<BundleSigner> {
  let privateKey: KeyObject;
  if (privateJwk === undefined) {
    privateKey = (await generateKeyPair("ES256", { extractable: true })).privateKey as KeyObject;
  } else {
    privateKey = (await importJWK(privateJwk, "ES256")) as KeyObject;
  }
  const { d: _d, ...pub } = await exportJWK(privateKey);
  return { privateKey, publicJwk: pub, thumbprint: await calculateJwkThumbprint(pub, "sha256") };
}

/** `BASE64URL(header)..BASE64URL(signature)` over `manifest` (RFC 7515 Appendix F). */
export async function signManifest(manifest: string, signer: BundleSigner, kid = signer.thumbprint): Promise<string> {
  const jws = await new FlattenedSign(new TextEncoder().encode(manifest))
    .setProtectedHeader({ alg: "ES256", kid, typ: "fakit-bundle+jws" })
    .sign(signer.privateKey);
  return `${jws.protected}..${jws.signature}`;
}

export const V2_DEFAULTS: PolicyFileV2Fields = {
  claimsMaxAgeSeconds: 86_400,
  localUnlock: { mode: "either", maxAttempts: 5, argon2id: { memoryKiB: 19_456, iterations: 2, parallelism: 1 } },
  mfaStandIn: "local-unlock",
  revokedKeys: [],
};

export interface SignOptions {
  /** Manifest generation; the policy's `generatedFor` by default. */
  generation?: number;
  /** Format 2 fields over {@link V2_DEFAULTS}. */
  v2?: Partial<PolicyFileV2Fields>;
  /** Edits the parsed policy before it is written (and digested, and signed). */
  editPolicy?: (policy: Record<string, unknown>) => void;
  editJwks?: (jwks: { keys: Record<string, unknown>[] }) => void;
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** The manifest of a format 2 bundle over `jwks` and `policy` texts. */
export function manifestOf(jwks: string, policy: string, generation: number): string {
  const p = JSON.parse(policy);
  return canonicalJson({
    application: p.application.id,
    files: [
      { name: "jwks.json", sha256: sha256(jwks) },
      { name: "policy.json", sha256: sha256(policy) },
    ],
    formatVersion: 2,
    generation,
    tenant: p.tenant,
  });
}

/** Turns a format 1 bundle (as buildBundleContent writes today) into a signed format 2 bundle. */
export async function signBundle(
  files: BundleFiles,
  signer: BundleSigner,
  options: SignOptions = {},
): Promise<SignedFiles> {
  const policy = { ...JSON.parse(files["policy.json"]), ...V2_DEFAULTS, ...options.v2, formatVersion: 2 };
  options.editPolicy?.(policy);
  const jwks = JSON.parse(files["jwks.json"]);
  options.editJwks?.(jwks);
  const jwksText = canonicalJson(jwks);
  const policyText = canonicalJson(policy);
  const generation = options.generation ?? Date.parse(policy.generatedFor) / 1000;
  const manifest = manifestOf(jwksText, policyText, generation);
  return {
    "jwks.json": jwksText,
    "policy.json": policyText,
    "manifest.json": manifest,
    "manifest.jws": await signManifest(manifest, signer),
  };
}
