/** Clock trust: the rollback tolerance, the high-water mark, the monotonic clock, reboots and `nbf`. */
import { DAY, HOUR, MIN } from "../../../testkit/rotation/presets";
import { BASE_CLAIMS, full, refused, S, standardState, T0, type VectorBuilder } from "../context";

/** The clock's cases. */
export async function clockCases(v: VectorBuilder): Promise<void> {
  const { add, sign, g0 } = v;
  const base = BASE_CLAIMS;
  add(
    "clock-rollback--tolerance-plus-1",
    "the wall clock is behind the last server time by S + 1",
    refused("clock-rollback"),
    { now: T0 + HOUR - S - 1, state: standardState({ lastServerTime: T0 + HOUR, highWaterMark: T0 + HOUR }) },
  );
  add(
    "clock-rollback--within-tolerance",
    "behind by exactly S: the trusted time is the server's",
    full("offline-grace", { trustedTime: T0 + HOUR }),
    { now: T0 + HOUR - S, state: standardState({ lastServerTime: T0 + HOUR, highWaterMark: T0 + HOUR }) },
  );
  add("clock-rollback--high-water-mark", "behind the persisted high-water mark by S + 1", refused("clock-rollback"), {
    now: T0 + 2 * DAY - S - 1,
    state: standardState({ highWaterMark: T0 + 2 * DAY }),
  });
  const anchor = { bootId: "boot-1", elapsedSeconds: 1000, trustedTime: T0 };
  add(
    "clock-rollback--held-clock-monotonic",
    "the wall clock held at iat + 10m while the monotonic clock ran 8 days",
    refused("clock-rollback", { trustedTime: T0 + 8 * DAY }),
    {
      now: T0 + 10 * MIN,
      state: standardState({ anchor }),
      monotonic: { bootId: "boot-1", elapsedSeconds: 1000 + 8 * DAY },
    },
  );
  add(
    "check-in-overdue--monotonic",
    "honest wall clock, 8 days of monotonic time: the check-in is overdue",
    refused("check-in-overdue"),
    {
      now: T0 + 8 * DAY,
      state: standardState({ anchor }),
      monotonic: { bootId: "boot-1", elapsedSeconds: 1000 + 8 * DAY },
    },
  );
  // Across a reboot: the new boot started after the last reading, so trusted time is at least the last trusted
  // time plus its uptime; each boot started offline is counted, and the standard bundle allows 2 of them.
  const boot2 = (elapsedSeconds: number) => ({ bootId: "boot-2", elapsedSeconds });
  add(
    "check-in-overdue--new-boot-uptime",
    "honest wall clock, a new boot up 8 days since the last reading, a 7-day check-in",
    refused("check-in-overdue", { trustedTime: T0 + 8 * DAY + 1000 }),
    { now: T0 + 8 * DAY + 1000, state: standardState({ anchor }), monotonic: boot2(1000 + 8 * DAY) },
  );
  add(
    "clock-rollback--new-boot-held-clock",
    "the wall clock held at iat + 1m across a reboot, the new boot up 8 days: its uptime alone is counted",
    refused("clock-rollback", { trustedTime: T0 + 8 * DAY + 1000 }),
    { state: standardState({ anchor }), monotonic: boot2(1000 + 8 * DAY) },
  );
  add(
    "valid--new-boot-at-bound",
    "the second boot started offline (the standard bundle allows 2), up 30 s",
    full("valid", { trustedTime: T0 + MIN }),
    { state: standardState({ anchor, offlineBoots: 1 }), monotonic: boot2(30) },
  );
  add(
    "clock-unverified--boots-past-bound",
    "the third boot started offline since the last server time, the clock held: the bound is 2",
    refused("clock-unverified"),
    { state: standardState({ anchor, offlineBoots: 2 }), monotonic: boot2(30) },
  );
  add(
    "valid--platform-time-resets-boots",
    "GNSS time recorded in the third offline boot: the standard bundle lets it end the count",
    full("valid", { trustedTime: T0 + MIN }),
    {
      state: standardState({ anchor, offlineBoots: 2 }),
      monotonic: boot2(40),
      steps: [{ platformTime: { at: T0 + 50, monotonic: boot2(30) } }],
    },
  );
  add("not-yet-valid--nbf-plus-1", "nbf later than trusted time + S by 1 s", refused("not-yet-valid"), {
    token: await sign(g0, { ...base, nbf: T0 + MIN + S + 1 }),
  });
  add("valid--nbf-at-tolerance", "nbf exactly trusted time + S", full("valid"), {
    token: await sign(g0, { ...base, nbf: T0 + MIN + S }),
  });
}
