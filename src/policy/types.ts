/**
 * The fully defaulted, effective policy of one tenant or application: what a preset plus a stack's overrides
 * resolve to. Every duration is in seconds, except the refresh-token lifetimes, which FusionAuth stores in whole
 * minutes. Nothing downstream of compilation checks for `undefined`.
 */

/** Signing algorithms a device can verify with a public key. HS* is refused by validation. */
export type SigningAlgorithm = "ES256" | "ES384" | "ES512" | "Ed25519" | "RS256" | "RS384" | "RS512";

export type RefreshExpirationPolicy = "Fixed" | "SlidingWindow" | "SlidingWindowWithMaximumLifetime";
export type RefreshUsagePolicy = "Reusable" | "OneTimeUse";
export type DegradedMode = "none" | "read-only" | "read-and-queue-writes";
export type SensitivityLevel = "critical" | "high" | "standard" | "field";

export interface EffectivePolicy {
  /** The preset the policy starts from. */
  preset: string;
  level: SensitivityLevel;
  accessToken: {
    ttlSeconds: number;
    algorithm: SigningAlgorithm;
  };
  refreshToken: {
    /** FusionAuth `refreshTokenTimeToLiveInMinutes`. */
    lifetimeMinutes: number;
    expirationPolicy: RefreshExpirationPolicy;
    /** FusionAuth `refreshTokenSlidingWindowConfiguration.maximumTimeToLiveInMinutes`; equals lifetime when not sliding with a maximum. */
    maximumLifetimeMinutes: number;
    usagePolicy: RefreshUsagePolicy;
    /** FusionAuth `refreshTokenOneTimeUseConfiguration.gracePeriodInSeconds`. */
    oneTimeUseGraceSeconds: number;
    revokeOn: {
      loginPrevented: boolean;
      passwordChange: boolean;
      multiFactorEnable: boolean;
      oneTimeTokenReuse: boolean;
    };
  };
  keys: {
    rotationPeriodSeconds: number;
    /** How many future generations are published ahead of the signing one. */
    publishedAhead: number;
    /** How long a retired key stays published and listed as a verification key. */
    retentionSeconds: number;
  };
  /** App-enforced rules; they go into the bundle. */
  offline: {
    graceSeconds: number;
    jwksRefreshSeconds: number;
    checkInSeconds: number;
    clockRollbackToleranceSeconds: number;
    degradedMode: DegradedMode;
  };
}

/** Figures derived from an effective policy (DESIGN.md section 4), in seconds. */
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
}
