/**
 * What an app gives the offline session and what it answers (session.ts): the options, the inputs of a decision,
 * an unlock and a received token, and the results.
 */
import type { ClaimCheck, OfflineDecision } from "./decide";
import type { CounterStore, DeviceKey } from "./device-key";
import type { JWK } from "./jwk";
import type { PinKdf } from "./local-unlock";
import type { ReasonCode } from "./reasons";
import type { SignedBundleFilesInput } from "./signed-bundle";
import type { MonotonicReading } from "./trusted-time";

export interface OfflineSessionOptions {
  /** The bundle files: the one shipped in the build, or a newer one the app downloaded and stored. */
  bundle: Partial<SignedBundleFilesInput>;
  /** The pipeline's bundle-signing public key(s) (EC P-256 JWK), pinned in the app build. */
  pinnedKeys: readonly JWK[];
  /** The sealed state `persist` last saved (or its JSON text); `undefined` when none is stored. */
  state?: unknown;
  /**
   * Saves the sealed state (a string under 2,048 bytes), sync or async. Awaited before each answer that changed
   * it; a throw is a failed save (`stateSaved: false`, and a PIN attempt is refused).
   */
  persist: (sealed: string) => void | Promise<void>;
  /**
   * The platform-kept key the state is sealed with and the PIN check is bound to (Android Keystore, iOS
   * Keychain/Secure Enclave, a non-extractable WebCrypto key: {@link webCryptoDeviceKey}).
   */
  deviceKey: DeviceKey;
  /**
   * The store outside backups that holds the state's counter, so a state restored from an older copy is
   * detected. Without it, a restore of this app's data to the same device goes unnoticed.
   */
  counter?: CounterStore;
  /**
   * The tenant and application this app is (the manifest's `tenant` and `application`). Given, any bundle or
   * stored state for another is refused from the first start; absent, the session binds to the application of
   * the first bundle it opens with a fresh state.
   */
  application?: { tenant: string; id: string };
  /** How long a local unlock stands in for MFA (and satisfies `requireLocalUnlock`), in seconds; 300 by default. */
  unlockValiditySeconds?: number;
  /** The PIN key derivation; Argon2id by default. */
  kdf?: PinKdf;
}

export interface SessionDecideInput {
  token: string;
  /** The device's wall clock. */
  now: Date;
  online: boolean;
  /** The monotonic clock and boot id; without it, a clock held still within a boot goes unnoticed. */
  monotonic?: MonotonicReading;
  /** The action needs MFA: offline, the policy's `mfaStandIn` decides what stands in for it. */
  requireMfa?: boolean;
  /** The action needs claims younger than the policy's `claimsMaxAgeSeconds` (`claims-stale` otherwise). */
  requireFreshClaims?: boolean;
  /** The action needs a local unlock (PIN or biometric) within `unlockValiditySeconds`, online or offline. */
  requireLocalUnlock?: boolean;
  /** Your own claim rules, run after the built-in checks (see {@link ClaimCheck}). */
  checkClaims?: ClaimCheck;
}

/** When an unlock happened: the device's wall clock and monotonic reading (the session's trusted time applies). */
export interface UnlockTime {
  now: Date;
  monotonic?: MonotonicReading;
}

/** A token the app just received from the issuer online: at sign-in, or from a refresh. */
export interface ReceivedToken {
  token: string;
  /** The device's wall clock. */
  now: Date;
  /**
   * The server's time of the token response (its HTTP `Date`). Absent, the verified token's `iat` is used:
   * the token came from the issuer over TLS just now, so its `iat` is the server's time.
   */
  serverTime?: Date;
  monotonic?: MonotonicReading;
}

export interface SessionDecision extends OfflineDecision {
  /** When the JWKS should next be fetched (the policy's `jwksRefreshSeconds` after the last fetch or the build). */
  jwksFetchDue?: Date;
  /** False when `persist` failed: the decision stands, the state change was not saved. */
  stateSaved: boolean;
}

export type UnlockResult =
  | { ok: true; key?: Uint8Array }
  | {
      ok: false;
      code:
        | "not-allowed"
        | "no-pin"
        | "wrong-pin"
        | "session-wiped"
        | "record-too-weak"
        | "sign-in-required"
        | "current-pin-required"
        | "state-not-saved";
      attemptsLeft: number;
    };

export type InstallResult =
  | { ok: true }
  | { ok: false; code: ReasonCode | "jwks-invalid" | "jwks-older"; message: string };

/**
 * How long a local unlock counts, unless the app says otherwise: Android's usual auth-validity window.
 * @example
 * ```ts
 * // a stricter stand-in than the default: one minute
 * createOfflineSession({ ...options, unlockValiditySeconds: Math.min(60, DEFAULT_UNLOCK_VALIDITY_SECONDS) });
 * ```
 */
export const DEFAULT_UNLOCK_VALIDITY_SECONDS = 300;

/** Seconds since the epoch of a Date. */
export const seconds = (d: Date) => d.getTime() / 1000;
/** Whether `d` is a Date that holds a time. */
export const validDate = (d: unknown): d is Date => d instanceof Date && !Number.isNaN(d.getTime());
