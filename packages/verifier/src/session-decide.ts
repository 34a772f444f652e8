/**
 * The session's decisions: what a token allows now (the token rules of decide.ts on the session's keys and
 * trusted time, then the session's gates), and a token received online at sign-in or refresh, which is verified
 * and recorded before it is decided.
 */
import { decideWithKeys } from "./decide";
import { checkInBound } from "./jwks-cache";
import { offlineRulesOf } from "./offline-policy";
import type { ReasonCode } from "./reasons";
import { offlineBootsRefusal } from "./reboot-bound";
import type { SessionCore } from "./session-core";
import { applyGates, unlockedWithin } from "./session-gates";
import { recordCheckIn, recordSignIn } from "./session-records";
import {
  DEFAULT_UNLOCK_VALIDITY_SECONDS,
  type ReceivedToken,
  type SessionDecideInput,
  type SessionDecision,
  seconds,
  validDate,
} from "./session-types";
import { advanceTrustedTime, offlineBootsAfter, trustedFloor } from "./trusted-time";

const refusal = (code: ReasonCode, message: string): SessionDecision => ({
  decision: "refused",
  reason: { code, message },
  horizonPassed: false,
  stateSaved: true,
});

/** Decides what the token allows now, and persists the trusted time it reached. */
export async function decideInSession(core: SessionCore, input: SessionDecideInput): Promise<SessionDecision> {
  if (core.problem !== undefined || core.signed === undefined) {
    const p = core.problem ?? { code: "bundle-invalid" as const, message: "no bundle" };
    return refusal(p.code, p.message);
  }
  if (core.lost !== undefined) return refusal(core.lost.code, `${core.lost.message}; sign in online`);
  if (core.current.wiped) return refusal("session-wiped", "too many failed local unlocks; sign in online");
  if (!validDate(input.now)) return refusal("state-invalid", "`now` is not a valid Date");

  const floor = trustedFloor(core.current, input.monotonic);
  const { bundle, builtAt } = core.signed;
  const result =
    offlineBootsRefusal(
      offlineBootsAfter(core.current, input.monotonic),
      offlineRulesOf(bundle.policy),
      Math.max(seconds(input.now), floor),
    ) ??
    (await decideWithKeys(
      input.token,
      bundle,
      core.keys.byKid,
      {
        now: seconds(input.now),
        floor,
        lastCheckIn: checkInBound(core.current.lastCheckIn, core.current.jwks, builtAt),
        online: input.online,
        keysSeenOnline: core.seenSet(),
      },
      input.checkClaims,
    ));
  const unlocked = unlockedWithin(
    core.unlockedAt,
    result.trustedTime,
    core.options.unlockValiditySeconds ?? DEFAULT_UNLOCK_VALIDITY_SECONDS,
    bundle.policy.clockRollbackToleranceSeconds,
  );
  const decision = applyGates(result, input, { policy: bundle.policy, since: core.current.since, unlocked });
  const trusted = Math.max(seconds(input.now), floor);
  const next = advanceTrustedTime(
    core.current,
    Number.isFinite(trusted) ? trusted : seconds(input.now),
    input.monotonic,
  );
  let stateSaved = true;
  if (next !== core.current) {
    core.current = next;
    stateSaved = await core.save();
  }
  return Object.assign(decision, { jwksFetchDue: core.jwksFetchDue, stateSaved });
}

/**
 * A token received online (`signIn`: at an online sign-in, else a refresh): verified against the bundle and the
 * fetched JWKS at the server's time, recorded as a sign-in or check-in, its key noted as seen online, then
 * decided. One that does not verify is refused and records nothing.
 */
export async function receiveToken(core: SessionCore, input: ReceivedToken, signIn: boolean): Promise<SessionDecision> {
  if (core.signed === undefined || core.problem !== undefined || (core.lost !== undefined && !signIn))
    return decideInSession(core, { token: input.token, now: input.now, online: true, monotonic: input.monotonic });
  if (!validDate(input.now) || (input.serverTime !== undefined && !validDate(input.serverTime)))
    return refusal("state-invalid", "`now` or `serverTime` is not a valid Date");
  // The server is the authority on time here, so the device's earlier floor does not apply (as in
  // recordServerTime); with no record, the check-in deadline counts from this token's own `iat`.
  const checked = await decideWithKeys(input.token, core.signed.bundle, core.keys.byKid, {
    now: seconds(input.serverTime ?? input.now),
    floor: Number.NEGATIVE_INFINITY,
    online: true,
    keysSeenOnline: true,
  });
  if (checked.decision === "refused") return Object.assign(checked, { stateSaved: true });
  const iat = checked.claims?.iat;
  const serverTime = input.serverTime ?? (typeof iat === "number" ? new Date(iat * 1000) : input.now);
  let saved = signIn
    ? await recordSignIn(core, serverTime, input.monotonic)
    : await recordCheckIn(core, serverTime, input.monotonic);
  if (core.noteKeySeen(checked.keyId as string)) saved = (await core.save()) && saved;
  const decision = await decideInSession(core, {
    token: input.token,
    now: input.now,
    online: true,
    monotonic: input.monotonic,
  });
  return Object.assign(decision, { stateSaved: saved && decision.stateSaved });
}
