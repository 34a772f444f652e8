/**
 * The reference local-unlock helper: derives a key from a PIN with Argon2id (`hash-wasm`'s WebAssembly build
 * where the engine has WebAssembly, else `@noble/hashes`' pure-JS one, or a native module the app injects as a
 * {@link PinKdf}) at the policy's parameters, never below OWASP's minimum (m = 19 MiB, t = 2, p = 1). The
 * Argon2id output never leaves this module as is: the check the state keeps and the key the app uses (to wrap
 * the refresh token) are both MACs of it under the platform-kept device key (device-key.ts). So neither a copy
 * of the state nor a wrapped token lets anyone test PIN guesses away from this device: every guess goes through
 * the session, which counts and persists it first and wipes at the policy's `maxAttempts`.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id
 * @see https://www.rfc-editor.org/rfc/rfc9106 Argon2
 */
import { argon2idAsync } from "@noble/hashes/argon2";
import { argon2id } from "hash-wasm";
import { fromBase64url, toBase64url, utf8 } from "./crypto/bytes";
import { type DeviceKey, sameBytes } from "./device-key";
import type { LocalUnlockPolicy } from "./format";
import { ARGON2ID_MINIMUM } from "./offline-policy";
import type { PinRecord } from "./session-state";

export type Argon2Params = LocalUnlockPolicy["argon2id"];

/** Derives 32 bytes from a PIN; injectable so tests of the attempt logic need not pay for Argon2id. */
export type PinKdf = (pin: string, salt: Uint8Array, params: Argon2Params) => Promise<Uint8Array>;

/** Argon2id through `hash-wasm` (WebAssembly). */
export const wasmArgon2idKdf: PinKdf = (pin, salt, params) =>
  argon2id({
    password: pin,
    salt,
    memorySize: params.memoryKiB,
    iterations: params.iterations,
    parallelism: params.parallelism,
    hashLength: 32,
    outputType: "binary",
  });

/**
 * Argon2id in pure JS (`@noble/hashes`), for engines without WebAssembly (Hermes). Several times slower than
 * the WebAssembly build: see docs/react-native.md for the cost, and for injecting a native module instead.
 */
export const pureJsArgon2idKdf: PinKdf = (pin, salt, params) =>
  argon2idAsync(utf8(pin), salt, { m: params.memoryKiB, t: params.iterations, p: params.parallelism, dkLen: 32 });

/**

 * Argon2id: the WebAssembly build where the engine has `WebAssembly`, else the pure-JS one.

 * @example
 * ```ts
 * const key = await argon2idKdf("2468", salt, { memoryKiB: 19456, iterations: 2, parallelism: 1 });
 * ```
 */
export const argon2idKdf: PinKdf = (pin, salt, params) =>
  (typeof (globalThis as { WebAssembly?: unknown }).WebAssembly === "object" ? wasmArgon2idKdf : pureJsArgon2idKdf)(
    pin,
    salt,
    params,
  );

/** Whether `p` is at least `floor` in every parameter. */
export function meetsParams(p: Argon2Params, floor: Argon2Params): boolean {
  return p.memoryKiB >= floor.memoryKiB && p.iterations >= floor.iterations && p.parallelism >= floor.parallelism;
}

/** MAC under the device key of a domain label and the Argon2id output. */
async function bound(label: string, derived: Uint8Array, key: DeviceKey): Promise<Uint8Array> {
  const prefix = utf8(label);
  const data = new Uint8Array(prefix.length + derived.length);
  data.set(prefix);
  data.set(derived, prefix.length);
  return new Uint8Array(await key.mac(data));
}

/** The check the state keeps, and the key the app gets, from one Argon2id output. */
async function boundPair(derived: Uint8Array, key: DeviceKey): Promise<{ check: string; key: Uint8Array }> {
  const check = toBase64url(await bound("fakit-pin-check-1|", derived, key));
  return { check, key: (await bound("fakit-pin-key-1|", derived, key)).slice(0, 32) };
}

/**
 * Enrolls a PIN at the policy's parameters, bound to the device key.
 * @example
 * ```ts
 * const { record, key } = await enrollPin("4711", policy.localUnlock.argon2id, deviceKey);
 * // keep `record` in the state; wrap the refresh token with `key`
 * ```
 */
export async function enrollPin(
  pin: string,
  params: Argon2Params,
  deviceKey: DeviceKey,
  kdf: PinKdf = argon2idKdf,
): Promise<{ record: PinRecord; key: Uint8Array }> {
  if (!meetsParams(params, ARGON2ID_MINIMUM)) throw new RangeError("Argon2id parameters below OWASP's minimum");
  const salt = globalThis.crypto.getRandomValues(new Uint8Array(16));
  const pair = await boundPair(await kdf(pin, salt, params), deviceKey);
  return { record: { salt: toBase64url(salt), ...params, check: pair.check }, key: pair.key };
}

/**
 * Checks a PIN against its record. A record below the policy's parameters (the policy was raised since) is
 * re-derived at the policy's parameters on success (`upgraded`); one below OWASP's minimum is never used.
 * @example
 * ```ts
 * const r = await checkPin(pin, state.pin, policy.localUnlock.argon2id);
 * if (r.ok) unwrapRefreshToken(r.key);
 * ```
 */
export async function checkPin(
  pin: string,
  record: PinRecord,
  policyParams: Argon2Params,
  deviceKey: DeviceKey,
  kdf: PinKdf = argon2idKdf,
): Promise<
  { ok: false; reason: "wrong-pin" | "record-too-weak" } | { ok: true; key: Uint8Array; upgraded?: PinRecord }
> {
  if (!meetsParams(record, ARGON2ID_MINIMUM)) return { ok: false, reason: "record-too-weak" };
  const params = { memoryKiB: record.memoryKiB, iterations: record.iterations, parallelism: record.parallelism };
  const pair = await boundPair(await kdf(pin, fromBase64url(record.salt), params), deviceKey);
  if (!sameBytes(utf8(pair.check), utf8(record.check))) return { ok: false, reason: "wrong-pin" };
  if (meetsParams(params, policyParams)) return { ok: true, key: pair.key };
  const fresh = await enrollPin(pin, policyParams, deviceKey, kdf);
  return { ok: true, key: fresh.key, upgraded: fresh.record };
}
