/**
 * The offline decision (docs/design.md section 9): what a token lets the user do right now, given a bundle and what
 * the device knows about time and connectivity. The token steps (token-steps.ts) check structure, header, key,
 * signature, issuer, audience and claim shapes; the time rules (time-rules.ts) do the rest, explicitly, because
 * an offline device cannot trust its clock blindly. Runs on WebCrypto, or pure JS where there is none: Node,
 * browsers, React Native.
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-4.1 registered claims
 * @see https://fusionauth.io/docs/lifecycle/authenticate-users/oauth/tokens#access-token-claims
 */
import type { Bundle, BundleKey } from "./load-bundle";
import { offlineRulesOf } from "./offline-policy";
import type { DegradedMode } from "./policy-values";
import type { Decision, DecisionReason, ReasonCode } from "./reasons";
import { applyTimeRules, type DeadlineKind, MAX_TIME_SECONDS, type TimeRulesResult } from "./time-rules";
import {
  checkHeader,
  checkIssuerAndAudience,
  claimTimes,
  type JWTPayload,
  keyFor,
  Refusal,
  readToken,
  verifiedClaims,
} from "./token-steps";

export type { DeadlineKind } from "./time-rules";

/** What the device knows. Keep `lastServerTime` and `lastCheckIn` in durable storage (see the guide). */
export interface DeviceState {
  /** The device's wall clock. */
  now: Date;
  /** Latest server time the device has seen (HTTP `Date`, a token's `iat`); never moves backwards. */
  lastServerTime?: Date;
  /**
   * Last successful online check-in (a sign-in or a token refresh, at the server's time). Given, the check-in
   * deadline is `lastCheckIn + checkInSeconds` whatever the token claims. Absent, the token's `iat` stands in:
   * fine for a token the device just received from the server, but a forger holding a leaked signing key
   * writes a fresh `iat`, and a device that never passes `lastCheckIn` then accepts forged tokens past any
   * check-in deadline (until it fetches the bundle or JWKS listing the key as revoked). Always pass it offline.
   */
  lastCheckIn?: Date;
  /** The latest time the device has trusted before (persisted); the session keeps it for you. */
  highWaterMark?: Date;
  online: boolean;
}

export interface DecideInput {
  token: string;
  bundle: Bundle;
  device: DeviceState;
  /** Your own claim rules, run after every built-in check passed; see {@link ClaimCheck}. */
  checkClaims?: ClaimCheck;
}

/**
 * A custom claim check: runs only on a token every built-in check accepted (signature, issuer, audience, times),
 * and returns `undefined` to accept it or a message to refuse it (`refused`, reason `claims-invalid`, the message
 * quoted). Synchronous, and it must not throw: a thrown error propagates to the caller of `decide`.
 * @example
 * ```ts
 * const needsRole: ClaimCheck = (claims) =>
 *   Array.isArray(claims.roles) && claims.roles.includes("inspector") ? undefined : "the inspector role is required";
 * ```
 */
export type ClaimCheck = (claims: Readonly<JWTPayload>) => string | undefined;

/** What degraded mode permits, from the policy's `degradedMode`. */
export interface DegradedAllowance {
  mode: Exclude<DegradedMode, "none">;
  read: boolean;
  write: boolean;
  queueWrites: boolean;
}

export interface OfflineDecision {
  decision: Decision;
  reason: DecisionReason;
  /** `kid` of the key that verified the signature. */
  keyId?: string;
  /** The next moment the decision changes (absent when refused). */
  nextDeadline?: { kind: DeadlineKind; at: Date };
  /** Present when `decision` is `degraded`. */
  degraded?: DegradedAllowance;
  /** The verified claims (absent when refused). */
  claims?: JWTPayload;
  /** The time the decision was made at: the latest of the wall clock and every trusted time. */
  trustedTime?: Date;
  /** Seconds since the claims were issued, and whether that exceeds the policy's `claimsMaxAgeSeconds`. */
  claimsAgeSeconds?: number;
  claimsStale?: boolean;
  /** The bundle is past its horizon: it may lack keys that sign now; fetch a newer bundle or the JWKS. */
  horizonPassed: boolean;
}

