/**
 * How long a user's devices can still be accepted offline once their refresh tokens are revoked (a stolen device
 * or account, a bad release): what `fakit revoke` prints per application. Pure.
 *
 * Revoking refresh tokens stops the next online refresh at once. Offline, a device keeps the access token it
 * holds: it is accepted fully until the token expires plus the grace (at most now + A + G, for a token issued
 * just before the revocation), then, where the policy allows a degraded mode, in that mode until the device's
 * check-in deadline (at most now + C, for a device that checked in just before); the check-in deadline ends
 * both, so with C <= A + G there is no degraded period.
 * @see ../../docs/runbooks.md (stolen device)
 */
import { formatDuration } from "../lib/duration";
import { formatInstant } from "../lib/instant";
import type { DegradedMode } from "../policy/types";
import type { ApplicationState } from "../stack/desired-state";
import { heldClockNote } from "./exposure";

export interface SessionExposure {
  /** `<tenant>/<app>`. */
  application: string;
  applicationId: string;
  revokedAt: string;
  /** Full offline acceptance ends at the latest then: now + min(access-token TTL + grace, check-in). */
  fullUntil: string;
  /** Degraded acceptance ends at the latest then (the check-in deadline); null without a degraded period. */
  degradedUntil: string | null;
  degradedMode: DegradedMode;
  accessTokenTtlSeconds: number;
  graceSeconds: number;
  checkInSeconds: number;
  /** The policy's `clockTrust.offlineBoots`: each boot a device starts offline with the clock held extends the bounds by the time before it. */
  offlineBoots: number;
}

/** The offline acceptance left to a revoked session of each application, from `now` (seconds). */
export function sessionExposure(
  apps: readonly { name: string; app: Pick<ApplicationState, "id" | "policy"> }[],
  now: number,
): SessionExposure[] {
  return apps.map(({ name, app }) => {
    const A = app.policy.accessToken.ttlSeconds;
    const o = app.policy.offline;
    return {
      application: name,
      applicationId: app.id,
      revokedAt: formatInstant(now),
      // The check-in deadline cuts both: past it the device refuses whatever the token's expiry and grace.
      fullUntil: formatInstant(now + Math.min(A + o.graceSeconds, o.checkInSeconds)),
      degradedUntil:
        o.degradedMode === "none" || o.checkInSeconds <= A + o.graceSeconds
          ? null
          : formatInstant(now + o.checkInSeconds),
      degradedMode: o.degradedMode,
      accessTokenTtlSeconds: A,
      graceSeconds: o.graceSeconds,
      checkInSeconds: o.checkInSeconds,
      offlineBoots: o.clockTrust.offlineBoots,
    };
  });
}

/** One line per application, as `fakit revoke` prints it. */
export function renderSessionExposure(list: readonly SessionExposure[]): string[] {
  return list.map((e) => {
    const d = formatDuration;
    const full = `fully until at most ${e.fullUntil} (access token ${d(e.accessTokenTtlSeconds)} + grace ${d(e.graceSeconds)})`;
    const degraded =
      e.degradedUntil === null
        ? "then refused"
        : `then ${e.degradedMode} until at most ${e.degradedUntil} (check-in deadline, check-in ${d(e.checkInSeconds)})`;
    return `  ${e.application}: no online refresh from ${e.revokedAt}; offline devices are accepted ${full}, ${degraded}${heldClockNote(e.offlineBoots)}`;
  });
}
