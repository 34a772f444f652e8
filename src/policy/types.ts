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
  };
}

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
}
