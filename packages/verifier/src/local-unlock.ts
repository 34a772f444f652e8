/**
 * The reference local-unlock helper: derives a key from a PIN with Argon2id (`hash-wasm`'s WebAssembly build
 * where the engine has WebAssembly, else `@noble/hashes`' pure-JS one, or a native module the app injects as a
 * {@link PinKdf}) at the policy's parameters, never below OWASP's minimum
 * (m = 19 MiB, t = 2, p = 1). The derived key is the app's to use (wrap the refresh token with it); the device
 * state keeps only the salt, the parameters and a SHA-256 check of the key. Attempts and the wipe live in the
 * session, which persists the failure count before answering.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id
 * @see https://www.rfc-editor.org/rfc/rfc9106 Argon2
 */
import { argon2idAsync } from "@noble/hashes/argon2";
import { argon2id } from "hash-wasm";
import { sha256 } from "./crypto/backend";
import { fromBase64url, toBase64url, utf8 } from "./crypto/bytes";
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

async function checkOf(key: Uint8Array): Promise<string> {
  return toBase64url(await sha256(new Uint8Array(key)));
}

function sameText(a: string, b: string): boolean {
  // Compare without an early exit, so the time does not tell how much of the check matched.
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**

 * Enrolls a PIN at the policy's parameters.

 * @example
 * ```ts
 * const { record, key } = await enrollPin(pin, policy.localUnlock.argon2id);
 * // keep `record` in the state; wrap the refresh token with `key`
 * ```
 */
export async function enrollPin(
  pin: string,
  params: Argon2Params,
  kdf: PinKdf = argon2idKdf,
): Promise<{ record: PinRecord; key: Uint8Array }> {
  if (!meetsParams(params, ARGON2ID_MINIMUM)) throw new RangeError("Argon2id parameters below OWASP's minimum");
  const salt = globalThis.crypto.getRandomValues(new Uint8Array(16));
  const key = await kdf(pin, salt, params);
  return { record: { salt: toBase64url(salt), ...params, check: await checkOf(key) }, key };
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
  kdf: PinKdf = argon2idKdf,
): Promise<
  { ok: false; reason: "wrong-pin" | "record-too-weak" } | { ok: true; key: Uint8Array; upgraded?: PinRecord }
> {
  if (!meetsParams(record, ARGON2ID_MINIMUM)) return { ok: false, reason: "record-too-weak" };
  const params = { memoryKiB: record.memoryKiB, iterations: record.iterations, parallelism: record.parallelism };
  const key = await kdf(pin, fromBase64url(record.salt), params);
  if (!sameText(await checkOf(key), record.check)) return { ok: false, reason: "wrong-pin" };
  if (meetsParams(params, policyParams)) return { ok: true, key };
  const fresh = await enrollPin(pin, policyParams, kdf);
  return { ok: true, key: fresh.key, upgraded: fresh.record };
}
