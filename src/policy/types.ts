/**
 * The fully defaulted, effective policy of one tenant or application: what a preset plus a stack's overrides
 * resolve to. Every duration is in seconds, except the refresh-token lifetimes, which FusionAuth stores in whole
 * minutes. Nothing downstream of compilation checks for `undefined`.
 */

import { ARGON2ID_MINIMUM as VERIFIER_ARGON2ID_MINIMUM } from "../../packages/verifier/src/policy-values";
import {
  ALGORITHM_VALUES,
  type Algorithm,
  type DegradedMode,
  type Level,
  type MfaStandIn,
  type RefreshExpiration,
  type RefreshUsage,
  type UnlockMode,
} from "./preset.generated";

export {
  DEGRADED_MODE_VALUES,
  MFA_STAND_IN_VALUES,
  UNLOCK_MODE_VALUES,
} from "./preset.generated";
export type { DegradedMode, MfaStandIn, UnlockMode };

/** Signing algorithms a device can verify with a public key: the schema's algorithms but the shared-secret HS*. */
export type SigningAlgorithm = Exclude<Algorithm, `HS${string}`>;

/** True for an algorithm a device can verify with a public key (not a shared-secret HS* one). */
export function isSigningAlgorithm(alg: string): alg is SigningAlgorithm {
  return (ALGORITHM_VALUES as readonly string[]).includes(alg) && !alg.startsWith("HS");
}

/** Every {@link SigningAlgorithm}, in the schema's order: the one list the bundle and the verifier accept. */
export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = ALGORITHM_VALUES.filter(isSigningAlgorithm);

export type RefreshExpirationPolicy = RefreshExpiration;
export type RefreshUsagePolicy = RefreshUsage;
export type SensitivityLevel = Level;

/** Read-only once compiled: `resolvePolicy` freezes it, and the types say so. */
export interface EffectivePolicy {
  /** The preset the policy starts from. */
  readonly preset: string;
  readonly level: SensitivityLevel;
  readonly accessToken: {
    readonly ttlSeconds: number;
    readonly algorithm: SigningAlgorithm;
  };
  readonly refreshToken: {
    /** FusionAuth `refreshTokenTimeToLiveInMinutes`. */
    readonly lifetimeMinutes: number;
    readonly expirationPolicy: RefreshExpirationPolicy;
    /** FusionAuth `refreshTokenSlidingWindowConfiguration.maximumTimeToLiveInMinutes`; equals lifetime when not sliding with a maximum. */
    readonly maximumLifetimeMinutes: number;
    readonly usagePolicy: RefreshUsagePolicy;
    /** FusionAuth `refreshTokenOneTimeUseConfiguration.gracePeriodInSeconds`. */
    readonly oneTimeUseGraceSeconds: number;
    readonly revokeOn: {
      readonly loginPrevented: boolean;
      readonly passwordChange: boolean;
      readonly multiFactorEnable: boolean;
      readonly oneTimeTokenReuse: boolean;
    };
  };
  readonly keys: {
    readonly rotationPeriodSeconds: number;
    /** How many future generations are published ahead of the signing one. */
    readonly publishedAhead: number;
    /** How long a retired key stays published and listed as a verification key. */
    readonly retentionSeconds: number;
  };
  /** App-enforced rules; they go into the bundle. */
  readonly offline: {
    readonly graceSeconds: number;
    readonly jwksRefreshSeconds: number;
    readonly checkInSeconds: number;
    readonly clockRollbackToleranceSeconds: number;
    readonly degradedMode: DegradedMode;
    /** How old a cached token's claims may be before the decision flags them stale. */
    readonly claimsMaxAgeSeconds: number;
    /** Unlocking the cached session offline. */
    readonly localUnlock: {
      readonly mode: UnlockMode;
      /** Failed unlocks in a row before the cached session is wiped. */
      readonly maxAttempts: number;
      /** For anything derived from a PIN (RFC 9106 parameters; memory in KiB); at least OWASP's minimum (see {@link ARGON2ID_MINIMUM}). */
      readonly argon2id: { readonly memoryKiB: number; readonly iterations: number; readonly parallelism: number };
    };
    readonly mfaStandIn: MfaStandIn;
    /** Time across reboots: see docs/offline-verifier.md ("Time across reboots"). */
    readonly clockTrust: {
      /** Boots a device may start offline between server times; each hides the time from its last reading to the reboot. */
      readonly offlineBoots: number;
      /** Whether a platform time (GNSS, network time) through `recordTrustedTime` resets the count, as a server time does. */
      readonly platformTime: boolean;
    };
  };
}

/**
 * OWASP's minimum Argon2id parameters (19 MiB, 2 iterations, parallelism 1), the lowest any level allows.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id
 */
export const ARGON2ID_MINIMUM = VERIFIER_ARGON2ID_MINIMUM;

/** Figures derived from an effective policy (docs/design.md section 4), in seconds. */
export interface PolicyFigures {
  /** A + G: how long a revoked user can keep acting offline. */
  revocationLagSeconds: number;
  /** A + G: how long a device can work offline with full rights after its last refresh. */
  fullOfflineRunwaySeconds: number;
  /** C: until when degraded mode may be used after the last check-in. */
  degradedRunwaySeconds: number;
  /**
   * Longest session without re-authentication (the refresh token's maximum lifetime); `null` when unbounded
   * (a `SlidingWindow` refresh token without a maximum lifetime).
   */
  longestSessionSeconds: number | null;
  /** P * K: how long a key is published before it signs. */
  keyPublicationLeadSeconds: number;
  /** How long a retired key stays published. */
  retiredKeyRetentionSeconds: number;
  /**
   * The most a user gains by rebooting with the clock held, beyond the revocation lag: 0 when no boot may start
   * offline; `null` (unbounded) otherwise, since each offline boot hides the time from the last reading to the
   * reboot, which no clock on the device measures.
   */
  heldClockRebootGainSeconds: number | null;
}
