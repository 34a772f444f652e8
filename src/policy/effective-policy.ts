/**
 * Turning merged settings into the fully defaulted {@link EffectivePolicy}, checking on the way that FusionAuth can
 * represent every value (whole minutes for refresh lifetimes, positive TTLs, Java `int` ranges, the one-time-use
 * grace under a day).
 *
 * @see https://fusionauth.io/docs/apis/tenants (jwtConfiguration field rules)
 */
import type { Diagnostic } from "../diagnostics/diagnostic";
import { formatDuration, MAX_FUSIONAUTH_INT, parseDuration } from "../lib/duration";
import { diagnosticAt, type MergedPolicy } from "./layers";
import { minimumRetentionSeconds } from "./retention";
import type {
  DegradedMode,
  EffectivePolicy,
  RefreshExpirationPolicy,
  RefreshUsagePolicy,
  SensitivityLevel,
  SigningAlgorithm,
} from "./types";

/** FusionAuth's `refreshTokenOneTimeUseConfiguration.gracePeriodInSeconds` must stay below a day. */
export const MAX_ONE_TIME_USE_GRACE_SECONDS = 86_399;

/** The settings that must be greater than zero. */
const POSITIVE = [
  "accessToken.ttl",
  "refreshToken.lifetime",
  "refreshToken.maximumLifetime",
  "keys.rotationPeriod",
  "offline.jwksRefresh",
  "offline.checkIn",
];
const MINUTES = ["refreshToken.lifetime", "refreshToken.maximumLifetime"];

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
    if (s === 0 && POSITIVE.includes(path)) {
      diagnostics.push(diagnosticAt(merged, [path], "error", "KIT_DURATION_ZERO", `${path} must be greater than zero`));
    }
    if (MINUTES.includes(path) && s % 60 !== 0) {
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
    const limit = MINUTES.includes(path) ? MAX_FUSIONAUTH_INT * 60 : MAX_FUSIONAUTH_INT;
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
    },
  };
  policy.keys.retentionSeconds = seconds("keys.retention", minimumRetentionSeconds(policy));
  return diagnostics.length > 0 ? { diagnostics } : { policy, diagnostics };
}
