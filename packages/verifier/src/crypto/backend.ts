/**
 * The crypto seam of the verifier: a digest and signature verification for the algorithms a bundle allows
 * (ES256, ES384, ES512, Ed25519/EdDSA, RS256, RS384, RS512). WebCrypto where the platform has it; otherwise the
 * pure-JS backend (../pure-js, on `@noble/curves`, `@noble/hashes` and `micro-rsa-dsa-dh`), which the React
 * Native build wires in by itself and any other build passes to {@link useCryptoBackend}.
 */
import type { PublicJwk } from "../format";
import { FALLBACK } from "./fallback";
import { webCryptoBackend } from "./webcrypto";

/** A key imported by a backend, opaque to the rest of the verifier. */
export interface ImportedKey {
  readonly backend: CryptoBackend;
  readonly handle: unknown;
}

/** What the verifier needs of a crypto library. Implementations must not throw for a wrong signature. */
export interface CryptoBackend {
  /** A short name for messages and benchmarks: `webcrypto`, `pure-js`. */
  readonly name: string;
  sha256(data: Uint8Array): Promise<Uint8Array>;
  /** Imports a public JWK that passed the bundle's checks; throws when the key cannot be used. */
  importKey(jwk: PublicJwk): Promise<unknown>;
  /** Whether `signature` (JWS form: raw r||s for ECDSA) signs `data` under `alg` with the imported key. */
  verify(alg: string, handle: unknown, data: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

let chosen: CryptoBackend | undefined;

/**
 * Sets the crypto backend every later decision uses (`undefined` returns to the default: WebCrypto when
 * `crypto.subtle` exists, else the build's fallback). Needed only on an engine without WebCrypto whose build
 * is not the package's React Native one.
 * @example
 * ```ts
 * import { useCryptoBackend } from "@fusionauth-offline-kit/verifier";
 * import { pureJsCrypto } from "@fusionauth-offline-kit/verifier/pure-js";
 * useCryptoBackend(pureJsCrypto);
 * ```
 */
export function useCryptoBackend(backend: CryptoBackend | undefined): void {
  chosen = backend;
}

/** The backend in use; throws a message naming the fix when the engine has no WebCrypto and none was set. */
export function cryptoBackend(): CryptoBackend {
  if (chosen !== undefined) return chosen;
  if (typeof globalThis.crypto?.subtle?.verify === "function") return webCryptoBackend;
  if (FALLBACK !== undefined) return FALLBACK;
  throw new Error(
    "this engine has no WebCrypto (crypto.subtle): pass pureJsCrypto from @fusionauth-offline-kit/verifier/pure-js to useCryptoBackend",
  );
}

/** Imports a key with the backend in use; a WebCrypto engine lacking one curve (Ed25519) uses the fallback. */
export async function importPublicKey(jwk: PublicJwk): Promise<ImportedKey> {
  const backend = cryptoBackend();
  try {
    return { backend, handle: await backend.importKey(jwk) };
  } catch (err) {
    if (backend === webCryptoBackend && FALLBACK !== undefined)
      return { backend: FALLBACK, handle: await FALLBACK.importKey(jwk) };
    throw err;
  }
}

/** Verifies with the backend that imported the key. */
export function verifyWith(key: ImportedKey, alg: string, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  return key.backend.verify(alg, key.handle, data, signature);
}

/** SHA-256 with the backend in use. */
export function sha256(data: Uint8Array): Promise<Uint8Array> {
  return cryptoBackend().sha256(data);
}
