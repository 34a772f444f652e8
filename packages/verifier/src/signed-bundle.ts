/**
 * Opens a format 2 bundle as the offline session does: the manifest's detached JWS must verify with a key the
 * app pins in its build, the manifest's digests must match the files, and the bundle must not have been built
 * before the one the device holds. Never throws: every problem is a refusal with a reason code.
 *
 * The signature is checked by the crypto backend over the detached payload re-attached; the header is parsed
 * strictly (bounded, no repeated member).
 * @see https://www.rfc-editor.org/rfc/rfc7515#appendix-F detached content
 * @see https://www.rfc-editor.org/rfc/rfc7638 JWK thumbprint (the header's `kid`)
 */
import { importPublicKey, sha256, verifyWith } from "./crypto/backend";
import { ascii, fromBase64url, fromUtf8, toBase64url, utf8 } from "./crypto/bytes";
import { BundleLoadError } from "./errors";
import { MANIFEST_FILE, MANIFEST_JWS_FILE, MANIFEST_JWS_TYPE, type ManifestFile } from "./format";
import type { JWK } from "./jwk";
import { type Bundle, type BundleFilesInput, loadBundle } from "./load-bundle";
import type { ReasonCode } from "./reasons";
import { parseStrictObject } from "./strict-json";
import { MAX_TIME_SECONDS } from "./time-rules";

/** The four files of a signed bundle, as stored (text or bytes). */
export type SignedBundleFilesInput = BundleFilesInput & { [MANIFEST_JWS_FILE]?: string | Uint8Array };

/** A bundle whose manifest verified with a pinned key. */
export interface SignedBundle {
  bundle: Bundle;
  manifest: ManifestFile & { generation: number; tenant: string; application: string };
  /**
   * When the bundle was built, in Unix seconds: the manifest's wire field `generation` (a historical name, not a
   * signing key's generation). A device refuses a bundle built before the one it holds.
   */
  builtAt: number;
  /** RFC 7638 thumbprint of the pinned key that signed it. */
  signedBy: string;
}

export type OpenBundleResult =
  | { ok: true; signed: SignedBundle }
  | { ok: false; code: Extract<ReasonCode, `bundle-${string}`>; message: string };

const bytesOf = (v: string | Uint8Array) => (typeof v === "string" ? utf8(v) : v);
/** Longest `manifest.jws` header read, in base64url characters (the kit writes about 150). */
const MAX_MANIFEST_HEADER = 1_024;

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**

 * The pinned public keys by RFC 7638 thumbprint. Compute once per app start.

 * @example
 * ```ts
 * const pinned = await pinnedKeysByThumbprint([bundlePinnedKey]); // once per app start
 * ```
 */
export async function pinnedKeysByThumbprint(pinned: readonly JWK[]): Promise<Map<string, JWK>> {
  const out = new Map<string, JWK>();
  for (const jwk of Array.isArray(pinned) ? pinned : []) {
    // Only public EC P-256 keys can sign a bundle; anything else pinned by mistake is ignored.
    if (typeof jwk !== "object" || jwk === null || jwk.kty !== "EC" || jwk.crv !== "P-256" || "d" in jwk) continue;
    if (typeof jwk.x !== "string" || typeof jwk.y !== "string") continue;
    // RFC 7638: the required members in lexicographic order, no whitespace.
    const members = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
    out.set(toBase64url(await sha256(utf8(members))), { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y });
  }
  return out;
}

/**
 * Opens a signed bundle: `bundle-unsigned`, `bundle-signature-invalid`, `bundle-key-unknown`,
 * `bundle-invalid` or `bundle-generation-rollback` when it must not be used.
 * @param pinned public keys from {@link pinnedKeysByThumbprint}
 * @param heldBuiltAt when the bundle the device holds was built ({@link SignedBundle.builtAt}), if it holds one
 * @example
 * ```ts
 * const opened = await openSignedBundle(files, await pinnedKeysByThumbprint([bundlePinnedKey]));
 * if (!opened.ok) report(opened.code, opened.message);
 * ```
 */
export async function openSignedBundle(
  files: Partial<SignedBundleFilesInput>,
  pinned: ReadonlyMap<string, JWK>,
  heldBuiltAt?: number,
): Promise<OpenBundleResult> {
  if (typeof files !== "object" || files === null)
    return { ok: false, code: "bundle-invalid", message: "the bundle is not a set of files" };
  const signature = await verifyManifestSignature(files, pinned);
  if (!signature.ok) return signature;
  const read = readManifest(signature.manifestBytes);
  if (!read.ok) return read;
  const { manifest, builtAt } = read;
  let bundle: Bundle;
  try {
    bundle = await loadBundle(files as BundleFilesInput);
  } catch (err) {
    // Anything loadBundle rejects, including input that is neither text nor bytes, is an unusable bundle.
    const message = err instanceof BundleLoadError ? err.message : `the bundle files cannot be read (${String(err)})`;
    return { ok: false, code: "bundle-invalid", message };
  }
  if (bundle.policy.formatVersion !== 2 || bundle.policy.application.id !== manifest.application)
    return {
      ok: false,
      code: "bundle-invalid",
      message: `policy.json must be format 2 and for the manifest's application ${JSON.stringify(manifest.application)}`,
    };
  if (heldBuiltAt !== undefined && builtAt < heldBuiltAt)
    return {
      ok: false,
      code: "bundle-generation-rollback",
      message: `the bundle was built at ${builtAt} (Unix seconds), before the bundle this device holds (built at ${heldBuiltAt})`,
    };
  return { ok: true, signed: { bundle, manifest, builtAt, signedBy: signature.kid } };
}

