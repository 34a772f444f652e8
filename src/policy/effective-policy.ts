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
 * Resolves merged settings (already schema-valid) into an effective policy.
 * `keys.retention` is left at its explicit value or {@link minimumRetentionSeconds} here; the tenant compilation raises the derived value
 * to cover every application of the tenant.
 *
 * @returns the policy, or `undefined` with errors when a value cannot be represented.
 */
export function resolvePolicy(
  merged: MergedPolicy,
  preset: string,
  level: SensitivityLevel,
): { policy?: EffectivePolicy; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const str = (path: string) => merged.values.get(path) as string;
  const seconds = (path: string, fallback = 0): number => {
    const raw = merged.values.get(path);
    if (raw === undefined) return fallback;
    const s = parseDuration(String(raw));
    if (s === undefined) {
      diagnostics.push(
        diagnosticAt(merged, [path], "error", "KIT_DURATION_INVALID", `${path}: "${String(raw)}" is not a duration`),
      );
      return fallback;
    }
    const field = policyField(path);
    const minutes = field.kind === "minutes";
    if (s === 0 && field.positive === true) {
      diagnostics.push(diagnosticAt(merged, [path], "error", "KIT_DURATION_ZERO", `${path} must be greater than zero`));
    }
    if (minutes && s % 60 !== 0) {
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
    const limit = minutes ? MAX_FUSIONAUTH_INT * 60 : MAX_FUSIONAUTH_INT;
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
  };

  const expirationPolicy = str("refreshToken.expiration") as RefreshExpirationPolicy;
  const lifetime = seconds("refreshToken.lifetime");
  const hasMaximum = merged.values.has("refreshToken.maximumLifetime");
  const maximum = seconds("refreshToken.maximumLifetime", lifetime);
  if (expirationPolicy === "SlidingWindowWithMaximumLifetime" && !hasMaximum) {
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
  const grace = seconds("refreshToken.oneTimeUseGracePeriod");
  if (grace > MAX_ONE_TIME_USE_GRACE_SECONDS) {
    diagnostics.push(
      diagnosticAt(
        merged,
        ["refreshToken.oneTimeUseGracePeriod"],
        "error",
        "KIT_DURATION_OUT_OF_RANGE",
        `refreshToken.oneTimeUseGracePeriod is ${str("refreshToken.oneTimeUseGracePeriod")}, but FusionAuth accepts less than 24h`,
      ),
    );
  }

  const argon2id = resolveArgon2id(merged, diagnostics);

  const ttl = seconds("accessToken.ttl");
  const offlineGrace = seconds("offline.grace");
  const tolerance = seconds("offline.clockRollbackTolerance");
  const policy: EffectivePolicy = {
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
        loginPrevented: merged.values.get("refreshToken.revokeOn.loginPrevented") === true,
        passwordChange: merged.values.get("refreshToken.revokeOn.passwordChange") === true,
        multiFactorEnable: merged.values.get("refreshToken.revokeOn.multiFactorEnable") === true,
        oneTimeTokenReuse: merged.values.get("refreshToken.revokeOn.oneTimeTokenReuse") === true,
      },
    },
    keys: {
      rotationPeriodSeconds: seconds("keys.rotationPeriod"),
      publishedAhead: merged.values.get("keys.publishedAhead") as number,
      retentionSeconds: 0,
    },
    offline: {
      graceSeconds: offlineGrace,
      jwksRefreshSeconds: seconds("offline.jwksRefresh"),
      checkInSeconds: seconds("offline.checkIn"),
      clockRollbackToleranceSeconds: tolerance,
      degradedMode: str("offline.degradedMode") as DegradedMode,
      claimsMaxAgeSeconds: seconds("offline.claimsMaxAge"),
      localUnlock: {
        mode: str("offline.localUnlock.mode") as UnlockMode,
        maxAttempts: merged.values.get("offline.localUnlock.maxAttempts") as number,
        argon2id,
      },
      mfaStandIn: str("offline.mfaStandIn") as MfaStandIn,
    },
  };
  policy.keys.retentionSeconds = seconds("keys.retention", minimumRetentionSeconds(policy));
  return diagnostics.length > 0 ? { diagnostics } : { policy, diagnostics };
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
