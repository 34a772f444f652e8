/**
 * The bound on boots a device starts offline (policy.json `clockTrust.offlineBoots`). A new boot's uptime is
 * counted (trusted-time.ts), but the time from the last reading to the reboot is not: a user who reboots and sets
 * the clock back to the last reading hides it. Each such boot is counted until a server time (or a platform time
 * the policy trusts) measures time again; past the policy's bound the session refuses (`clock-unverified`).
 */
import type { OfflineDecision } from "./decide";
import type { OfflineRules } from "./offline-policy";
import { MAX_TIME_SECONDS } from "./time-rules";

/** The refusal when `boots` offline boots exceed the policy's bound; `undefined` within it. */
export function offlineBootsRefusal(boots: number, rules: OfflineRules, trusted: number): OfflineDecision | undefined {
  const allowed = rules.clockTrust.offlineBoots;
  if (boots <= allowed) return undefined;
  return {
    decision: "refused",
    reason: {
      code: "clock-unverified",
      message: `the device has restarted ${boots} time(s) offline since the last server time and the policy allows ${allowed}: the time before each restart is unmeasured; go online`,
    },
    trustedTime: Number.isFinite(trusted) ? new Date(Math.min(trusted, MAX_TIME_SECONDS) * 1000) : undefined,
    horizonPassed: trusted > rules.time.horizon,
  };
}