type Refusal = Extract<OpenBundleResult, { ok: false }>;

/**
 * Checks `manifest.jws` over the manifest's exact bytes with the pinned key it names: `bundle-unsigned`,
 * `bundle-signature-invalid` or `bundle-key-unknown` when it does not verify.
 */
async function verifyManifestSignature(
  files: Partial<SignedBundleFilesInput>,
  pinned: ReadonlyMap<string, JWK>,
): Promise<Refusal | { ok: true; manifestBytes: Uint8Array; kid: string }> {
  const jws = files[MANIFEST_JWS_FILE];
  if (jws === undefined)
    return { ok: false, code: "bundle-unsigned", message: `the bundle has no ${MANIFEST_JWS_FILE}` };
  const manifestRaw = files[MANIFEST_FILE];
  if (manifestRaw === undefined)
    return { ok: false, code: "bundle-invalid", message: `the bundle has no ${MANIFEST_FILE}` };
  if (typeof manifestRaw !== "string" && !(manifestRaw instanceof Uint8Array))
    return { ok: false, code: "bundle-invalid", message: `${MANIFEST_FILE} is neither text nor bytes` };
  if (typeof jws !== "string" && !(jws instanceof Uint8Array))
    return { ok: false, code: "bundle-signature-invalid", message: `${MANIFEST_JWS_FILE} is neither text nor bytes` };
  const manifestBytes = bytesOf(manifestRaw);

  const bad = (message: string): Refusal => ({ ok: false, code: "bundle-signature-invalid", message });
  let jwsText: string;
  try {
    jwsText = typeof jws === "string" ? jws : fromUtf8(jws);
  } catch {
    return bad(`${MANIFEST_JWS_FILE} is not UTF-8 text`);
  }
  const parts = jwsText.trim().split(".");
  if (parts.length !== 3 || parts[1] !== "" || !parts.every((p) => /^[A-Za-z0-9_-]*$/.test(p)))
    return bad(`${MANIFEST_JWS_FILE} is not a compact JWS with a detached payload (header..signature)`);
  const [h, , s] = parts as [string, string, string];
  let header: Record<string, unknown> | undefined;
  try {
    header = h.length <= MAX_MANIFEST_HEADER ? parseStrictObject(fromUtf8(fromBase64url(h)), "header") : undefined;
  } catch {
    header = undefined;
  }
  if (
    header === undefined ||
    header.alg !== "ES256" ||
    header.typ !== MANIFEST_JWS_TYPE ||
    typeof header.kid !== "string"
  )
    return bad(`${MANIFEST_JWS_FILE} header must be {"alg":"ES256","kid":<thumbprint>,"typ":"${MANIFEST_JWS_TYPE}"}`);
  const key = pinned.get(header.kid);
  if (key === undefined)
    return {
      ok: false,
      code: "bundle-key-unknown",
      message: `${MANIFEST_JWS_FILE} is signed by key ${JSON.stringify(header.kid)}, which this app does not pin`,
    };
  const input = ascii(`${h}.${toBase64url(manifestBytes)}`);
  if (!(await verifiesWithPinned(key, header.kid, input, s)))
    return bad(`${MANIFEST_JWS_FILE} does not verify over ${MANIFEST_FILE} with pinned key ${header.kid}`);
  return { ok: true, manifestBytes, kid: header.kid };
}

/** Whether the base64url signature `s` verifies over `input` with the pinned P-256 key; false when it cannot be checked. */
async function verifiesWithPinned(key: JWK, kid: string, input: Uint8Array, s: string): Promise<boolean> {
  try {
    const pinnedKey = await importPublicKey({
      ...(key as { x: string; y: string }),
      kty: "EC",
      crv: "P-256",
      alg: "ES256",
      kid,
      use: "sig",
    });
    return await verifyWith(pinnedKey, "ES256", input, fromBase64url(s));
  } catch {
    return false;
  }
}

/** The verified manifest's content: format 2, with its build time, tenant and application. */
function readManifest(
  manifestBytes: Uint8Array,
): Refusal | { ok: true; manifest: SignedBundle["manifest"]; builtAt: number } {
  let manifestText: string | undefined;
  try {
    manifestText = fromUtf8(manifestBytes);
  } catch {
    manifestText = undefined;
  }
  const manifest = manifestText === undefined ? undefined : parseObject(manifestText);
  if (manifest?.formatVersion !== 2)
    return { ok: false, code: "bundle-unsigned", message: `${MANIFEST_FILE} is not format 2 (signed bundles)` };
  // The wire name `generation` is historical: it is the build time, not a signing key's generation.
  const builtAt = manifest.generation;
  if (
    typeof builtAt !== "number" ||
    !Number.isInteger(builtAt) ||
    builtAt < 0 ||
    builtAt > MAX_TIME_SECONDS ||
    typeof manifest.tenant !== "string" ||
    typeof manifest.application !== "string"
  )
    return {
      ok: false,
      code: "bundle-invalid",
      message: `${MANIFEST_FILE} must carry a whole "generation" (its build time in Unix seconds), "tenant" and "application"`,
    };
  return { ok: true, manifest: manifest as unknown as SignedBundle["manifest"], builtAt };
}
