/**
 * Real keys, real tokens and real bundles for the bundle and verifier tests: keys come from jose's
 * generateKeyPair, the JWKS is shaped like FusionAuth's `/.well-known/jwks.json` (certificate members included,
 * other tenants' keys mixed in), and bundles are built by buildBundleContent from a planned rotation.
 */
import { type KeyObject, sign as nodeSign } from "node:crypto";
import { base64url, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from "jose";
import { type BundleFiles, buildBundleContent } from "../../src/bundle/content";
import type { EffectivePolicy, SigningAlgorithm } from "../../src/policy/types";
import { planRotation, type RotationState } from "../../src/rotation/schedule";
import { applyRotation } from "../../src/rotation/timeline";
import { EPOCH, preset } from "../rotation/presets";

export const ISSUER = "https://auth.acme.test";
export const APP_ID = "3c219e58-ed0e-4b18-ad48-f4f92793ae32";

export interface TestKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: KeyObject;
  publicJwk: JWK;
  privateJwk: JWK;
}

export async function makeKey(alg: SigningAlgorithm, kid: string): Promise<TestKey> {
  const pair =
    alg === "Ed25519"
      ? await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true })
      : await generateKeyPair(alg, { extractable: true });
  const pub = await exportJWK(pair.publicKey);
  const priv = await exportJWK(pair.privateKey);
  return {
    kid,
    alg,
    privateKey: pair.privateKey as KeyObject,
    publicJwk: { ...pub, kid, alg, use: "sig" },
    privateJwk: { ...priv, kid, alg, use: "sig" },
  };
}

/** The JWK as FusionAuth publishes it: with certificate members the bundle must drop. */
export function fusionAuthJwk(key: TestKey): Record<string, unknown> {
  return { ...key.publicJwk, x5c: ["MIIBJzCBy6ADAgEBAhEA"], x5t: key.kid, "x5t#S256": "thumb" };
}

/** Signs a JWT as FusionAuth does; Ed25519 tokens carry `alg: "Ed25519"` (signed with node's crypto.sign). */
export async function signToken(
  key: TestKey,
  claims: JWTPayload,
  header: Record<string, unknown> = {},
): Promise<string> {
  const protectedHeader = { alg: key.alg, typ: "JWT", kid: key.kid, ...header };
  if (key.alg === "Ed25519") {
    const h = base64url.encode(JSON.stringify(protectedHeader));
    const p = base64url.encode(JSON.stringify(claims));
    const sig = nodeSign(null, Buffer.from(`${h}.${p}`), key.privateKey);
    return `${h}.${p}.${base64url.encode(sig)}`;
  }
  return new SignJWT(claims).setProtectedHeader(protectedHeader as { alg: string }).sign(key.privateKey);
}

export interface TenantFixture {
  policy: EffectivePolicy;
  /** Kit keys by generation. */
  keys: Map<number, TestKey>;
  /** A key of another tenant, published in the same global JWKS. */
  foreign: TestKey;
  /** Rotation state at the bundle's time. */
  rotation: RotationState;
  /** FusionAuth's JWKS body. */
  jwks: { keys: Record<string, unknown>[] };
  files: BundleFiles;
}

/**
 * A tenant deployed at EPOCH (generations 0..P), then, when `rotateAt` is given, deployed again then (keys
 * created by that run are generated too); the bundle is built for the last run.
 */
export async function tenantFixture(
  options: {
    level?: EffectivePolicy["level"];
    alg?: SigningAlgorithm;
    rotateAt?: number;
    /** Supplies the keys (the conformance vectors use committed test keys); fresh random keys by default. */
    keyFor?: (alg: SigningAlgorithm, kid: string) => Promise<TestKey>;
  } = {},
): Promise<TenantFixture> {
  const newKey = options.keyFor ?? makeKey;
  const policy = preset(options.level ?? "standard", options.alg ?? "ES256");
  const alg = policy.accessToken.algorithm;
  const keys = new Map<number, TestKey>();
  const kidOf = (n: number) => `kid-g${n}-${alg}`;
  const withKids = (state: RotationState) => {
    const observed = applyRotation(state, (n) => `key-${n}`);
    return { ...observed, keys: observed.keys.map((k) => ({ ...k, kid: kidOf(k.generation) })) };
  };
  let observed = withKids(planRotation({ policy, epoch: EPOCH, at: EPOCH, observed: { keys: [] } }));
  let at = EPOCH;
  if (options.rotateAt !== undefined) {
    at = options.rotateAt;
    observed = withKids(planRotation({ policy, epoch: EPOCH, at, observed }));
  }
  const rotation = planRotation({ policy, epoch: EPOCH, at, observed });
  for (const k of observed.keys) keys.set(k.generation, await newKey(alg, kidOf(k.generation)));
  const foreign = await newKey(alg, `kid-other-tenant-${alg}`);
  const jwks = { keys: [fusionAuthJwk(foreign), ...[...keys.values()].map(fusionAuthJwk)] };
  const files = buildBundleContent({
    tenant: { key: "acme", issuer: ISSUER },
    application: { id: APP_ID, key: "mobile", name: "Acme Mobile" },
    policy,
    rotation,
    jwks,
    generatedFor: at,
  });
  return { policy, keys, foreign, rotation, jwks, files };
}
