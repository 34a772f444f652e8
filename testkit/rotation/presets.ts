/**
 * The four shipped presets as effective policies, written out by hand from docs/design.md section 3 so the rotation,
 * bundle and verifier tests do not depend on the preset loader.
 */
import type { EffectivePolicy } from "../../src/policy/types";

export const MIN = 60;
export const HOUR = 3600;
export const DAY = 86_400;
export const S = 5 * MIN;

type Row = {
  level: EffectivePolicy["level"];
  A: number;
  refresh: [number, number];
  K: number;
  P: number;
  G: number;
  J: number;
  C: number;
  degraded: EffectivePolicy["offline"]["degradedMode"];
};

const ROWS: Record<EffectivePolicy["level"], Row> = {
  critical: {
    level: "critical",
    A: 5 * MIN,
    refresh: [15, 12 * 60],
    K: 30 * DAY,
    P: 1,
    G: 0,
    J: 6 * HOUR,
    C: 15 * MIN,
    degraded: "none",
  },
  high: {
    level: "high",
    A: 10 * MIN,
    refresh: [60, 24 * 60],
    K: 90 * DAY,
    P: 1,
    G: 30 * MIN,
    J: 12 * HOUR,
    C: HOUR,
    degraded: "read-only",
  },
  standard: {
    level: "standard",
    A: 15 * MIN,
    refresh: [30 * 1440, 90 * 1440],
    K: 90 * DAY,
    P: 1,
    G: 24 * HOUR,
    J: 7 * DAY,
    C: 7 * DAY,
    degraded: "read-only",
  },
  field: {
    level: "field",
    A: 30 * MIN,
    refresh: [30 * 1440, 180 * 1440],
    K: 180 * DAY,
    P: 2,
    G: 72 * HOUR,
    J: 7 * DAY,
    C: 14 * DAY,
    degraded: "read-and-queue-writes",
  },
};

export function preset(
  level: EffectivePolicy["level"],
  algorithm: EffectivePolicy["accessToken"]["algorithm"] = "ES256",
): EffectivePolicy {
  const r = ROWS[level];
  return {
    preset: level,
    level,
    accessToken: { ttlSeconds: r.A, algorithm },
    refreshToken: {
      lifetimeMinutes: r.refresh[0],
      expirationPolicy: "SlidingWindowWithMaximumLifetime",
      maximumLifetimeMinutes: r.refresh[1],
      usagePolicy: "OneTimeUse",
      oneTimeUseGraceSeconds: 0,
      revokeOn: { loginPrevented: true, passwordChange: true, multiFactorEnable: true, oneTimeTokenReuse: true },
    },
    // Retention "derived": max(A + G, C) + S.
    keys: { rotationPeriodSeconds: r.K, publishedAhead: r.P, retentionSeconds: Math.max(r.A + r.G, r.C) + S },
    offline: {
      graceSeconds: r.G,
      jwksRefreshSeconds: r.J,
      checkInSeconds: r.C,
      clockRollbackToleranceSeconds: S,
      degradedMode: r.degraded,
      ...OFFLINE_UNLOCK[level],
    },
  };
}

const OWASP_ARGON2ID = { memoryKiB: 19 * 1024, iterations: 2, parallelism: 1 };

/** Claims age, local unlock, MFA stand-in and clock trust of each shipped preset. */
const OFFLINE_UNLOCK: Record<
  EffectivePolicy["level"],
  Pick<EffectivePolicy["offline"], "claimsMaxAgeSeconds" | "localUnlock" | "mfaStandIn" | "clockTrust">
> = {
  critical: {
    claimsMaxAgeSeconds: 5 * MIN,
    localUnlock: { mode: "none", maxAttempts: 1, argon2id: OWASP_ARGON2ID },
    mfaStandIn: "refuse",
    clockTrust: { offlineBoots: 0, platformTime: false },
  },
  high: {
    claimsMaxAgeSeconds: 30 * MIN,
    localUnlock: { mode: "either", maxAttempts: 5, argon2id: { ...OWASP_ARGON2ID, memoryKiB: 46 * 1024 } },
    mfaStandIn: "refuse",
    clockTrust: { offlineBoots: 0, platformTime: false },
  },
  standard: {
    claimsMaxAgeSeconds: 24 * HOUR,
    localUnlock: { mode: "either", maxAttempts: 10, argon2id: OWASP_ARGON2ID },
    mfaStandIn: "local-unlock",
    clockTrust: { offlineBoots: 2, platformTime: true },
  },
  field: {
    claimsMaxAgeSeconds: 72 * HOUR,
    localUnlock: { mode: "either", maxAttempts: 10, argon2id: OWASP_ARGON2ID },
    mfaStandIn: "local-unlock",
    clockTrust: { offlineBoots: 6, platformTime: true },
  },
};

export const PRESET_LEVELS = ["critical", "high", "standard", "field"] as const;

/** 2025-01-01T00:00:00Z in seconds. */
export const EPOCH = Date.UTC(2025, 0, 1) / 1000;
