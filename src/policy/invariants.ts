/**
 * Second validation pass: the cross-field invariants of docs/design.md section 4, on an effective policy. Every
 * violation is reported (none stops the others), each located at the setting the user most likely changed.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8725#section-3.1 (algorithm verification)
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.2.2 (refresh-token protection)
 */
import type { Diagnostic, DiagnosticCode, Severity } from "../diagnostics/diagnostic";
import { formatDuration } from "../lib/duration";
import { diagnosticAt, type MergedPolicy } from "./layers";
import { minimumRetentionSeconds } from "./retention";
import { type EffectivePolicy, isSigningAlgorithm } from "./types";

const d = formatDuration;

/** Checks the invariants; `merged` gives each finding its location. Errors first, then warnings. */
export function checkInvariants(p: EffectivePolicy, merged: MergedPolicy): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at =
    (severity: Severity) =>
    (paths: string[], code: DiagnosticCode, message: string): void => {
      out.push(diagnosticAt(merged, paths, severity, code, message));
    };
  checkInvariantErrors(p, merged, at("error"));
  checkInvariantWarnings(p, merged, at("warning"));
  return out;
}

type Report = (paths: string[], code: DiagnosticCode, message: string) => void;

/** The symbols of docs/design.md section 4, in seconds (P a count). */
function symbols(p: EffectivePolicy) {
  return {
    A: p.accessToken.ttlSeconds,
    R: p.refreshToken.lifetimeMinutes * 60,
    M: p.refreshToken.maximumLifetimeMinutes * 60,
    G: p.offline.graceSeconds,
    C: p.offline.checkInSeconds,
    J: p.offline.jwksRefreshSeconds,
    S: p.offline.clockRollbackToleranceSeconds,
    K: p.keys.rotationPeriodSeconds,
    P: p.keys.publishedAhead,
  };
}

/** The invariants a policy must hold: a device could not verify, or would refuse what the policy accepts. */
function checkInvariantErrors(p: EffectivePolicy, merged: MergedPolicy, error: Report): void {
  const { A, R, M, C, J, S, K, P } = symbols(p);
  if (A >= R) {
    error(
      ["accessToken.ttl", "refreshToken.lifetime"],
      "KIT_INVARIANT_ACCESS_GE_REFRESH",
      `accessToken.ttl (${d(A)}) must be shorter than refreshToken.lifetime (${d(R)})`,
    );
  }
  if (p.refreshToken.expirationPolicy === "SlidingWindowWithMaximumLifetime" && M < R) {
    error(
      ["refreshToken.maximumLifetime", "refreshToken.lifetime"],
      "KIT_INVARIANT_MAXIMUM_LT_REFRESH",
      `refreshToken.maximumLifetime (${d(M)}) must not be shorter than refreshToken.lifetime (${d(R)})`,
    );
  }
  if (!isSigningAlgorithm(p.accessToken.algorithm)) {
    error(
      ["accessToken.algorithm"],
      "KIT_INVARIANT_HMAC_ALGORITHM",
      `accessToken.algorithm ${p.accessToken.algorithm} is a shared-secret algorithm: a device cannot verify it offline without holding the secret; use ES256`,
    );
  }
  if (P * K < J + C + S) {
    error(
      [
        "keys.rotationPeriod",
        "keys.publishedAhead",
        "offline.jwksRefresh",
        "offline.checkIn",
        "offline.clockRollbackTolerance",
      ],
      "KIT_INVARIANT_KEY_LEAD",
      `key publication lead keys.publishedAhead x keys.rotationPeriod (${P} x ${d(K)} = ${d(P * K)}) must cover offline.jwksRefresh + offline.checkIn + offline.clockRollbackTolerance (${d(J + C + S)}), or a device may meet a signing key it has never seen`,
    );
  }
  const minRetention = minimumRetentionSeconds(p);
  if (merged.values.has("keys.retention") && p.keys.retentionSeconds < minRetention) {
    error(
      ["keys.retention"],
      "KIT_INVARIANT_RETENTION",
      `keys.retention (${d(p.keys.retentionSeconds)}) must cover max(accessToken.ttl + offline.grace, offline.checkIn) + offline.clockRollbackTolerance (${d(minRetention)}), or a retired key disappears while its tokens are still accepted offline (full or degraded)`,
    );
  }

  const unlock = p.offline.localUnlock;
  if (p.offline.mfaStandIn === "local-unlock" && unlock.mode === "none") {
    error(
      ["offline.mfaStandIn", "offline.localUnlock.mode"],
      "KIT_INVARIANT_STANDIN_WITHOUT_UNLOCK",
      "offline.mfaStandIn is local-unlock but offline.localUnlock.mode is none: no local unlock can stand in for MFA; set mfaStandIn to refuse or choose an unlock mode",
    );
  }
}

/** Settings that are legal but do not do what their author likely meant. */
function checkInvariantWarnings(p: EffectivePolicy, merged: MergedPolicy, warn: Report): void {
  const { A, R, G, C } = symbols(p);
  const claims = p.offline.claimsMaxAgeSeconds;
  if (claims > A + G + C) {
    warn(
      ["offline.claimsMaxAge"],
      "KIT_WARN_CLAIMS_MAX_AGE_UNREACHED",
      `offline.claimsMaxAge (${d(claims)}) is longer than accessToken.ttl + offline.grace + offline.checkIn (${d(A + G + C)}); no cached claims live that long, so they are never reported stale`,
    );
  }

  if (G > C) {
    warn(
      ["offline.grace", "offline.checkIn"],
      "KIT_WARN_GRACE_EXCEEDS_CHECKIN",
      `offline.grace (${d(G)}) is longer than offline.checkIn (${d(C)}); the part beyond the check-in is never usable`,
    );
  }
  if (R < C) {
    warn(
      ["refreshToken.lifetime", "offline.checkIn"],
      "KIT_WARN_REFRESH_BELOW_CHECKIN",
      `refreshToken.lifetime (${d(R)}) is shorter than offline.checkIn (${d(C)}); every check-in will need a full login`,
    );
  }
  if (p.accessToken.algorithm.startsWith("RS")) {
    warn(
      ["accessToken.algorithm"],
      "KIT_WARN_RSA_ALGORITHM",
      `accessToken.algorithm ${p.accessToken.algorithm} is RSA PKCS#1 v1.5, not approved by OWASP ASVS 5.0 appendix C; prefer ES256`,
    );
  }
  if (p.refreshToken.expirationPolicy === "SlidingWindow") {
    warn(
      ["refreshToken.expiration"],
      "KIT_WARN_NO_ABSOLUTE_LIFETIME",
      "refreshToken.expiration SlidingWindow has no absolute lifetime (OWASP ASVS 5.0 10.4.8); use SlidingWindowWithMaximumLifetime",
    );
  }
  if (
    p.refreshToken.expirationPolicy !== "SlidingWindowWithMaximumLifetime" &&
    merged.values.has("refreshToken.maximumLifetime")
  ) {
    warn(
      ["refreshToken.maximumLifetime", "refreshToken.expiration"],
      "KIT_WARN_MAXIMUM_IGNORED",
      `refreshToken.maximumLifetime is ignored with refreshToken.expiration ${p.refreshToken.expirationPolicy}`,
    );
  }
}