/** The clock a decision runs on, in Unix seconds; see trusted-time.ts for how the session derives `floor`. */
export interface DecisionClock {
  now: number;
  floor: number;
  /** The device's recorded last check-in; absent, the token's `iat` stands in (see {@link DeviceState}). */
  lastCheckIn?: number;
  /**
   * Keys the device has seen the issuer sign with online (`true`: the token was received online just now).
   * Their `activatesAt` no longer bounds: after the signing key is revoked, the next generation, published
   * ahead, signs before its projected activation, and a bundle built earlier still holds the projection.
   */
  keysSeenOnline?: ReadonlySet<string> | true;
  online: boolean;
}

/** ISO 8601 of seconds, or a plain number when `Date` cannot hold it (never a RangeError). */
export function isoOf(seconds: number): string {
  return Math.abs(seconds) <= MAX_TIME_SECONDS ? new Date(seconds * 1000).toISOString() : `${seconds}s`;
}

function secondsOf(d: Date | undefined, field: string): number | undefined {
  if (d === undefined) return undefined;
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new TypeError(`device.${field} must be a valid Date`);
  return d.getTime() / 1000;
}

/**
 * Decides what `token` allows on this device now. The session ({@link createOfflineSession}) calls the same
 * steps with the device state it keeps; call `decide` directly only if you keep that state yourself.
 *
 * - `full` while the token is within `exp`; offline also within `exp + grace`.
 * - `degraded` offline after the grace until the check-in deadline, when the policy has a degraded mode.
 * - `refused` otherwise, with a stable reason code. An *online* device past `exp` gets `refresh-required`:
 *   grace exists for devices that cannot refresh, not for those that will not.
 *
 * Time: the verifier trusts `max(now, lastServerTime, highWaterMark, iat)`; a wall clock earlier than that
 * minus the rollback tolerance is refused (`clock-rollback`). A token's `iat` can only move that time forward,
 * which shortens access. The check-in deadline is `device.lastCheckIn + checkInSeconds`; without
 * `lastCheckIn` it counts from the token's `iat`, which a forger holding a leaked key chooses: an offline
 * device that omits `lastCheckIn` is not bound by its check-in deadline against such a forger. The session
 * always passes its recorded check-in.
 * @throws {TypeError} when `device.now` (or another given time) is not a valid Date: a programming error.
 * @example
 * ```ts
 * const bundle = await loadBundle({ "jwks.json": jwks, "policy.json": policy, "manifest.json": manifest });
 * const d = await decide({ token, bundle, device: { now: new Date(), lastCheckIn, online: false } });
 * if (d.decision === "refused") showSignIn(d.reason.code);
 * ```
 */
export function decide(input: DecideInput): Promise<OfflineDecision> {
  // Not `async`: one promise less per decision, on the path the benchmark holds to jose's speed.
  let clock: DecisionClock;
  try {
    const now = secondsOf(input.device.now, "now");
    if (now === undefined) throw new TypeError("device.now is required");
    const lastServer = secondsOf(input.device.lastServerTime, "lastServerTime") ?? Number.NEGATIVE_INFINITY;
    const highWater = secondsOf(input.device.highWaterMark, "highWaterMark") ?? Number.NEGATIVE_INFINITY;
    clock = {
      now,
      floor: Math.max(lastServer, highWater),
      lastCheckIn: secondsOf(input.device.lastCheckIn, "lastCheckIn"),
      online: input.device.online,
    };
  } catch (err) {
    return Promise.reject(err);
  }
  return decideWithKeys(input.token, input.bundle, input.bundle.keys, clock, input.checkClaims);
}

/** The decision on a given key set (the bundle's, or the session's merge of it with a fetched JWKS). */
export async function decideWithKeys(
  token: string,
  bundle: Bundle,
  keys: ReadonlyMap<string, BundleKey>,
  clock: DecisionClock,
  checkClaims?: ClaimCheck,
): Promise<OfflineDecision> {
  const rules = offlineRulesOf(bundle.policy);
  try {
    const parts = readToken(token);
    const { alg, kid } = checkHeader(parts.header, bundle.policy);
    const entry = keyFor(alg, kid, keys, rules.revoked);
    const claims = await verifiedClaims(parts, alg, entry);
    checkIssuerAndAudience(claims, bundle.policy, kid);
    const times = claimTimes(claims, kid);
    const window = rules.keyWindows.get(kid);
    const seen = clock.keysSeenOnline !== undefined && (clock.keysSeenOnline === true || clock.keysSeenOnline.has(kid));
    const verdict = applyTimeRules({
      exp: times.exp,
      iat: times.iat,
      nbf: times.nbf,
      now: clock.now,
      floor: clock.floor,
      lastCheckIn: clock.lastCheckIn,
      online: clock.online,
      keyActivatesAt: seen ? undefined : window?.activatesAt,
      keyRetiresAt: window?.retiresAt,
      policy: rules.time,
    });
    const decision = decisionOf(verdict, kid, claims, bundle);
    if (checkClaims === undefined || decision.decision === "refused") return decision;
    const problem = checkClaims(claims);
    if (problem === undefined) return decision;
    throw new Refusal("claims-invalid", `a custom claim check refused the token: ${problem}`, kid);
  } catch (err) {
    if (!(err instanceof Refusal)) throw err;
    const trusted = Math.max(clock.now, clock.floor);
    return {
      decision: "refused",
      reason: { code: err.code, message: err.message },
      keyId: err.keyId,
      trustedTime: new Date(trusted * 1000),
      horizonPassed: trusted > rules.time.horizon,
    };
  }
}

