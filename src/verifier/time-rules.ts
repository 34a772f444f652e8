/**
 * The time rules of the offline decision, on numbers: clock rollback, `nbf`, the check-in deadline, expiry,
 * the offline grace and degraded mode. Pure and synchronous, so that a fleet simulation can apply the very rules
 * {@link decide} applies to millions of openings without signing or verifying a token each time; `decide()`
 * calls this function after the token's signature and claims have been checked.
 *
 * All times are seconds since the Unix epoch.
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-4.1.4 `exp`
 */
import type { DegradedMode } from "../policy/types";
import type { Decision, ReasonCode } from "./reasons";

/** The policy values the time rules read, as `policy.json` carries them. */
export interface TimeRulesPolicy {
  accessTokenTtlSeconds: number;
  graceSeconds: number;
  checkInSeconds: number;
  clockRollbackToleranceSeconds: number;
  degradedMode: DegradedMode;
}

/** The token's time claims, already checked to be finite numbers with `iat`, `nbf` <= `exp`. */
export interface TokenTimes {
  exp: number;
  iat?: number;
  nbf?: number;
}

/** What the device knows about time, in seconds. */
export interface DeviceTimes {
  now: number;
  lastServerTime?: number;
  lastCheckIn?: number;
  online: boolean;
}

export type TimeRulesCode = Extract<
  ReasonCode,
  | "valid"
  | "offline-grace"
  | "offline-degraded"
  | "clock-rollback"
  | "not-yet-valid"
  | "check-in-overdue"
  | "refresh-required"
  | "expired"
>;

/** The verdict, with the instants it was reached from (for messages and deadlines). */
export interface TimeRulesResult {
  decision: Decision;
  code: TimeRulesCode;
  /** max(now, lastServerTime, iat): the time the rules trust. */
  trusted: number;
  /** max(lastServerTime, iat). */
  serverFloor: number;
  /** max(lastCheckIn, iat or exp - TTL) + check-in. */
  checkInDue: number;
  /** exp + grace. */
  graceEnd: number;
}

/**
 * Applies the time rules of the offline decision.
 *
 * Time: the rules trust `max(now, lastServerTime, iat)`; a wall clock earlier than `max(lastServerTime, iat)`
 * minus the rollback tolerance is refused (`clock-rollback`). The check-in deadline is
 * `max(lastCheckIn, iat) + checkIn` (a refresh is a check-in); a token without `iat` is anchored at `exp - TTL`.
 */
export function applyTimeRules(policy: TimeRulesPolicy, token: TokenTimes, device: DeviceTimes): TimeRulesResult {
  const S = policy.clockRollbackToleranceSeconds;
  const { exp, iat, nbf } = token;
  const now = device.now;
  const serverFloor = Math.max(device.lastServerTime ?? Number.NEGATIVE_INFINITY, iat ?? Number.NEGATIVE_INFINITY);
  const trusted = Math.max(now, serverFloor);
  // A token without `iat` is anchored at `exp - TTL`, the time FusionAuth would have issued it.
  const issued = iat ?? exp - policy.accessTokenTtlSeconds;
  const checkInDue = Math.max(device.lastCheckIn ?? Number.NEGATIVE_INFINITY, issued) + policy.checkInSeconds;
  const graceEnd = exp + policy.graceSeconds;
  // One plain return, no inner closure: this runs for every simulated opening, millions of times a second.
  let decision: Decision = "refused";
  let code: TimeRulesCode;
  if (now < serverFloor - S) code = "clock-rollback";
  else if (nbf !== undefined && nbf > trusted + S) code = "not-yet-valid";
  else if (trusted >= checkInDue) code = "check-in-overdue";
  else if (trusted < exp) {
    decision = "full";
    code = "valid";
  } else if (device.online) code = "refresh-required";
  else if (trusted < graceEnd) {
    decision = "full";
    code = "offline-grace";
  } else if (policy.degradedMode === "none") code = "expired";
  else {
    decision = "degraded";
    code = "offline-degraded";
  }
  return { decision, code, trusted, serverFloor, checkInDue, graceEnd };
}
