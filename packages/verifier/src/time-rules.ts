/**
 * The offline time rules, alone: what a token whose signature, issuer and audience are already checked allows
 * at a moment, from numbers only. Pure and synchronous; no `Date`, no strings, no allocation beyond the result,
 * so it never throws on out-of-range input and a fleet simulation can call it millions of times a second.
 *
 * All times are Unix seconds. The order of the rules is the order of the reason codes a port must give.
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-4.1.4 `exp`
 */
import type { Decision, ReasonCode } from "./reasons";

/** Latest time the rules accept: 9999-12-31T23:59:59Z. Beyond it `Date` cannot represent a time. */
export const MAX_TIME_SECONDS = 253_402_300_799;

/** The policy numbers the time rules read (policy.json, seconds). */
export interface TimePolicy {
  accessTokenTtlSeconds: number;
  graceSeconds: number;
  checkInSeconds: number;
  clockRollbackToleranceSeconds: number;
  /** Whether the policy has a degraded mode (`degradedMode` is not `none`). */
  degraded: boolean;
  /** Maximum age of claims trusted offline; `Infinity` for none. */
  claimsMaxAgeSeconds: number;
  /** The bundle's horizon. */
  horizon: number;
}

export interface TimeRulesInput {
  exp: number;
  iat?: number;
  nbf?: number;
  /** The device's wall clock. */
  now: number;
  /**
   * The latest time the device trusts besides its wall clock: the last server time, the persisted high-water
   * mark and the monotonic estimate (see trusted-time.ts); `-Infinity` when none.
   */
  floor: number;
  /**
   * The device's last recorded online check-in. When given, the check-in deadline is `lastCheckIn + checkIn`
   * whatever the token says; absent, the token's issue time stands in, which a forger holding a leaked
   * signing key controls.
   */
  lastCheckIn?: number;
  online: boolean;
  /** The signing key's window from policy.json `keys[]`, when the bundle gives one. */
  keyActivatesAt?: number;
  keyRetiresAt?: number;
  policy: TimePolicy;
}

export type DeadlineKind = "token-expiry" | "grace-end" | "check-in-due";

export interface TimeRulesResult {
  decision: Decision;
  code: ReasonCode;
  /** The time the verifier used: `max(now, floor, iat)`. */
  trusted: number;
  /** The time the reason refers to (expiry, grace end, check-in due, the key's window...). */
  at: number;
  /** The next moment the decision changes; absent when refused. */
  deadlineKind?: DeadlineKind;
  deadlineAt?: number;
  /** The instant the claims were issued (`iat`, or `exp - TTL` without `iat`). */
  issuedAt: number;
  claimsAgeSeconds: number;
  claimsStale: boolean;
  horizonPassed: boolean;
}

function inRange(v: number | undefined): boolean {
  return v === undefined || (v >= 0 && v <= MAX_TIME_SECONDS);
}

function result(
  decision: Decision,
  code: ReasonCode,
  at: number,
  trusted: number,
  issuedAt: number,
  policy: TimePolicy,
  deadlineKind?: DeadlineKind,
  deadlineAt?: number,
): TimeRulesResult {
  const age = trusted - issuedAt;
  return {
    decision,
    code,
    trusted,
    at,
    deadlineKind,
    deadlineAt,
    issuedAt,
    claimsAgeSeconds: age,
    claimsStale: age > policy.claimsMaxAgeSeconds,
    horizonPassed: trusted > policy.horizon,
  };
}

/**
 * Applies the time rules. Never throws; a refusal is a result.
 *
 * 1. `exp`, `iat`, `nbf` within 1970..9999 (`claims-out-of-range`), `iat`/`nbf` not after `exp` (`claims-invalid`);
 * 2. `exp - issued` at most TTL + tolerance (`token-lifetime-exceeded`);
 * 3. issued within the key's `[activatesAt - tolerance, retiresAt + tolerance]` (`key-not-yet-active`, `key-retired`);
 * 4. the wall clock not earlier than `max(floor, iat)` - tolerance (`clock-rollback`); trusted = the max of all;
 * 5. `nbf` not after trusted + tolerance (`not-yet-valid`);
 * 6. trusted before `lastCheckIn + checkIn` (`check-in-overdue`); `issued + checkIn` only without `lastCheckIn`;
 * 7. before `exp`: full `valid`; online past `exp`: `refresh-required`; offline within grace: full
 *    `offline-grace`; then `offline-degraded` or `expired`.
 */
export function applyTimeRules(input: TimeRulesInput): TimeRulesResult {
  const { exp, iat, nbf, policy } = input;
  const S = policy.clockRollbackToleranceSeconds;
  const issuedAt = iat ?? exp - policy.accessTokenTtlSeconds;
  const floor = iat === undefined || iat < input.floor ? input.floor : iat;
  const trusted = Math.max(input.now, floor);

  if (!inRange(exp) || !inRange(iat) || !inRange(nbf) || !Number.isFinite(input.now))
    return result("refused", "claims-out-of-range", exp, trusted, issuedAt, policy);
  if ((iat !== undefined && iat > exp) || (nbf !== undefined && nbf > exp))
    return result("refused", "claims-invalid", exp, trusted, issuedAt, policy);
  if (exp - issuedAt > policy.accessTokenTtlSeconds + S)
    return result("refused", "token-lifetime-exceeded", issuedAt, trusted, issuedAt, policy);
  if (input.keyActivatesAt !== undefined && issuedAt < input.keyActivatesAt - S)
    return result("refused", "key-not-yet-active", input.keyActivatesAt, trusted, issuedAt, policy);
  if (input.keyRetiresAt !== undefined && issuedAt > input.keyRetiresAt + S)
    return result("refused", "key-retired", input.keyRetiresAt, trusted, issuedAt, policy);
  if (input.now < floor - S) return result("refused", "clock-rollback", floor, trusted, issuedAt, policy);
  if (nbf !== undefined && nbf > trusted + S) return result("refused", "not-yet-valid", nbf, trusted, issuedAt, policy);
  // The deadline counts from the device's own record of its last check-in. A token's `iat` is whatever the
  // signer wrote: with a leaked key, a forger writes a fresh one, so it stands in only when the caller has no
  // record at all (the stateless `decide` without `lastCheckIn`).
  const checkInDue = (input.lastCheckIn ?? issuedAt) + policy.checkInSeconds;
  if (trusted >= checkInDue) return result("refused", "check-in-overdue", checkInDue, trusted, issuedAt, policy);

  // The next deadline: the earliest of expiry, the grace's end (offline only: an online device refreshes at
  // expiry instead) and the check-in, still ahead of trusted time; ties go to expiry, then the check-in.
  const G = policy.graceSeconds;
  const graceEnd = exp + G;
  let kind: DeadlineKind = "check-in-due";
  let next = checkInDue;
  if (exp > trusted && exp <= next) {
    kind = "token-expiry";
    next = exp;
  }
  if (!input.online && G > 0 && graceEnd > trusted && graceEnd < next) {
    kind = "grace-end";
    next = graceEnd;
  }
  if (trusted < exp) return result("full", "valid", exp, trusted, issuedAt, policy, kind, next);
  if (input.online) return result("refused", "refresh-required", exp, trusted, issuedAt, policy);
  if (trusted < graceEnd) return result("full", "offline-grace", graceEnd, trusted, issuedAt, policy, kind, next);
  if (!policy.degraded) return result("refused", "expired", graceEnd, trusted, issuedAt, policy);
  return result("degraded", "offline-degraded", checkInDue, trusted, issuedAt, policy, kind, next);
}
