/**
 * The vectors' committed TEST-ONLY material, read back so that a rerun writes the same bytes: the private keys
 * (test/vectors/keys.json, created once when absent), the device key (device.json), and the signatures already
 * committed (ECDSA signatures are randomized, so one already written for the same signing input is reused).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { base64url, exportJWK, generateKeyPair, type JWK } from "jose";
import { type DeviceKey, importDeviceKeyMaterial, webCryptoDeviceKey } from "../../packages/verifier/src";
import type { ConformanceDevice } from "../../packages/verifier/src/conformance";

export const VECTORS_DIR = path.join(__dirname, "../../test/vectors");

export const TEST_ONLY =
  "TEST ONLY. Private keys for the offline verifier's conformance vectors; published on purpose, never trust them.";

export interface KeyFile {
  _warning: string;
  bundleSigner: JWK;
  foreignBundleSigner: JWK;
  tokenKeys: Record<string, JWK>;
}

/** device.json: what the app under test is and the device key it seals with. */
export interface VectorDevice extends ConformanceDevice {
  _warning: string;
}

export async function privateJwk(alg: string): Promise<JWK> {
  const pair = await generateKeyPair(alg, { extractable: true });
  return exportJWK(pair.privateKey);
}

/** The committed keys; missing ones are created (and then written by the caller). */
export async function loadKeys(): Promise<KeyFile> {
  const file = path.join(VECTORS_DIR, "keys.json");
  if (existsSync(file)) return { ...JSON.parse(readFileSync(file, "utf8")), _warning: TEST_ONLY };
  return {
    _warning: TEST_ONLY,
    bundleSigner: await privateJwk("ES256"),
    foreignBundleSigner: await privateJwk("ES256"),
    tokenKeys: {},
  };
}

/** Signatures already committed, by signing input, so that a rerun does not change them. */
export function committedSignatures(): Map<string, string> {
  const out = new Map<string, string>();
  const cases = path.join(VECTORS_DIR, "cases");
  if (existsSync(cases))
    for (const name of readdirSync(cases)) {
      const token = JSON.parse(readFileSync(path.join(cases, name), "utf8")).decide?.token;
      if (typeof token === "string" && token.split(".").length === 3) {
        const [h, p, s] = token.split(".");
        out.set(`${h}.${p}`, s as string);
      }
    }
  const bundles = path.join(VECTORS_DIR, "bundles");
  if (existsSync(bundles))
    for (const name of readdirSync(bundles)) {
      const jws = path.join(bundles, name, "manifest.jws");
      if (!existsSync(jws)) continue;
      const [h, , s] = readFileSync(jws, "utf8").trim().split(".");
      const manifest = readFileSync(path.join(bundles, name, "manifest.json"));
      out.set(`${h}.${base64url.encode(manifest)}`, s as string);
    }
  return out;
}

/** The committed device key, or a fresh one. */
export function loadDeviceKey(): string {
  const file = path.join(VECTORS_DIR, "device.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")).deviceKey;
  return base64url.encode(globalThis.crypto.getRandomValues(new Uint8Array(32)));
}

/** The vectors' device key as the session uses it. */
export async function vectorDeviceKey(device: VectorDevice): Promise<DeviceKey> {
  return webCryptoDeviceKey(await importDeviceKeyMaterial(base64url.decode(device.deviceKey)));
}
