/**
 * The bundle's authenticity: `manifest.jws` is a compact JWS with detached payload (RFC 7515 appendix F),
 * `BASE64URL(header)..BASE64URL(signature)`, over the exact bytes of `manifest.json`, which in turn holds the
 * SHA-256 of every other file. The protected header is `{"alg":"ES256","kid":<RFC 7638 thumbprint of the
 * signing key>,"typ":"fakit-bundle+jws"}`; the key is an EC P-256 key held by the pipeline, its public half
 * pinned in the app.
 *
 * Verification uses `jose` alone (WebCrypto underneath), so it runs wherever the verifier does.
 * @see https://www.rfc-editor.org/rfc/rfc7515#appendix-F
 * @see https://www.rfc-editor.org/rfc/rfc7638 JWK thumbprint
 */
import { base64url, calculateJwkThumbprint, flattenedVerify, importJWK, type JWK } from "jose";
import type { BundleProblem } from "../../packages/verifier/src/format";
import { MANIFEST_FILE, MANIFEST_JWS_FILE } from "../../packages/verifier/src/format";

/** The `typ` of a bundle manifest signature. */
export const BUNDLE_JWS_TYPE = "fakit-bundle+jws";
/** The one algorithm a bundle signature may use. */
export const BUNDLE_JWS_ALGORITHM = "ES256";

/** The protected header of a bundle signature, in the member order the signer serializes. */
export interface BundleJwsHeader {
  alg: typeof BUNDLE_JWS_ALGORITHM;
  kid: string;
  typ: typeof BUNDLE_JWS_TYPE;
}

/** Problems of a JWK as the public bundle verification key: EC P-256 with `x` and `y`, nothing private. */
export function verificationKeyProblems(jwk: unknown): string[] {
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) return ["not a JSON object"];
  const k = jwk as Record<string, unknown>;
  const out: string[] = [];
  if (k.kty !== "EC" || k.crv !== "P-256") out.push(`not an EC P-256 key (kty ${String(k.kty)}, crv ${String(k.crv)})`);
  if (typeof k.x !== "string" || typeof k.y !== "string") out.push(`lacks its "x" or "y" member`);
  if ("d" in k) out.push(`holds the private member "d": pin the public key only`);
  return out;
}

/** The RFC 7638 thumbprint (SHA-256) of an EC key: the `kid` of its signatures. */
export function bundleKeyThumbprint(jwk: JWK): Promise<string> {
  return calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, "sha256");
}

/**
 * The `kid` the protected header of `manifest.jws` names, or `undefined` when it names none or is not a JWS: which
 * key a bundle says signed it, before (and whether or not) the signature verifies.
 */
export function bundleSignatureKid(jws: string | undefined): string | undefined {
  const header = jws?.trim().split(".")[0];
  if (header === undefined || header === "") return undefined;
  try {
    const kid = JSON.parse(new TextDecoder().decode(base64url.decode(header))).kid;
    return typeof kid === "string" ? kid : undefined;
  } catch {
    return undefined;
  }
}

const encoder = new TextEncoder();

function bytesOf(v: string | Uint8Array): Uint8Array {
  return typeof v === "string" ? encoder.encode(v) : v;
}

/**
 * Verifies `manifest.jws` over the exact bytes of `manifest.json` with the pinned public key.
 * @returns no problems when the signature is valid; otherwise `KIT_BUNDLE_SIGNATURE_MISSING` (no signature)
 *   or `KIT_BUNDLE_SIGNATURE_INVALID` (malformed, another key, another algorithm or type, or a manifest that
 *   is not the one signed).
 */
export async function verifyManifestSignature(
  manifest: string | Uint8Array,
  jws: string | Uint8Array | undefined,
  publicJwk: JWK,
): Promise<BundleProblem[]> {
  const invalid = (why: string): BundleProblem[] => [
    { code: "KIT_BUNDLE_SIGNATURE_INVALID", message: `${MANIFEST_JWS_FILE} ${why}` },
  ];
  if (jws === undefined)
    return [
      {
        code: "KIT_BUNDLE_SIGNATURE_MISSING",
        message: `${MANIFEST_JWS_FILE} is missing: the bundle is unsigned; rebuild it with \`fakit bundle\` and the pipeline's signing key`,
      },
    ];
  const text = (typeof jws === "string" ? jws : new TextDecoder().decode(jws)).trim();
  const parts = text.split(".");
  if (parts.length !== 3 || parts[1] !== "" || parts[0] === "" || parts[2] === "")
    return invalid("is not a compact JWS with detached payload (BASE64URL(header)..BASE64URL(signature))");
  const keyProblems = verificationKeyProblems(publicJwk);
  if (keyProblems.length > 0) return invalid(`cannot be checked: the verification key is ${keyProblems.join("; ")}`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(base64url.decode(parts[0] as string)));
  } catch {
    return invalid("has a protected header that is not base64url-encoded JSON");
  }
  if (header.alg !== BUNDLE_JWS_ALGORITHM || header.typ !== BUNDLE_JWS_TYPE)
    return invalid(
      `has "alg" ${JSON.stringify(header.alg)} and "typ" ${JSON.stringify(header.typ)}; expected "${BUNDLE_JWS_ALGORITHM}" and "${BUNDLE_JWS_TYPE}"`,
    );
  const kid = await bundleKeyThumbprint(publicJwk);
  if (header.kid !== kid)
    return invalid(
      `is signed by key ${JSON.stringify(header.kid)}, not by the pinned bundle key ${kid}: the bundle comes from another pipeline or was re-signed`,
    );
  try {
    const key = await importJWK({ kty: "EC", crv: "P-256", x: publicJwk.x, y: publicJwk.y }, BUNDLE_JWS_ALGORITHM);
    await flattenedVerify(
      { protected: parts[0] as string, payload: base64url.encode(bytesOf(manifest)), signature: parts[2] as string },
      key,
      { algorithms: [BUNDLE_JWS_ALGORITHM] },
    );
  } catch {
    return invalid(
      `does not verify over ${MANIFEST_FILE}: the manifest (or a file it lists) was changed after signing`,
    );
  }
  return [];
}
