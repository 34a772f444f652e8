/**
 * Turning merged settings into the fully defaulted {@link EffectivePolicy}, checking on the way that FusionAuth can
 * represent every value (whole minutes for refresh lifetimes, positive TTLs, Java `int` ranges, the one-time-use
 * grace under a day).
 *
 * @see https://fusionauth.io/docs/apis/tenants (jwtConfiguration field rules)
 */
import type { Diagnostic } from "../diagnostics/diagnostic";
import { formatDuration, MAX_FUSIONAUTH_INT, parseDuration } from "../lib/duration";
import { formatSizeKiB, parseSizeKiB } from "../lib/size";
import { policyField } from "./fields";
import { diagnosticAt, type MergedPolicy } from "./layers";
import { minimumRetentionSeconds } from "./retention";
import {
  ARGON2ID_MINIMUM,
  type DegradedMode,
  type EffectivePolicy,
  type MfaStandIn,
  type RefreshExpirationPolicy,
  type RefreshUsagePolicy,
  type SensitivityLevel,
  type SigningAlgorithm,
  type UnlockMode,
} from "./types";

/** FusionAuth's `refreshTokenOneTimeUseConfiguration.gracePeriodInSeconds` must stay below a day. */
export const MAX_ONE_TIME_USE_GRACE_SECONDS = 86_399;

/**
 * The largest Argon2id memory a preset may ask of a phone (4 GiB); RFC 9106's first recommended option uses 2 GiB.
 * @see https://www.rfc-editor.org/rfc/rfc9106#section-4
 */
export const MAX_ARGON2ID_MEMORY_KIB = 4 * 1024 * 1024;

/**
 * Resolves merged settings (already schema-valid) into an effective policy, in three steps: read every duration
 * (checking it against its row of {@link POLICY_FIELDS}), check the rules that span two settings, assemble.
 * `keys.retention` is left at its explicit value or {@link minimumRetentionSeconds} here; the tenant compilation raises the derived value
 * to cover every application of the tenant. The policy returned is frozen: nothing downstream may change it.
 *
 * @returns the policy, or `undefined` with errors when a value cannot be represented.
 */
export function resolvePolicy(
  merged: MergedPolicy,
  preset: string,
  level: SensitivityLevel,
): { policy?: EffectivePolicy; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const seconds = (path: string, fallback = 0) => readSeconds(merged, path, fallback, diagnostics);
  const str = (path: string) => merged.values.get(path) as string;
  const flag = (path: string) => merged.values.get(path) === true;

  const expirationPolicy = str("refreshToken.expiration") as RefreshExpirationPolicy;
  const lifetime = seconds("refreshToken.lifetime");
  const maximum = seconds("refreshToken.maximumLifetime", lifetime);
  const grace = seconds("refreshToken.oneTimeUseGracePeriod");
  const ttl = seconds("accessToken.ttl");
  const offlineGrace = seconds("offline.grace");
  const tolerance = seconds("offline.clockRollbackTolerance");
  const rotationPeriod = seconds("keys.rotationPeriod");
  const jwksRefresh = seconds("offline.jwksRefresh");
  const checkIn = seconds("offline.checkIn");
  const claimsMaxAge = seconds("offline.claimsMaxAge");
  checkRefreshMaximum(merged, expirationPolicy, diagnostics);
  checkOneTimeUseGrace(merged, grace, diagnostics);
  const argon2id = resolveArgon2id(merged, diagnostics);

  const draft: EffectivePolicy = {
    preset,
    level,
    accessToken: { ttlSeconds: ttl, algorithm: str("accessToken.algorithm") as SigningAlgorithm },
    refreshToken: {
      lifetimeMinutes: Math.floor(lifetime / 60),
      expirationPolicy,
      maximumLifetimeMinutes: Math.floor(
        (expirationPolicy === "SlidingWindowWithMaximumLifetime" ? maximum : lifetime) / 60,
      ),
      usagePolicy: str("refreshToken.usage") as RefreshUsagePolicy,
      oneTimeUseGraceSeconds: grace,
      revokeOn: {
        loginPrevented: flag("refreshToken.revokeOn.loginPrevented"),
        passwordChange: flag("refreshToken.revokeOn.passwordChange"),
        multiFactorEnable: flag("refreshToken.revokeOn.multiFactorEnable"),
        oneTimeTokenReuse: flag("refreshToken.revokeOn.oneTimeTokenReuse"),
      },
    },
    keys: {
      rotationPeriodSeconds: rotationPeriod,
      publishedAhead: merged.values.get("keys.publishedAhead") as number,
      // Derived from the rest of the policy just below.
      retentionSeconds: 0,
    },
    offline: {
      graceSeconds: offlineGrace,
      jwksRefreshSeconds: jwksRefresh,
      checkInSeconds: checkIn,
      clockRollbackToleranceSeconds: tolerance,
      degradedMode: str("offline.degradedMode") as DegradedMode,
      claimsMaxAgeSeconds: claimsMaxAge,
      localUnlock: {
        mode: str("offline.localUnlock.mode") as UnlockMode,
        maxAttempts: merged.values.get("offline.localUnlock.maxAttempts") as number,
        argon2id,
      },
      mfaStandIn: str("offline.mfaStandIn") as MfaStandIn,
      clockTrust: {
        offlineBoots: merged.values.get("offline.clockTrust.offlineBoots") as number,
        platformTime: flag("offline.clockTrust.platformTime"),
      },
    },
  };
  const retention = seconds("keys.retention", minimumRetentionSeconds(draft));
  if (diagnostics.length > 0) return { diagnostics };
  return { policy: freezePolicy({ ...draft, keys: { ...draft.keys, retentionSeconds: retention } }), diagnostics };
}

