/**
 * The WebCrypto backend: `crypto.subtle` of browsers, Node 20+ and any engine that provides it.
 * @see https://www.w3.org/TR/WebCryptoAPI/
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3 JWS algorithms
 */
import type { PublicJwk } from "../format";
import type { CryptoBackend } from "./backend";

// Parameter objects built here and handed to `crypto.subtle` as they are; typed loosely so the package needs
// neither the DOM library nor Node's types.
type Params = Record<string, unknown>;
const subtle = () =>
  globalThis.crypto.subtle as unknown as {
    digest(alg: string, data: Uint8Array): Promise<ArrayBuffer>;
    importKey(f: "jwk", k: Params, a: Params, x: boolean, u: string[]): Promise<unknown>;
    verify(a: Params, k: unknown, s: Uint8Array, d: Uint8Array): Promise<boolean>;
  };

const HASH: Record<string, string> = { 256: "SHA-256", 384: "SHA-384", 512: "SHA-512" };
const CURVE_OF_ALG: Record<string, string> = { ES256: "P-256", ES384: "P-384", ES512: "P-521" };

function importParams(jwk: PublicJwk): { jwk: Params; algorithm: Params } {
  if (jwk.kty === "OKP") return { jwk: { kty: "OKP", crv: jwk.crv, x: jwk.x }, algorithm: { name: "Ed25519" } };
  if (jwk.kty === "EC") {
    if (CURVE_OF_ALG[jwk.alg] !== jwk.crv) throw new Error(`"alg" ${jwk.alg} does not fit curve ${jwk.crv}`);
    return { jwk: { kty: "EC", crv: jwk.crv, x: jwk.x, y: jwk.y }, algorithm: { name: "ECDSA", namedCurve: jwk.crv } };
  }
  const hash = /^RS(256|384|512)$/.exec(jwk.alg)?.[1];
  if (jwk.kty !== "RSA" || hash === undefined) throw new Error(`unsupported key ${jwk.kty}/${jwk.alg}`);
  return {
    jwk: { kty: "RSA", n: jwk.n, e: jwk.e },
    algorithm: { name: "RSASSA-PKCS1-v1_5", hash: HASH[hash] as string },
  };
}

function verifyParams(alg: string): Params {
  if (alg === "EdDSA" || alg === "Ed25519") return { name: "Ed25519" };
  const es = /^ES(256|384|512)$/.exec(alg)?.[1];
  if (es !== undefined) return { name: "ECDSA", hash: HASH[es] as string };
  return { name: "RSASSA-PKCS1-v1_5" };
}

// One verify-parameters object per algorithm instead of one per decision.
const PARAMS = new Map<string, Params>();

export const webCryptoBackend: CryptoBackend = {
  name: "webcrypto",
  async sha256(data) {
    return new Uint8Array(await subtle().digest("SHA-256", data));
  },
  async importKey(jwk) {
    const p = importParams(jwk);
    return subtle().importKey("jwk", p.jwk, p.algorithm, false, ["verify"]);
  },
  async verify(alg, handle, data, signature) {
    let params = PARAMS.get(alg);
    if (params === undefined) {
      params = verifyParams(alg);
      PARAMS.set(alg, params);
    }
    try {
      return await subtle().verify(params, handle, signature, data);
    } catch {
      return false;
    }
  },
};
