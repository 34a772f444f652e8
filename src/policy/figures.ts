/**
 * The figures a security reviewer reads instead of reverse-engineering TTLs (docs/design.md section 4).
 *
 * @see https://pages.nist.gov/800-63-4/sp800-63b.html#reauth
 */
import type { EffectivePolicy, PolicyFigures } from "./types";

/** Derives the figures of an effective policy. */
export function derivePolicyFigures(p: EffectivePolicy): PolicyFigures {
  const A = p.accessToken.ttlSeconds;
  const G = p.offline.graceSeconds;
  const refresh = p.refreshToken;
  return {
    revocationLagSeconds: A + G,
    fullOfflineRunwaySeconds: A + G,
    degradedRunwaySeconds: p.offline.checkInSeconds,
    // A plain sliding window never forces a login: the session is unbounded (reported as null).
    longestSessionSeconds: refresh.expirationPolicy === "SlidingWindow" ? null : refresh.maximumLifetimeMinutes * 60,
    keyPublicationLeadSeconds: p.keys.publishedAhead * p.keys.rotationPeriodSeconds,
    retiredKeyRetentionSeconds: p.keys.retentionSeconds,
    // Each offline boot hides the time from the device's last reading to the reboot: no bound but none at all.
    heldClockRebootGainSeconds: p.offline.clockTrust.offlineBoots === 0 ? 0 : null,
  };
}

/** NIST SP 800-63B-4 recommends reauthentication at least every 30 days at AAL1. */
export const AAL1_OVERALL_LIMIT_SECONDS = 30 * 86_400;

/**
 * The note `plan` prints when a policy's longest session exceeds AAL1's recommended overall limit, as the
 * `standard` and `field` presets do on purpose; `undefined` otherwise.
 */
export function nistNote(p: EffectivePolicy, figures: PolicyFigures): string | undefined {
  const longest = figures.longestSessionSeconds;
  if (longest !== null && longest <= AAL1_OVERALL_LIMIT_SECONDS) return undefined;
  const days = longest === null ? "no absolute limit" : `${Math.round(longest / 86_400)} days`;
  return `longest session without re-authentication (${days}) exceeds the 30 days NIST SP 800-63B-4 recommends even at AAL1; the ${p.level} level accepts this on purpose, for availability offline`;
}
