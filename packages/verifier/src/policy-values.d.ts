/**
 * The policy vocabulary a bundle's `policy.json` uses, defined here so the device package stands alone: the kit's
 * server side compiles presets into these values (src/policy/types.ts) and a unit test
 * (test/verifier/policy-values.test.ts) holds the two lists equal.
 */
/** What an app may still do once the check-in deadline has passed. */
export type DegradedMode = "none" | "read-only" | "read-and-queue-writes";
/** How a user unlocks the cached session offline: not at all, biometric, PIN, or either. */
export type UnlockMode = "none" | "biometric" | "pin" | "either";
/** Whether a local unlock stands in for MFA offline. */
export type MfaStandIn = "refuse" | "local-unlock";
/** Algorithms a device verifies with a public key (never the shared-secret HS*). */
export type SigningAlgorithm = "ES256" | "ES384" | "ES512" | "Ed25519" | "RS256" | "RS384" | "RS512";
export declare const DEGRADED_MODE_VALUES: readonly DegradedMode[];
export declare const UNLOCK_MODE_VALUES: readonly UnlockMode[];
export declare const MFA_STAND_IN_VALUES: readonly MfaStandIn[];
export declare const SIGNING_ALGORITHMS: readonly SigningAlgorithm[];
/** Unlocking the cached session offline, as `policy.json` carries it. */
export interface LocalUnlockSettings {
  readonly mode: UnlockMode;
  /** Failed unlocks in a row before the cached session is wiped. */
  readonly maxAttempts: number;
  /** For anything derived from a PIN (RFC 9106 parameters; memory in KiB); at least {@link ARGON2ID_MINIMUM}. */
  readonly argon2id: {
    readonly memoryKiB: number;
    readonly iterations: number;
    readonly parallelism: number;
  };
}
/**
 * OWASP's minimum Argon2id parameters (19 MiB, 2 iterations, parallelism 1), the lowest any level allows.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id
 * @example
 * ```ts
 * const strongEnough = params.memoryKiB >= ARGON2ID_MINIMUM.memoryKiB;
 * ```
 */
export declare const ARGON2ID_MINIMUM: {
  readonly memoryKiB: number;
  readonly iterations: 2;
  readonly parallelism: 1;
};
/** Largest value FusionAuth accepts in its integer TTL fields (a Java `int`). */
export declare const MAX_FUSIONAUTH_INT = 2147483647;
