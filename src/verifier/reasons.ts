/**
 * Stable reason codes of an offline decision. Apps switch on `code`; `message` is for logs and support.
 */

export type Decision = "full" | "degraded" | "refused";

export type ReasonCode =
  /** full: the token is within its `exp`. */
  | "valid"
  /** full: offline, past `exp`, within the policy's grace. */
  | "offline-grace"
  /** degraded: offline, past the grace, before the check-in deadline. */
  | "offline-degraded"
  /** refused: not a compact JWS of base64url JSON parts. */
  | "malformed"
  /** refused: the header has `crit`; no extension is understood (RFC 7515 section 4.1.11). */
  | "crit-unsupported"
  /** refused: `alg` is not in the bundle's allow-list (`none`, HS*, anything else). */
  | "alg-not-allowed"
  /** refused: the header has no `kid`. */
  | "kid-missing"
  /** refused: no key with this `kid` in the bundle (another tenant's key, or a bundle older than the key). */
  | "kid-unknown"
  /** refused: `alg` does not match the key the `kid` names. */
  | "alg-key-mismatch"
  | "signature-invalid"
  | "issuer-mismatch"
  | "audience-mismatch"
  | "exp-missing"
  /** refused: `iat`/`nbf` not numbers, or after `exp`. */
  | "claims-invalid"
  /** refused: the device clock is earlier than the last known server time (or the token's `iat`) minus the tolerance. */
  | "clock-rollback"
  /** refused: `nbf` is later than now plus the tolerance. */
  | "not-yet-valid"
  /** refused: the mandatory online check-in is overdue. */
  | "check-in-overdue"
  /** refused: the device is online and the token is past `exp`: refresh it (grace applies offline only). */
  | "refresh-required"
  /** refused: offline, past `exp` and grace, and the policy has no degraded mode. */
  | "expired";

export interface DecisionReason {
  code: ReasonCode;
  message: string;
}
