/**
 * The rules a bundle's `policy.json` gives the verifier, read once per bundle: the time policy as numbers, each
 * key's window, the revoked keys and the offline fields (claims age, local unlock, MFA stand-in). The shape and
 * types of every field are checked once, by `parsePolicyFile` (../bundle/format.ts); this module adds only the
 * verifier's ranges, so nothing downstream meets `1e300` or Argon2id parameters below OWASP's minimum.
 */
import type { BundleProblem, ClockTrustPolicy, LocalUnlockPolicy, MfaStandIn, PolicyFile, RevokedKey } from "./format";
import { ARGON2ID_MINIMUM } from "./policy-values";
import { MAX_TIME_SECONDS, type TimePolicy } from "./time-rules";

export { ARGON2ID_MINIMUM };

/** Longest duration a policy may give: 100 years. Larger values are a bug or an attack (`checkInSeconds: 1e300`). */
export const MAX_DURATION_SECONDS = 100 * 365 * 86_400;

export interface KeyWindow {
  activatesAt?: number;
  retiresAt?: number;
}

export interface OfflineRules {
  time: TimePolicy;
  keyWindows: ReadonlyMap<string, KeyWindow>;
  revoked: ReadonlyMap<string, RevokedKey>;
  localUnlock: LocalUnlockPolicy;
  mfaStandIn: MfaStandIn;
  clockTrust: ClockTrustPolicy;
}

function isInt(v: unknown, min: number, max: number): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
}

function timeOf(iso: string | null | undefined): number | undefined {
  if (typeof iso !== "string") return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

/**
 * Problems of the ranges of a policy that `parsePolicyFile` accepted (so every field has its type): the times the
 * verifier computes with and the bounds of the local unlock. Durations need no check here: `parsePolicyFile`
 * already bounds them by FusionAuth's largest integer, below {@link MAX_DURATION_SECONDS}.
 */
export function offlinePolicyProblems(policy: PolicyFile): BundleProblem[] {
  const problems: string[] = [];
  const horizon = timeOf(policy.horizon);
  if (horizon === undefined || horizon > MAX_TIME_SECONDS) problems.push(`"horizon" is not a time before 10000`);
  for (const [i, k] of policy.keys.entries()) {
    for (const f of ["activatesAt", "retiresAt"] as const) {
      const v = k[f];
      if (v !== null && v !== undefined && (timeOf(v) === undefined || (timeOf(v) as number) > MAX_TIME_SECONDS))
        problems.push(`"keys[${i}].${f}" is not an ISO 8601 time or null`);
    }
  }
  const { maxAttempts, argon2id: a } = policy.localUnlock;
  if (
    !isInt(maxAttempts, 0, 1000) ||
    !isInt(a.memoryKiB, ARGON2ID_MINIMUM.memoryKiB, 4_194_304) ||
    !isInt(a.iterations, ARGON2ID_MINIMUM.iterations, 1000) ||
    !isInt(a.parallelism, ARGON2ID_MINIMUM.parallelism, 255)
  )
    problems.push(
      `"localUnlock" must be {mode: none|biometric|pin|either, maxAttempts, argon2id: {memoryKiB >= 19456, iterations >= 2, parallelism >= 1}}`,
    );
  return problems.map((message) => ({ code: "KIT_BUNDLE_POLICY_INVALID", message: `policy.json: ${message}` }));
}

const cache = new WeakMap<PolicyFile, OfflineRules>();

/** The rules of a policy that passed {@link offlinePolicyProblems}; computed once per policy object. */
export function offlineRulesOf(policy: PolicyFile): OfflineRules {
  const hit = cache.get(policy);
  if (hit !== undefined) return hit;
  const horizon = timeOf(policy.horizon) ?? Number.NEGATIVE_INFINITY;
  const keyWindows = new Map<string, KeyWindow>();
  for (const k of policy.keys) {
    // A retired key's retiresAt is the run that retired it: a bound. A signing or published key's is a
    // projection, and a rotation is never early but may be late without limit (a pipeline that does not run
    // leaves the last key signing; an idle gap defers activation), so it bounds nothing; a JWKS fetched
    // after the actual retirement drops the key instead (jwks-cache.ts). Activation is never early: a bound.
    keyWindows.set(k.kid, {
      activatesAt: timeOf(k.activatesAt),
      retiresAt: k.role === "retired" ? timeOf(k.retiresAt) : undefined,
    });
  }
  const rules: OfflineRules = {
    time: {
      accessTokenTtlSeconds: policy.accessTokenTtlSeconds,
      graceSeconds: policy.graceSeconds,
      checkInSeconds: policy.checkInSeconds,
      clockRollbackToleranceSeconds: policy.clockRollbackToleranceSeconds,
      degraded: policy.degradedMode !== "none",
      claimsMaxAgeSeconds: policy.claimsMaxAgeSeconds,
      horizon,
    },
    keyWindows,
    revoked: new Map(policy.revokedKeys.map((k) => [k.kid, k])),
    localUnlock: policy.localUnlock,
    mfaStandIn: policy.mfaStandIn,
    clockTrust: policy.clockTrust,
  };
  cache.set(policy, rules);
  return rules;
}
