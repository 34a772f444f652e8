/**
 * How long a retired signing key must stay published: the one retention rule of the kit, used where the policy
 * is defaulted (effective-policy), where a tenant's retention is derived over its applications (stack/compile)
 * and where the rotation schedule floors an explicit value (rotation/schedule).
 */
import type { EffectivePolicy } from "./types";

/** The parts of a policy the retention rule reads. */
export type RetentionPolicy = Pick<EffectivePolicy, "accessToken" | "offline">;

/**
 * max(A + G, C) + S: the last moment a token signed just before its key retired can still be accepted offline,
 * plus the clock tolerance. A + G alone is not enough: the token stays acceptable as *degraded* until the
 * check-in deadline (`iat + C`), so a JWKS fetched or a bundle built in that window must still hold the key,
 * or a device that did everything right refuses a token the policy accepts (`high`: A + G + S = 45m < C = 1h).
 * Found by `fakit simulate`; see docs/simulate.md.
 */
export function minimumRetentionSeconds(p: RetentionPolicy): number {
  const o = p.offline;
  return Math.max(p.accessToken.ttlSeconds + o.graceSeconds, o.checkInSeconds) + o.clockRollbackToleranceSeconds;
}
