/**
 * The session's state in storage an app already has: any `{ getItem, setItem }` of strings, synchronous (MMKV,
 * `localStorage`) or asynchronous (expo-secure-store, react-native-keychain, IndexedDB wrappers). Examples and
 * which stores keep the state out of backups: docs/react-native.md section 4.
 */
/** A string key-value store; either method may return a promise. */
export interface StringStore {
  getItem(key: string): string | null | undefined | Promise<string | null | undefined>;
  setItem(key: string, value: string): void | Promise<void>;
}

/** What {@link sessionStorage} gives `createOfflineSession`: the stored state to start from and `persist`. */
export interface SessionStorage {
  /** The stored state's text, or `undefined` on the first start (pass it as `state`). */
  load(): Promise<string | undefined>;
  /** Writes the sealed state the session hands over (pass it as `persist`). */
  persist(sealed: string): Promise<void>;
}

/**
 * Adapts a string store to the session's `state` and `persist`. A store that fails to read answers
 * `undefined` (a lost state: the session needs an online sign-in before it grants anything offline); a failed
 * write rejects, and the session reports it as `stateSaved: false` (a PIN attempt is refused).
 * @param key the store's key for the state; one per application bundle the app holds
 * @example
 * ```ts
 * import * as SecureStore from "expo-secure-store";
 * import { createOfflineSession, sessionStorage } from "@fusionauth-offline-kit/verifier";
 *
 * const storage = sessionStorage({
 *   getItem: (k) => SecureStore.getItemAsync(k),
 *   setItem: (k, v) => SecureStore.setItemAsync(k, v, { keychainAccessible: SecureStore.WHEN_UNLOCKED_THIS_DEVICE_ONLY }),
 * });
 * const session = await createOfflineSession({
 *   bundle, pinnedKeys, deviceKey, state: await storage.load(), persist: storage.persist,
 * });
 * ```
 */
export function sessionStorage(store: StringStore, key = "fakit-offline-session"): SessionStorage {
  return {
    async load() {
      try {
        const text = await store.getItem(key);
        return typeof text === "string" ? text : undefined;
      } catch {
        return undefined;
      }
    },
    async persist(sealed) {
      await store.setItem(key, sealed);
    },
  };
}
