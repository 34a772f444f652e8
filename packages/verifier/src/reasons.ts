/**
 * Stable reason codes of an offline decision. Apps switch on `code`; `message` is for logs and support.
 */

export type Decision = "full" | "degraded" | "refused";

/**

 * Every reason code a decision can carry; see {@link ReasonCode}.

 * @example
 * ```ts
 * const known = (code: string): code is ReasonCode => (REASON_CODES as readonly string[]).includes(code);
 * ```
 */
export const REASON_CODES = [
  /** full: the token is within its `exp`. */
  "valid",
  /** full: offline, past `exp`, within the policy's grace. */
  "offline-grace",
  /** degraded: offline, past the grace, before the check-in deadline. */
  "offline-degraded",
  /** refused: not a compact JWS of base64url JSON parts. */
  "malformed",
  /** refused: the header has `crit`; no extension is understood (RFC 7515 section 4.1.11). */
  "crit-unsupported",
  /** refused: `alg` is not in the bundle's allow-list (`none`, HS*, anything else). */
  "alg-not-allowed",
  /** refused: the header has no `kid`. */
  "kid-missing",
  /** refused: no key with this `kid` in the bundle (another tenant's key, or a bundle older than the key). */
  "kid-unknown",
  /** refused: `alg` does not match the key the `kid` names. */
  "alg-key-mismatch",
  "signature-invalid",
  "issuer-mismatch",
  "audience-mismatch",
  "exp-missing",
  /** refused: `iat`/`nbf` not numbers, or after `exp`. */
  "claims-invalid",
  /** refused: the device clock is earlier than the last known server time (or the token's `iat`) minus the tolerance. */
  "clock-rollback",
  /** refused: `nbf` is later than now plus the tolerance. */
  "not-yet-valid",
  /** refused: the mandatory online check-in is overdue. */
  "check-in-overdue",
  /** refused: the device is online and the token is past `exp`: refresh it (grace applies offline only). */
  "refresh-required",
  /** refused: offline, past `exp` and grace, and the policy has no degraded mode. */
  "expired",
  /** refused: `exp`, `iat` or `nbf` is outside the years 1970..9999 (`exp: 1e308`, a negative time). */
  "claims-out-of-range",
  /** refused: `exp - iat` is longer than the policy's access-token TTL plus the rollback tolerance. */
  "token-lifetime-exceeded",
  /** refused: the token was issued before its key's `activatesAt` minus the tolerance (policy.json `keys[]`). */
  "key-not-yet-active",
  /** refused: the token was issued after its key's `retiresAt` plus the tolerance. */
  "key-retired",
  /** refused: the token's `kid` is in the policy's `revokedKeys`. */
  "kid-revoked",
  /** refused (session): the bundle has no `manifest.jws`, or is format 1. */
  "bundle-unsigned",
  /** refused (session): `manifest.jws` does not verify over `manifest.json` with the pinned key it names. */
  "bundle-signature-invalid",
  /** refused (session): `manifest.jws` names a key the app does not pin (a foreign signer). */
  "bundle-key-unknown",
  /**
   * refused (session): the bundle was built before the one the device holds. The code's "generation" is
   * historical: the manifest's build time, not a signing key's generation.
   */
  "bundle-generation-rollback",
  /** refused (session): the signed bundle is unusable (bad JSON, digests, fields, numbers out of range). */
  "bundle-invalid",
  /** refused (session): the bundle is for another tenant or application than the one the session is bound to. */
  "bundle-application-mismatch",
  /**
   * refused (session): the stored device state is lost: not a sealed state, its seal does not verify (edited,
   * another device's, another application's), an older copy than the counter store's, or deleted. Sign in online.
   */
  "state-invalid",
  /**
   * refused (session): no online sign-in yet in this device state (first start, or after a lost state), or,
   * offline, a token issued before that sign-in.
   */
  "sign-in-required",
  /** refused (session): the action asked for fresh claims (`requireFreshClaims`) and they are stale. */
  "claims-stale",
  /** refused (session): too many failed local unlocks; the session was wiped. */
  "session-wiped",
  /**
   * refused (session): the device started more boots offline since the last server time than the policy's
   * `clockTrust.offlineBoots`; each hides the time from the last reading to the reboot. A server time ends it.
   */
  "clock-unverified",
  /** refused (session): the action needs MFA and the policy's `mfaStandIn` is `refuse` (or the device is online). */
  "mfa-required",
  /**
   * refused (session): the action needs MFA (or `requireLocalUnlock`) and no local unlock happened in this
   * process within the session's `unlockValiditySeconds`.
   */
  "local-unlock-required",
] as const;

export type ReasonCode = (typeof REASON_CODES)[number];

export interface DecisionReason {
  code: ReasonCode;
  message: string;
}