/**
 * A reason whose message is formatted when read: apps switch on `code`, and formatting times for every
 * decision would cost more than the time rules themselves. JSON.stringify reads it like a plain member.
 */
function lazyReason(code: ReasonCode, v: TimeRulesResult, bundle: Bundle): DecisionReason {
  let message: string | undefined;
  return {
    code,
    get message() {
      message ??= messageOf(code, v, bundle);
      return message;
    },
  };
}

/** Turns the time rules' verdict into the decision an app reads. */
function decisionOf(v: TimeRulesResult, kid: string, claims: JWTPayload, bundle: Bundle): OfflineDecision {
  const trustedTime = new Date(Math.min(v.trusted, MAX_TIME_SECONDS) * 1000);
  if (v.decision === "refused")
    return {
      decision: "refused",
      reason: lazyReason(v.code, v, bundle),
      keyId: kid,
      trustedTime,
      horizonPassed: v.horizonPassed,
    };
  const decision: OfflineDecision = {
    decision: v.decision,
    reason: lazyReason(v.code, v, bundle),
    keyId: kid,
    nextDeadline: { kind: v.deadlineKind as DeadlineKind, at: new Date((v.deadlineAt as number) * 1000) },
    claims,
    trustedTime,
    claimsAgeSeconds: v.claimsAgeSeconds,
    claimsStale: v.claimsStale,
    horizonPassed: v.horizonPassed,
  };
  if (v.decision === "degraded") decision.degraded = allowanceOf(bundle.policy.degradedMode);
  return decision;
}

function allowanceOf(mode: DegradedMode): DegradedAllowance | undefined {
  if (mode === "read-only") return { mode, read: true, write: false, queueWrites: false };
  if (mode === "read-and-queue-writes") return { mode, read: true, write: false, queueWrites: true };
  return undefined;
}

function messageOf(code: ReasonCode, v: TimeRulesResult, bundle: Bundle): string {
  const at = isoOf(v.at);
  const p = bundle.policy;
  switch (code) {
    case "valid":
      return `valid until ${at}`;
    case "offline-grace":
      return `expired; offline grace until ${at}`;
    case "offline-degraded":
      return `grace ended; ${p.degradedMode} until the check-in due at ${at}`;
    case "claims-out-of-range":
      return `"exp", "iat" or "nbf" is not a time between 1970 and 9999`;
    case "claims-invalid":
      return `"iat" or "nbf" is after "exp"`;
    case "token-lifetime-exceeded":
      return `the token lives longer than the policy's access-token TTL (${p.accessTokenTtlSeconds}s) plus ${p.clockRollbackToleranceSeconds}s`;
    case "key-not-yet-active":
      return `the token was issued at ${isoOf(v.issuedAt)}, before its key activates at ${at}`;
    case "key-retired":
      return `the token was issued at ${isoOf(v.issuedAt)}, after its key retired at ${at}`;
    case "clock-rollback":
      return `the device clock is earlier than the last trusted time (${at}) by more than ${p.clockRollbackToleranceSeconds}s`;
    case "not-yet-valid":
      return `"nbf" ${at} is in the future`;
    case "check-in-overdue":
      return `the mandatory online check-in was due at ${at}`;
    case "refresh-required":
      return `the token expired at ${at} and the device is online: refresh it`;
    case "expired":
      return `the token's grace ended at ${at}; the policy has no degraded mode`;
    default:
      return code;
  }
}
