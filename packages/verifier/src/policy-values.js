"use strict";
/**
 * The policy vocabulary a bundle's `policy.json` uses, defined here so the device package stands alone: the kit's
 * server side compiles presets into these values (src/policy/types.ts) and a unit test
 * (test/verifier/policy-values.test.ts) holds the two lists equal.
 */
Object.defineProperty(exports, "__esModule", { value: true });
exports.MAX_FUSIONAUTH_INT =
  exports.ARGON2ID_MINIMUM =
  exports.SIGNING_ALGORITHMS =
  exports.MFA_STAND_IN_VALUES =
  exports.UNLOCK_MODE_VALUES =
  exports.DEGRADED_MODE_VALUES =
    void 0;
exports.DEGRADED_MODE_VALUES = ["none", "read-only", "read-and-queue-writes"];
exports.UNLOCK_MODE_VALUES = ["none", "biometric", "pin", "either"];
exports.MFA_STAND_IN_VALUES = ["refuse", "local-unlock"];
exports.SIGNING_ALGORITHMS = ["ES256", "ES384", "ES512", "Ed25519", "RS256", "RS384", "RS512"];
/**
 * OWASP's minimum Argon2id parameters (19 MiB, 2 iterations, parallelism 1), the lowest any level allows.
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id
 * @example
 * ```ts
 * const strongEnough = params.memoryKiB >= ARGON2ID_MINIMUM.memoryKiB;
 * ```
 */
exports.ARGON2ID_MINIMUM = { memoryKiB: 19 * 1024, iterations: 2, parallelism: 1 };
/** Largest value FusionAuth accepts in its integer TTL fields (a Java `int`). */
exports.MAX_FUSIONAUTH_INT = 2_147_483_647;
