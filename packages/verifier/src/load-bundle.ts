/**
 * Loads a bundle emitted by `fakit bundle` (see docs/offline-verifier.md): checks the manifest's format version
 * and SHA-256 digests, refuses any JWK with private members, and imports every public key once.
 *
 * Digests and keys go through the crypto backend (./crypto/backend.ts): WebCrypto where the engine has it, the
 * pure-JS backend where it does not (React Native's Hermes).
 * @see https://www.rfc-editor.org/rfc/rfc7517 JSON Web Key
 */
import { type ImportedKey, importPublicKey, sha256 } from "./crypto/backend";
import { fromUtf8, toHex, utf8 } from "./crypto/bytes";
import { BundleLoadError } from "./errors";
import {
  type BundleProblem,
  canonicalJson,
  JWKS_FILE,
  type JwksFile,
  MANIFEST_FILE,
  POLICY_FILE,
  type PolicyFile,
  type PublicJwk,
  parseJsonFile,
  parseJwksFile,
  parseManifestFile,
  parsePolicyFile,
} from "./format";
import { offlinePolicyProblems } from "./offline-policy";

/** The three files as stored (text or bytes), keyed by file name. */
export type BundleFilesInput = {
  [JWKS_FILE]: string | Uint8Array;
  [POLICY_FILE]: string | Uint8Array;
  [MANIFEST_FILE]: string | Uint8Array;
};

/**
 * The three files already parsed (for example shipped as JSON assets). Digests are checked against their
 * canonical serialization, which is what `fakit bundle` writes.
 */
export interface ParsedBundleInput {
  jwks: unknown;
  policy: unknown;
  manifest: unknown;
}

/** A public key ready for verification. */
export interface BundleKey {
  jwk: PublicJwk;
  /** The key as the crypto backend that imported it holds it. */
  key: ImportedKey;
}

/** A loaded, checked bundle. Immutable; share it between decisions. */
export interface Bundle {
  readonly policy: PolicyFile;
  readonly jwks: JwksFile;
  readonly keys: ReadonlyMap<string, BundleKey>;
}

function textOf(v: string | Uint8Array): string {
  return typeof v === "string" ? v : fromUtf8(v);
}

async function sha256Hex(text: string): Promise<string> {
  return toHex(await sha256(utf8(text)));
}

/** Imports one public JWK for verification. */
export async function importKey(jwk: PublicJwk): Promise<BundleKey> {
  return { jwk, key: await importPublicKey(jwk) };
}

/**
 * Loads and checks a bundle.
 * @throws {BundleLoadError} with every problem found: `KIT_BUNDLE_FILE_MISSING`, `KIT_BUNDLE_JSON_INVALID`,
 *   `KIT_BUNDLE_FORMAT_VERSION` (a format this verifier does not read), `KIT_BUNDLE_DIGEST_MISMATCH`,
 *   `KIT_BUNDLE_PRIVATE_MEMBER` (a JWK carries `d`, `p`, `q`, `dp`, `dq`, `qi`, `oth` or `k`),
 *   `KIT_BUNDLE_JWK_INVALID`, `KIT_BUNDLE_POLICY_INVALID`.
 * @example
 * ```ts
 * const bundle = await loadBundle({ "jwks.json": jwksText, "policy.json": policyText, "manifest.json": manifestText });
 * console.log(bundle.policy.graceSeconds, [...bundle.keys.keys()]);
 * ```
 */
export async function loadBundle(input: BundleFilesInput | ParsedBundleInput): Promise<Bundle> {
  const problems: BundleProblem[] = [];
  const texts: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  if (JWKS_FILE in input || POLICY_FILE in input || MANIFEST_FILE in input) {
    const files = input as Partial<BundleFilesInput>;
    for (const name of [JWKS_FILE, POLICY_FILE, MANIFEST_FILE] as const) {
      const raw = files[name];
      if (raw === undefined) {
        problems.push({ code: "KIT_BUNDLE_FILE_MISSING", message: `${name} is missing from the bundle` });
        continue;
      }
      texts[name] = textOf(raw);
      const parsed = parseJsonFile(name, texts[name] as string);
      problems.push(...parsed.problems);
      values[name] = parsed.value;
    }
  } else {
    const parsed = input as ParsedBundleInput;
    const pairs: [string, unknown][] = [
      [JWKS_FILE, parsed.jwks],
      [POLICY_FILE, parsed.policy],
      [MANIFEST_FILE, parsed.manifest],
    ];
    for (const [name, value] of pairs) {
      if (value === undefined)
        problems.push({ code: "KIT_BUNDLE_FILE_MISSING", message: `${name} is missing from the bundle` });
      values[name] = value;
      texts[name] = canonicalJson(value);
    }
  }
  if (problems.length > 0) throw new BundleLoadError(problems);

  const manifest = parseManifestFile(values[MANIFEST_FILE]);
  if (manifest.manifest === undefined) throw new BundleLoadError(manifest.problems);
  const jwks = parseJwksFile(values[JWKS_FILE]);
  const policy = parsePolicyFile(values[POLICY_FILE]);
  problems.push(...jwks.problems, ...policy.problems);
  if (policy.policy !== undefined) problems.push(...offlinePolicyProblems(policy.policy));
  for (const f of manifest.manifest.files) {
    const text = texts[f.name];
    if (text !== undefined && (await sha256Hex(text)) !== f.sha256) {
      problems.push({
        code: "KIT_BUNDLE_DIGEST_MISMATCH",
        message: `${f.name} does not match its SHA-256 in ${MANIFEST_FILE}`,
      });
    }
  }
  if (problems.length > 0 || jwks.jwks === undefined || policy.policy === undefined)
    throw new BundleLoadError(problems);

  const keys = new Map<string, BundleKey>();
  for (const jwk of jwks.jwks.keys) {
    try {
      keys.set(jwk.kid, await importKey(jwk));
    } catch (err) {
      problems.push({
        code: "KIT_BUNDLE_JWK_INVALID",
        message: `${JWKS_FILE}: key ${jwk.kid} cannot be imported (${(err as Error).message})`,
      });
    }
  }
  if (problems.length > 0) throw new BundleLoadError(problems);
  return Object.freeze({ policy: policy.policy, jwks: jwks.jwks, keys });
}
