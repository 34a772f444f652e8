/**
 * The session's gates after the token rules (pure): a token issued before the sign-in the device state started
 * with (offline), then what the action asks for: fresh claims, MFA (or its offline stand-in), a local unlock.
 */
import type { OfflineDecision } from "./decide";
import type { PolicyFile } from "./format";
import { offlineRulesOf } from "./offline-policy";
import type { ReasonCode } from "./reasons";
import type { SessionDecideInput } from "./session-types";

export interface GateContext {
  policy: PolicyFile;
  /** When the device state started afresh with an online sign-in (`SessionState.since`). */
  since: number | undefined;
  /** Whether a local unlock stands at the decision's trusted time (see {@link unlockedWithin}). */
  unlocked: boolean;
}

export function applyGates(result: OfflineDecision, input: SessionDecideInput, ctx: GateContext): OfflineDecision {
  if (result.decision === "refused") return result;
  const refuse = (code: ReasonCode, message: string): OfflineDecision => ({
    decision: "refused",
    reason: { code, message },
    keyId: result.keyId,
    trustedTime: result.trustedTime,
    horizonPassed: result.horizonPassed,
  });
  const { policy, since, unlocked } = ctx;
  if (since !== undefined && !input.online) {
    const iat = result.claims?.iat;
    const exp = result.claims?.exp as number;
    const issued = typeof iat === "number" ? iat : exp - policy.accessTokenTtlSeconds;
    if (issued < since - policy.clockRollbackToleranceSeconds)
      return refuse(
        "sign-in-required",
        "the token was issued before the online sign-in this device state started with",
      );
  }
  if (input.requireFreshClaims === true && result.claimsStale === true)
    return refuse("claims-stale", `the claims are older than ${policy.claimsMaxAgeSeconds}s: refresh online`);
  if (input.requireMfa === true) {
    if (input.online) return refuse("mfa-required", "the action needs MFA: step up with the server while online");
    if (offlineRulesOf(policy).mfaStandIn === "refuse")
      return refuse("mfa-required", "the policy allows no offline stand-in for MFA");
    if (!unlocked) return refuse("local-unlock-required", "unlock locally (PIN or biometric) to stand in for MFA");
  }
  if (input.requireLocalUnlock === true && !unlocked)
    return refuse("local-unlock-required", "the action needs a recent local unlock (PIN or biometric)");
  return result;
}

/**
 * Whether a local unlock at `unlockedAt` (seconds) stands at `trusted`: at most `validitySeconds` before it,
 * and not after it by more than the clock tolerance.
 */
export function unlockedWithin(
  unlockedAt: number | undefined,
  trusted: Date | undefined,
  validitySeconds: number,
  toleranceSeconds: number,
): boolean {
  if (unlockedAt === undefined || trusted === undefined) return false;
  const t = trusted.getTime() / 1000;
  return t - unlockedAt <= validitySeconds && t >= unlockedAt - toleranceSeconds;
}
