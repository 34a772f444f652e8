/**
 * The device key: a keyed MAC under a key the platform keeps and never hands out (Android Keystore HMAC key,
 * an iOS Keychain key with `ThisDeviceOnly` access or a Secure Enclave key agreement, a non-extractable WebCrypto
 * key on the web). The session seals its stored state with it and binds the PIN check to it, so neither an
 * edited state nor a copied one can be used, and a PIN cannot be guessed from the state alone.
 *
 * The seam is one function, `mac(data)`, deterministic and sync or async, so a native module, a WebCrypto key or
 * a pure-JS HMAC all fit. {@link webCryptoDeviceKey} is the WebCrypto implementation (browsers, Node 20+).
 * @see https://developer.android.com/privacy-and-security/keystore
 * @see https://www.w3.org/TR/WebCryptoAPI/#hmac
 */

/** A keyed MAC (HMAC-SHA-256 or equivalent) under a key the platform keeps. Same input, same output. */
export interface DeviceKey {
  /** The MAC of `data` (at least 16 bytes of output; HMAC-SHA-256 gives 32). */
  mac(data: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

/**
 * A second store, outside backups, that holds the counter of the last state written (Android: a file under
 * `noBackupFilesDir` or a `SharedPreferences` excluded from backup; iOS: a Keychain item with
 * `kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly`). A state restored from a backup carries an older counter
 * and is detected. Sync or async.
 */
export interface CounterStore {
  /** The counter last written, `undefined` when none was. */
  read(): number | undefined | Promise<number | undefined>;
  write(counter: number): void | Promise<void>;
}

/** A WebCrypto key, typed without importing `node:crypto`. */
type CryptoKeyLike = Awaited<ReturnType<typeof globalThis.crypto.subtle.generateKey>> & { type?: string };

const HMAC = { name: "HMAC", hash: "SHA-256" } as const;

/**
 * The device key over a WebCrypto HMAC-SHA-256 key. Use a non-extractable key: on the web, keep the `CryptoKey`
 * object itself in IndexedDB (structured clone keeps it non-extractable); the page can use it, nothing can read
 * it out.
 * @example
 * const key = await generateDeviceKeyMaterial(); // store `key` in IndexedDB, once
 * const session = await createOfflineSession({ ..., deviceKey: webCryptoDeviceKey(key) });
 */
export function webCryptoDeviceKey(key: CryptoKeyLike): DeviceKey {
  return {
    mac: async (data) =>
      new Uint8Array(await globalThis.crypto.subtle.sign("HMAC", key as never, data as Uint8Array<ArrayBuffer>)),
  };
}

/**
 * A fresh non-extractable HMAC-SHA-256 key for {@link webCryptoDeviceKey}.
 * @example
 * const material = await generateDeviceKeyMaterial();
 * await idbPut("fakit-device-key", material); // IndexedDB keeps the CryptoKey itself, still non-extractable
 */
export async function generateDeviceKeyMaterial(): Promise<CryptoKeyLike> {
  return (await globalThis.crypto.subtle.generateKey({ ...HMAC, length: 256 }, false, ["sign"])) as CryptoKeyLike;
}

/**
 * A non-extractable HMAC-SHA-256 key from raw bytes (at least 32), for tests, development and `fakit verify`:
 * raw bytes a program can read are not a platform-kept key, so an app never ships this path.
 * @example
 * const deviceKey = webCryptoDeviceKey(await importDeviceKeyMaterial(new Uint8Array(32).fill(1)));
 */
export async function importDeviceKeyMaterial(raw: Uint8Array): Promise<CryptoKeyLike> {
  if (raw.length < 32) throw new RangeError("a device key needs at least 32 bytes");
  return (await globalThis.crypto.subtle.importKey("raw", raw as Uint8Array<ArrayBuffer>, HMAC, false, [
    "sign",
  ])) as CryptoKeyLike;
}

/** Equal bytes, compared without an early exit. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