/**
 * One duration setting in seconds, or `fallback` when unset. Its row of {@link POLICY_FIELDS} says whether it must
 * be positive and whether FusionAuth stores it in whole minutes (which also widens its range by 60).
 */
function readSeconds(merged: MergedPolicy, path: string, fallback: number, diagnostics: Diagnostic[]): number {
  const raw = merged.values.get(path);
  if (raw === undefined) return fallback;
  const field = policyField(path);
  const s = parseDuration(String(raw));
  if (s === undefined) {
    diagnostics.push(
      diagnosticAt(merged, [path], "error", "KIT_DURATION_INVALID", `${path}: "${String(raw)}" is not a duration`),
    );
    return fallback;
  }
  if (s === 0 && field.positive === true) {
    diagnostics.push(diagnosticAt(merged, [path], "error", "KIT_DURATION_ZERO", `${path} must be greater than zero`));
  }
  const inMinutes = field.kind === "minutes";
  if (inMinutes && s % 60 !== 0) {
    const down = formatDuration(Math.max(60, s - (s % 60)));
    diagnostics.push(
      diagnosticAt(
        merged,
        [path],
        "error",
        "KIT_DURATION_NOT_WHOLE_MINUTES",
        `${path} is ${String(raw)}, but FusionAuth stores refresh-token lifetimes in whole minutes; use e.g. ${down}`,
      ),
    );
  }
  const limit = inMinutes ? MAX_FUSIONAUTH_INT * 60 : MAX_FUSIONAUTH_INT;
  if (s > limit) {
    diagnostics.push(
      diagnosticAt(
        merged,
        [path],
        "error",
        "KIT_DURATION_OUT_OF_RANGE",
        `${path} is ${String(raw)}, more than FusionAuth can store (at most ${formatDuration(limit)})`,
      ),
    );
  }
  return s;
}

