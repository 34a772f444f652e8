/**
 * The rules a bundle's `policy.json` gives the verifier, read once per bundle: the time policy as numbers, each
 * key's window, the revoked keys and the format 2 offline fields (claims age, local unlock, MFA stand-in).
 * Format 1 bundles get the defaults a format 1 verifier applied: no claims age limit, no revocations, no local
 * unlock, MFA refused offline. Every number is range-checked here so nothing downstream meets `1e300`.
 */
import type {
  BundleProblem,
  LocalUnlockPolicy,
  MfaStandIn,
  PolicyFile,
  PolicyFileV2Fields,
  RevokedKey,
} from "../bundle/format";
import { MAX_TIME_SECONDS, type TimePolicy } from "./time-rules";

/** Longest duration a policy may give: 100 years. Larger values are a bug or an attack (`checkInSeconds: 1e300`). */
export const MAX_DURATION_SECONDS = 100 * 365 * 86_400;

/** OWASP's Argon2id minimum (m=19 MiB, t=2, p=1): the lowest parameters any policy may give. */
export const ARGON2ID_MINIMUM = { memoryKiB: 19_456, iterations: 2, parallelism: 1 } as const;

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
}

const V1_DEFAULTS: PolicyFileV2Fields = {
  claimsMaxAgeSeconds: Number.POSITIVE_INFINITY,
  localUnlock: { mode: "none", maxAttempts: 0, argon2id: { ...ARGON2ID_MINIMUM } },
  mfaStandIn: "refuse",
  revokedKeys: [],
};

const DURATIONS = [
  "accessTokenTtlSeconds",
  "graceSeconds",
  "checkInSeconds",
  "jwksRefreshSeconds",
  "clockRollbackToleranceSeconds",
] as const;
const UNLOCK_MODES: readonly string[] = ["none", "biometric", "pin", "either"];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isInt(v: unknown, min: number, max: number): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
}

function timeOf(iso: string | null | undefined): number | undefined {
  if (typeof iso !== "string") return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

/** Problems of the numbers and format 2 fields of a policy that passed the structural check. */
export function offlinePolicyProblems(policy: PolicyFile): BundleProblem[] {
  const problems: string[] = [];
  const p = policy as PolicyFile & Partial<Record<string, unknown>>;
  for (const f of DURATIONS) {
    if (!((p[f] as number) <= MAX_DURATION_SECONDS)) problems.push(`"${f}" exceeds ${MAX_DURATION_SECONDS}s`);
  }
  const horizon = timeOf(policy.horizon);
  if (horizon === undefined || horizon > MAX_TIME_SECONDS) problems.push(`"horizon" is not a time before 10000`);
  for (const [i, k] of policy.keys.entries()) {
    for (const f of ["activatesAt", "retiresAt"] as const) {
      const v = k[f];
      if (v !== null && v !== undefined && (timeOf(v) === undefined || (timeOf(v) as number) > MAX_TIME_SECONDS))
        problems.push(`"keys[${i}].${f}" is not an ISO 8601 time or null`);
    }
  }
  if (policy.formatVersion >= 2) {
    if (!isInt(p.claimsMaxAgeSeconds, 0, MAX_DURATION_SECONDS))
      problems.push(`"claimsMaxAgeSeconds" must be a whole number of seconds up to ${MAX_DURATION_SECONDS}`);
    const u = p.localUnlock;
    const a = isObject(u) ? u.argon2id : undefined;
    if (
      !isObject(u) ||
      typeof u.mode !== "string" ||
      !UNLOCK_MODES.includes(u.mode) ||
      !isInt(u.maxAttempts, 0, 1000) ||
      !isObject(a) ||
      !isInt(a.memoryKiB, ARGON2ID_MINIMUM.memoryKiB, 4_194_304) ||
      !isInt(a.iterations, ARGON2ID_MINIMUM.iterations, 1000) ||
      !isInt(a.parallelism, ARGON2ID_MINIMUM.parallelism, 255)
    )
      problems.push(
        `"localUnlock" must be {mode: none|biometric|pin|either, maxAttempts, argon2id: {memoryKiB >= 19456, iterations >= 2, parallelism >= 1}}`,
      );
    if (p.mfaStandIn !== "refuse" && p.mfaStandIn !== "local-unlock")
      problems.push(`"mfaStandIn" must be "refuse" or "local-unlock"`);
  }
  // revokedKeys is required in format 2 and read in format 1 too when present (bundles written since the
  // kit's key-compromise support carry it).
  if (policy.formatVersion >= 2 || p.revokedKeys !== undefined) {
    const r = p.revokedKeys;
    if (
      !Array.isArray(r) ||
      !r.every(
        (k) =>
          isObject(k) &&
          typeof k.kid === "string" &&
          (k.generation === null || isInt(k.generation, 0, Number.MAX_SAFE_INTEGER)) &&
          typeof k.reason === "string" &&
          typeof k.revokedAt === "string" &&
          timeOf(k.revokedAt) !== undefined,
      )
    )
      problems.push(`"revokedKeys" must list {kid, generation, reason, revokedAt}`);
  }
  return problems.map((message) => ({ code: "KIT_BUNDLE_POLICY_INVALID", message: `policy.json: ${message}` }));
}

const cache = new WeakMap<PolicyFile, OfflineRules>();

/** The rules of a policy that passed {@link offlinePolicyProblems}; computed once per policy object. */
export function offlineRulesOf(policy: PolicyFile): OfflineRules {
  const hit = cache.get(policy);
  if (hit !== undefined) return hit;
  const v2: PolicyFileV2Fields =
    policy.formatVersion >= 2 ? (policy as PolicyFile & PolicyFileV2Fields) : (V1_DEFAULTS as PolicyFileV2Fields);
  const revokedKeys = (policy as Partial<PolicyFileV2Fields>).revokedKeys ?? v2.revokedKeys;
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
      claimsMaxAgeSeconds: v2.claimsMaxAgeSeconds,
      horizon,
    },
    keyWindows,
    revoked: new Map(revokedKeys.map((k) => [k.kid, k])),
    localUnlock: v2.localUnlock,
    mfaStandIn: v2.mfaStandIn,
  };
  cache.set(policy, rules);
  return rules;
}
