/**
 * Token signing for the vectors: the committed token keys by `kid` (created once when absent) and signatures
 * that stay the same from run to run (a committed signature is kept when its signing input is unchanged).
 */
import { base64url, importJWK, type JWK, type JWTPayload, SignJWT } from "jose";
import type { SigningAlgorithm } from "../../src/policy/types";
import type { TestKey } from "../../testkit/bundle/fixtures";
import { type KeyFile, privateJwk } from "./keys";

export interface VectorSigning {
  /** The committed token key `kid` (created, and then written, when absent). */
  keyFor(alg: SigningAlgorithm, kid: string): Promise<TestKey>;
  /** A JWT signed by `key`, its signature the committed one when the signing input is unchanged. */
  sign(key: TestKey, claims: JWTPayload, header?: Record<string, unknown>): Promise<string>;
  /** Keeps a committed signature when the signing input of a compact JWS is unchanged. */
  stable(compact: string): string;
  /** As {@link stable}, for a detached-payload JWS over `manifest`. */
  stableJws(manifest: string, jws: string): string;
}

export function vectorSigning(keys: KeyFile, reuse: Map<string, string>): VectorSigning {
  const keyFor = async (alg: SigningAlgorithm, kid: string): Promise<TestKey> => {
    keys.tokenKeys[kid] ??= await privateJwk(alg);
    const jwk = keys.tokenKeys[kid] as JWK;
    const { d: _d, ...pub } = jwk;
    return {
      kid,
      alg,
      privateKey: (await importJWK(jwk, alg)) as TestKey["privateKey"],
      publicJwk: { ...pub, kid, alg, use: "sig" },
      privateJwk: jwk,
    };
  };
  const stable = (compact: string): string => {
    const [h, p] = compact.split(".");
    const s = reuse.get(`${h}.${p}`);
    return s === undefined ? compact : `${h}.${p}.${s}`;
  };
  const stableJws = (manifest: string, jws: string): string => {
    const [h] = jws.split(".");
    const s = reuse.get(`${h}.${base64url.encode(manifest)}`);
    return s === undefined ? jws : `${h}..${s}`;
  };
  const sign = async (key: TestKey, claims: JWTPayload, header: Record<string, unknown> = {}) =>
    stable(
      await new SignJWT(claims)
        .setProtectedHeader({ alg: key.alg, typ: "JWT", kid: key.kid, ...header } as { alg: string })
        .sign(key.privateKey),
    );
  return { keyFor, sign, stable, stableJws };
}
