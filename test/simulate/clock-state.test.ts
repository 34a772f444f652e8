// The device's clock trust goes through the session's own functions on a fresh copy of its state (decision.ts
// `plainClockState`, a speed measure): on seeded sequences of decisions, server times and reboots, every floor and
// boot count equals that of the same calls made on the state itself.
import { describe, expect, it } from "vitest";
import {
  advanceTrustedTime,
  type MonotonicReading,
  observeServerTime,
  offlineBootsAfter,
  type TrustedTimeState,
  trustedFloor,
} from "../../packages/verifier/src/trusted-time";
import {
  clockBoots,
  clockDecided,
  clockFloor,
  clockServerTime,
  newDeviceClock,
  plainClockState,
} from "../../src/simulate/decision";
import { createRandom } from "../../src/simulate/random";

/** The state with an absent `offlineBoots` written as 0, as trusted-time.ts reads it. */
const normalized = (s: TrustedTimeState) => ({ ...s, offlineBoots: s.offlineBoots ?? 0 });

describe("the clock trust on a fresh copy of the state", () => {
  it("copies every field, an absent boot count as 0", () => {
    const anchor = { bootId: "3", elapsedSeconds: 12.5, trustedTime: 1_700_000_000 };
    const full = { lastServerTime: 1_699_999_000, highWaterMark: 1_700_000_000, anchor, offlineBoots: 2 };
    expect(plainClockState(full)).toEqual(full);
    expect(plainClockState(full)).not.toBe(full);
    expect(plainClockState({ lastServerTime: null, highWaterMark: null, anchor: null })).toEqual({
      lastServerTime: null,
      highWaterMark: null,
      anchor: null,
      offlineBoots: 0,
    });
  });

  for (const seed of [1, 2, 3, 4, 5]) {
    it(`gives the floors and boot counts of the same calls on the state itself (seed ${seed})`, () => {
      const r = createRandom(seed);
      const clock = newDeviceClock(true);
      let direct: TrustedTimeState = { lastServerTime: null, highWaterMark: null, anchor: null };
      let at = 1_700_000_000;
      let boot = 0;
      let bootAt = at;
      const reading = (): MonotonicReading => ({ bootId: `${boot}`, elapsedSeconds: at - bootAt });
      for (let step = 0; step < 5000; step++) {
        at += r() * 7200;
        const event = r();
        if (event < 0.1) {
          // A reboot, perhaps after a while switched off.
          boot++;
          bootAt = at + (r() < 0.5 ? 0 : r() * 86_400);
          at = bootAt;
        } else if (event < 0.25) {
          clockServerTime(clock, at, reading());
          direct = observeServerTime(direct, at, reading());
        } else {
          // A decision on a wall clock that may be set back or forward.
          const wall = at + (r() - 0.7) * 3 * 86_400;
          const floor = clockFloor(clock, reading());
          expect(floor).toBe(trustedFloor(direct, reading()));
          expect(clockBoots(clock, reading())).toBe(offlineBootsAfter(direct, reading()));
          clockDecided(clock, wall, floor, reading());
          direct = advanceTrustedTime(direct, Math.max(wall, floor), reading());
        }
        expect(normalized(clock.state)).toEqual(normalized(direct));
      }
    });
  }
});
