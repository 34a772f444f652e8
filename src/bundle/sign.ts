/**
 * Signing a bundle's manifest with the pipeline's EC P-256 key (see ./signature.ts for the format).
 *
 * ECDSA as WebCrypto and node's crypto do it draws a random nonce, so two builds of the same bundle would differ
 * in `manifest.jws`. Bundles must be byte-deterministic for the same `--now` and key, so the signature uses
 * deterministic ECDSA (RFC 6979) from `@noble/curves` (audited, maintained); the result is an ordinary ES256
 * signature that any JOSE library verifies.
 * @see https://www.rfc-editor.org/rfc/rfc6979 deterministic ECDSA
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.4 ES256 signature encoding (R || S)
 */
import { createHash } from "node:crypto";
import { p256 } from "@noble/curves/p256";
import { base64url, type JWK } from "jose";
import {
  type BundleFiles,
  MANIFEST_FILE,
  MANIFEST_JWS_FILE,
  type SignedBundleFiles,
} from "../../packages/verifier/src/format";
import { KitError } from "../lib/errors";
import { BUNDLE_JWS_ALGORITHM, BUNDLE_JWS_TYPE, type BundleJwsHeader, bundleKeyThumbprint } from "./signature";

/** A bundle signing key that cannot be used: the message says why. */
export class BundleSigningKeyError extends KitError {
  override readonly name = "BundleSigningKeyError";
  declare readonly code: "KIT_BUNDLE_SIGNING_KEY_INVALID";
  constructor(message: string, options?: { cause?: unknown }) {
    super("KIT_BUNDLE_SIGNING_KEY_INVALID", message, options);
  }
}

/** A private signing key, checked and ready. */
export interface BundleSigningKey {
  /** The private scalar. */
  d: Uint8Array;
  /** The public half, to pin in the app. */
  publicJwk: JWK;
  /** RFC 7638 thumbprint: the `kid` of every signature. */
  kid: string;
}

/**
 * Checks a private JWK (EC P-256 with `d`, `x`, `y`) and that `x`/`y` belong to `d`.
 * @throws {BundleSigningKeyError}
 */
export async function readSigningJwk(jwk: unknown): Promise<BundleSigningKey> {
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk))
    throw new BundleSigningKeyError("the bundle signing key is not a JWK (a JSON object)");
  const k = jwk as Record<string, unknown>;
  if (k.kty !== "EC" || k.crv !== "P-256")
    throw new BundleSigningKeyError(
      `the bundle signing key must be an EC P-256 JWK, got kty ${String(k.kty)}, crv ${String(k.crv)}`,
    );
  if (typeof k.d !== "string" || typeof k.x !== "string" || typeof k.y !== "string")
    throw new BundleSigningKeyError(
      `the bundle signing key must be the private JWK (members "d", "x" and "y"); a public key cannot sign`,
    );
  const d = base64url.decode(k.d);
  let point: Uint8Array;
  try {
    point = p256.getPublicKey(d, false);
  } catch {
    throw new BundleSigningKeyError(`the bundle signing key's "d" is not a P-256 private key`);
  }
  const x = base64url.encode(point.slice(1, 33));
  const y = base64url.encode(point.slice(33, 65));
  if (x !== k.x || y !== k.y)
    throw new BundleSigningKeyError(`the bundle signing key's "x" and "y" do not belong to its "d"`);
  const publicJwk: JWK = { kty: "EC", crv: "P-256", x, y };
  const kid = await bundleKeyThumbprint(publicJwk);
  return { d, kid, publicJwk: { ...publicJwk, kid, alg: BUNDLE_JWS_ALGORITHM, use: "sig" } };
}

/** `manifest.jws` for the exact bytes of `manifest`: the same manifest and key give the same bytes. */
export function signManifest(manifest: string, key: BundleSigningKey): string {
  const header: BundleJwsHeader = { alg: BUNDLE_JWS_ALGORITHM, kid: key.kid, typ: BUNDLE_JWS_TYPE };
  const protectedHeader = base64url.encode(JSON.stringify(header));
  const signingInput = `${protectedHeader}.${base64url.encode(manifest)}`;
  const digest = createHash("sha256").update(signingInput, "utf8").digest();
  const signature = p256.sign(digest, key.d).toCompactRawBytes();
  return `${protectedHeader}..${base64url.encode(signature)}`;
}

/** The bundle with its `manifest.jws`. */
export function signBundle(files: BundleFiles, key: BundleSigningKey): SignedBundleFiles {
  return { ...files, [MANIFEST_JWS_FILE]: signManifest(files[MANIFEST_FILE], key) };
}
