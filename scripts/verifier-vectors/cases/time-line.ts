/** The time line of one token, offline and online: valid, grace, degraded, check-in due, each at its boundary. */
import { DAY, MIN } from "../../../testkit/rotation/presets";
import { A, BASE_CLAIMS, C, degraded, EXP, full, G, refused, standardState, T0, type VectorBuilder } from "../context";

/** A fresh token through its expiry, the grace and the check-in deadline. */
export async function timeLineCases(v: VectorBuilder): Promise<void> {
  const { add, g0 } = v;
  add(
    "valid",
    "a fresh token, offline, a minute after issue",
    full("valid", {
      keyId: g0.kid,
      trustedTime: T0 + MIN,
      nextDeadline: { kind: "token-expiry", at: EXP },
      claimsAgeSeconds: MIN,
      claimsStale: false,
      horizonPassed: false,
    }),
  );
  add(
    "valid--exp-minus-1",
    "one second before exp",
    full("valid", { nextDeadline: { kind: "token-expiry", at: EXP } }),
    { now: EXP - 1 },
  );
  add(
    "offline-grace--at-exp",
    "offline at exp: the grace starts",
    full("offline-grace", { nextDeadline: { kind: "grace-end", at: EXP + G } }),
    { now: EXP },
  );
  add("offline-grace--grace-end-minus-1", "one second before the grace ends", full("offline-grace"), {
    now: EXP + G - 1,
  });
  add(
    "offline-degraded--at-grace-end",
    "offline at the grace's end: degraded until the check-in",
    degraded({ nextDeadline: { kind: "check-in-due", at: T0 + C } }),
    { now: EXP + G },
  );
  add("offline-degraded--check-in-minus-1", "one second before the check-in is due", degraded(), { now: T0 + C - 1 });
  add("check-in-overdue--at-due", "at the check-in deadline", refused("check-in-overdue"), { now: T0 + C });
  add(
    "offline-degraded--after-later-check-in",
    "a later check-in moves the deadline",
    degraded({ nextDeadline: { kind: "check-in-due", at: T0 + 2 * DAY + C } }),
    {
      now: T0 + C,
      state: standardState({ lastCheckIn: T0 + 2 * DAY, lastServerTime: T0 + 2 * DAY, highWaterMark: T0 + 2 * DAY }),
    },
  );
}

/** A forged fresh `iat` at the check-in deadline, the token online, and the claims' age. */
export async function forgedIatAndOnlineCases(v: VectorBuilder): Promise<void> {
  const { add, sign, g0 } = v;
  const base = BASE_CLAIMS;
  // A forger holding a leaked signing key (this device's bundle does not revoke it yet) writes a fresh `iat`:
  // the deadline counts from the device's recorded check-in all the same, never from the token's word.
  const forgedAt = (use: number) => sign(g0, { ...base, iat: use - MIN, exp: use - MIN + A });
  // One token for both cases at the deadline: a signing input is signed once, so a rerun writes the same bytes.
  const forgedAtDue = await forgedAt(T0 + C);
  add(
    "valid--forged-fresh-iat-check-in-minus-1",
    "a token forged with a fresh iat, one second before the device's check-in is due: accepted until then",
    full("valid", { nextDeadline: { kind: "check-in-due", at: T0 + C } }),
    { token: await forgedAt(T0 + C - 1), now: T0 + C - 1 },
  );
  add(
    "check-in-overdue--forged-fresh-iat",
    "a token forged with a fresh iat, at the device's check-in deadline (last check-in T0)",
    refused("check-in-overdue", { keyId: g0.kid, trustedTime: T0 + C }),
    { token: forgedAtDue, now: T0 + C },
  );
  add(
    "check-in-overdue--forged-fresh-iat-after-login",
    "first start, the online sign-in as a step, then a token forged with a fresh iat at its deadline",
    refused("check-in-overdue"),
    { state: null, counter: null, steps: [{ signIn: T0 }], token: forgedAtDue, now: T0 + C },
  );
  add("refresh-required--online-at-exp", "online at exp: refresh instead of grace", refused("refresh-required"), {
    now: EXP,
    online: true,
  });
  add("valid--online-exp-minus-1", "online one second before exp", full("valid"), { now: EXP - 1, online: true });
  add(
    "claims-stale--max-age-plus-1",
    "in the grace, the claims older than claimsMaxAgeSeconds (24h) by 1 s",
    full("offline-grace", { claimsAgeSeconds: DAY + 1, claimsStale: true }),
    { now: T0 + DAY + 1 },
  );
  add(
    "claims-fresh--at-max-age",
    "in the grace, the claims exactly claimsMaxAgeSeconds old",
    full("offline-grace", { claimsAgeSeconds: DAY, claimsStale: false }),
    { now: T0 + DAY },
  );
}