/** A sliding window with a maximum needs the maximum. */
function checkRefreshMaximum(
  merged: MergedPolicy,
  expirationPolicy: RefreshExpirationPolicy,
  diagnostics: Diagnostic[],
): void {
  if (expirationPolicy !== "SlidingWindowWithMaximumLifetime" || merged.values.has("refreshToken.maximumLifetime"))
    return;
  diagnostics.push(
    diagnosticAt(
      merged,
      ["refreshToken.expiration"],
      "error",
      "KIT_REFRESH_MAXIMUM_REQUIRED",
      "refreshToken.expiration is SlidingWindowWithMaximumLifetime but refreshToken.maximumLifetime is not set; add it",
    ),
  );
}

function checkOneTimeUseGrace(merged: MergedPolicy, grace: number, diagnostics: Diagnostic[]): void {
  if (grace <= MAX_ONE_TIME_USE_GRACE_SECONDS) return;
  diagnostics.push(
    diagnosticAt(
      merged,
      ["refreshToken.oneTimeUseGracePeriod"],
      "error",
      "KIT_DURATION_OUT_OF_RANGE",
      `refreshToken.oneTimeUseGracePeriod is ${String(merged.values.get("refreshToken.oneTimeUseGracePeriod"))}, but FusionAuth accepts less than 24h`,
    ),
  );
}

/**
 * Freezes a policy and its nested groups, so that a value computed in compilation cannot be changed downstream
 * (the `readonly` fields of {@link EffectivePolicy} say so to TypeScript; this says so at run time too, for code
 * that reaches it through a mutable alias or from JavaScript).
 */
export function freezePolicy(policy: EffectivePolicy): EffectivePolicy {
  Object.freeze(policy.accessToken);
  Object.freeze(policy.refreshToken.revokeOn);
  Object.freeze(policy.refreshToken);
  Object.freeze(policy.keys);
  Object.freeze(policy.offline.localUnlock.argon2id);
  Object.freeze(policy.offline.localUnlock);
  Object.freeze(policy.offline);
  return Object.freeze(policy);
}

/**
 * The Argon2id parameters, each at least OWASP's minimum whatever the level: a weaker KDF lets a PIN copied off
 * the device be brute-forced in minutes.
 */
function resolveArgon2id(
  merged: MergedPolicy,
  diagnostics: Diagnostic[],
): EffectivePolicy["offline"]["localUnlock"]["argon2id"] {
  const base = "offline.localUnlock.argon2id";
  const minimum = `OWASP's minimum for Argon2id is ${formatSizeKiB(ARGON2ID_MINIMUM.memoryKiB)} memory, ${ARGON2ID_MINIMUM.iterations} iterations, parallelism ${ARGON2ID_MINIMUM.parallelism}`;
  const below = (path: string, text: string) =>
    diagnostics.push(
      diagnosticAt(merged, [path], "error", "KIT_ARGON2ID_BELOW_MINIMUM", `${path} is ${text}: ${minimum}; raise it`),
    );
  const rawMemory = String(merged.values.get(`${base}.memory`));
  let memoryKiB = parseSizeKiB(rawMemory) ?? 0;
  if (memoryKiB === 0 || memoryKiB > MAX_ARGON2ID_MEMORY_KIB) {
    diagnostics.push(
      diagnosticAt(
        merged,
        [`${base}.memory`],
        "error",
        "KIT_SIZE_OUT_OF_RANGE",
        `${base}.memory is ${rawMemory}, more than a phone can spare (at most ${formatSizeKiB(MAX_ARGON2ID_MEMORY_KIB)})`,
      ),
    );
    memoryKiB = ARGON2ID_MINIMUM.memoryKiB;
  } else if (memoryKiB < ARGON2ID_MINIMUM.memoryKiB) below(`${base}.memory`, rawMemory);
  const iterations = merged.values.get(`${base}.iterations`) as number;
  if (iterations < ARGON2ID_MINIMUM.iterations) below(`${base}.iterations`, String(iterations));
  const parallelism = merged.values.get(`${base}.parallelism`) as number;
  if (parallelism < ARGON2ID_MINIMUM.parallelism) below(`${base}.parallelism`, String(parallelism));
  return { memoryKiB, iterations, parallelism };
}
