/**
 * The pure-JS backend, for engines without WebCrypto (React Native's Hermes): ECDSA and Ed25519 from
 * `@noble/curves`, digests from `@noble/hashes`, RSASSA-PKCS1-v1_5 from `micro-rsa-dsa-dh`, all audited or
 * maintained by the same author, no native code. Strict: ECDSA signatures are the JWS raw r||s form (high S
 * accepted, as WebCrypto does), Ed25519 is RFC 8032 verification (not ZIP 215).
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.4 ECDSA in JWS
 */
import { ed25519 } from "@noble/curves/ed25519";
import { p256, p384, p521 } from "@noble/curves/nist";
import { sha256, sha384, sha512 } from "@noble/hashes/sha2";
import { PKCS1_SHA256, PKCS1_SHA384, PKCS1_SHA512 } from "micro-rsa-dsa-dh/rsa.js";
import type { PublicJwk } from "../format";
import type { CryptoBackend } from "./backend";
import { fromBase64url, toHex } from "./bytes";

type Curve = typeof p256;
const CURVES: Record<string, { curve: Curve; hash: (m: Uint8Array) => Uint8Array; size: number }> = {
  ES256: { curve: p256, hash: sha256, size: 32 },
  ES384: { curve: p384 as unknown as Curve, hash: sha384, size: 48 },
  ES512: { curve: p521 as unknown as Curve, hash: sha512, size: 66 },
};
const CRV_OF: Record<string, string> = { ES256: "P-256", ES384: "P-384", ES512: "P-521" };
const RSA = { RS256: PKCS1_SHA256, RS384: PKCS1_SHA384, RS512: PKCS1_SHA512 } as const;

type Handle =
  | { kind: "ec"; alg: string; point: Uint8Array }
  | { kind: "ed"; x: Uint8Array }
  | { kind: "rsa"; alg: string; n: bigint; e: bigint };

const bigintOf = (b64: string): bigint => BigInt(`0x${toHex(fromBase64url(b64)) || "0"}`);

function fixed(bytes: Uint8Array, size: number, what: string): Uint8Array {
  if (bytes.length !== size) throw new Error(`${what} is ${bytes.length} bytes, expected ${size}`);
  return bytes;
}

/**
 * The last successful verifications, by key, algorithm, signing input and signature: a pure function of those
 * bytes, so a hit is the same answer without the ~0.1 s an ECDSA verification costs in an engine without native
 * BigInt speed (an app decides the same token at every screen, and reopens the same bundle). Failures are not
 * kept. Bounded: the oldest entry goes first.
 */
const verified = new Map<string, true>();
const VERIFIED_MAX = 32;

function keyId(h: Handle): string {
  return h.kind === "rsa" ? `rsa:${h.n.toString(36)}:${h.e}` : `${h.kind}:${toHex(h.kind === "ec" ? h.point : h.x)}`;
}

function verifyUncached(alg: string, h: Handle, data: Uint8Array, signature: Uint8Array): boolean {
  if (h.kind === "ed")
    return (alg === "EdDSA" || alg === "Ed25519") && ed25519.verify(signature, data, h.x, { zip215: false });
  if (h.kind === "ec") {
    const c = CURVES[alg];
    if (c === undefined || alg !== h.alg || signature.length !== 2 * c.size) return false;
    return c.curve.verify(signature, c.hash(data), h.point, { lowS: false, prehash: false, format: "compact" });
  }
  if (alg !== h.alg) return false;
  return RSA[h.alg as keyof typeof RSA].verify({ n: h.n, e: h.e }, data, signature);
}

export const pureJsCrypto: CryptoBackend = {
  name: "pure-js",
  async sha256(data) {
    return sha256(data);
  },
  async importKey(jwk: PublicJwk): Promise<Handle> {
    if (jwk.kty === "OKP" && jwk.crv === "Ed25519")
      return { kind: "ed", x: fixed(fromBase64url(jwk.x as string), 32, "Ed25519 x") };
    if (jwk.kty === "EC") {
      const c = CURVES[jwk.alg];
      if (c === undefined || CRV_OF[jwk.alg] !== jwk.crv) throw new Error(`"alg" ${jwk.alg} does not fit ${jwk.crv}`);
      const x = fixed(fromBase64url(jwk.x as string), c.size, "x");
      const y = fixed(fromBase64url(jwk.y as string), c.size, "y");
      const point = new Uint8Array(1 + 2 * c.size);
      point[0] = 4;
      point.set(x, 1);
      point.set(y, 1 + c.size);
      c.curve.ProjectivePoint.fromHex(point).assertValidity();
      return { kind: "ec", alg: jwk.alg, point };
    }
    if (jwk.kty === "RSA" && jwk.alg in RSA) {
      const n = bigintOf(jwk.n as string);
      if (n < 1n << 2047n) throw new Error("RSA modulus below 2048 bits");
      return { kind: "rsa", alg: jwk.alg, n, e: bigintOf(jwk.e as string) };
    }
    throw new Error(`unsupported key ${jwk.kty}/${jwk.alg}`);
  },
  async verify(alg, handle, data, signature) {
    const h = handle as Handle;
    const id = `${alg}|${keyId(h)}|${toHex(data)}|${toHex(signature)}`;
    if (verified.has(id)) return true;
    let ok = false;
    try {
      ok = verifyUncached(alg, h, data, signature);
    } catch {
      ok = false;
    }
    if (ok) {
      if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value as string);
      verified.set(id, true);
    }
    return ok;
  },
};
