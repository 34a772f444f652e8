/**
 * Clock trust: the time an offline device may believe. The wall clock alone can be set back (or held) by the
 * user; the session also keeps the last server time, a persisted high-water mark of every time it has trusted,
 * and, within one boot, an anchor on the monotonic clock (Android `SystemClock.elapsedRealtime()`, iOS
 * `ProcessInfo.systemUptime` / `clock_gettime(CLOCK_MONOTONIC_RAW)`), which the user cannot set.
 *
 * trusted = max(wall clock, high-water mark, last server time, anchor.trustedTime + elapsed since the anchor)
 * where the anchor term counts only when the boot id is the anchor's and the monotonic reading has not gone back.
 *
 * Across a reboot the anchor is lost, but not everything: the new boot started after the last reading, so the
 * trusted time is at least the last trusted time plus the new boot's uptime. What no clock measures is the time
 * from the last reading to the reboot; the state counts such boots (`offlineBoots`) until a server time (or a
 * platform time the policy trusts) measures time again, and the session bounds the count by the policy's
 * `clockTrust.offlineBoots`.
 */
import type { SessionState } from "./session-state";

/** The part of the session state clock trust reads and writes (a simulation can keep just this part). */
export type TrustedTimeState = Pick<SessionState, "lastServerTime" | "highWaterMark" | "anchor" | "offlineBoots">;

/** A reading of the platform's monotonic clock, with an id that changes at every boot. */
export interface MonotonicReading {
  /** Android: `Settings.Global.BOOT_COUNT`; iOS: `kern.boottime` from sysctl; anything that changes per boot. */
  bootId: string;
  /** Seconds since boot (fractions allowed). */
  elapsedSeconds: number;
}

function isReading(m: MonotonicReading | undefined): m is MonotonicReading {
  return (
    m !== undefined &&
    typeof m.bootId === "string" &&
    typeof m.elapsedSeconds === "number" &&
    Number.isFinite(m.elapsedSeconds) &&
    m.elapsedSeconds >= 0
  );
}

/**
 * True when the reading is of a boot after the anchor's: another boot id, or the same id with a monotonic clock
 * behind the anchor's (a boot id the platform reused). Without an anchor nothing tells a boot from another.
 */
export function isNewBoot(state: TrustedTimeState, monotonic?: MonotonicReading): boolean {
  const a = state.anchor;
  return (
    a !== null && isReading(monotonic) && (monotonic.bootId !== a.bootId || monotonic.elapsedSeconds < a.elapsedSeconds)
  );
}

/** The boots started since the last server time, this reading's boot included when it is a new one. */
export function offlineBootsAfter(state: TrustedTimeState, monotonic?: MonotonicReading): number {
  return (state.offlineBoots ?? 0) + (isNewBoot(state, monotonic) ? 1 : 0);
}

/**
 * The latest time the state vouches for, besides the wall clock; `-Infinity` when it knows none. Within the
 * anchor's boot: the anchor plus the monotonic time since. In a new boot: the last trusted time plus the new
 * boot's uptime, since the boot started after the last reading.
 */
export function trustedFloor(state: TrustedTimeState, monotonic?: MonotonicReading): number {
  const floor = Math.max(
    state.lastServerTime ?? Number.NEGATIVE_INFINITY,
    state.highWaterMark ?? Number.NEGATIVE_INFINITY,
  );
  const a = state.anchor;
  if (a === null || !isReading(monotonic)) return floor;
  if (monotonic.bootId === a.bootId && monotonic.elapsedSeconds >= a.elapsedSeconds)
    return Math.max(floor, a.trustedTime + (monotonic.elapsedSeconds - a.elapsedSeconds));
  return floor + monotonic.elapsedSeconds;
}

/**
 * The state after trusting `trusted`: the high-water mark never goes back, the anchor moves to this boot and
 * reading, and a new boot is counted in `offlineBoots`. Returns the same object when nothing changed (whole
 * seconds), so the caller can skip persisting.
 */
export function advanceTrustedTime<S extends TrustedTimeState>(
  state: S,
  trusted: number,
  monotonic?: MonotonicReading,
): S {
  const mark = Math.floor(trusted);
  const hwm = Math.max(state.highWaterMark ?? Number.NEGATIVE_INFINITY, mark);
  const anchor = isReading(monotonic)
    ? { bootId: monotonic.bootId, elapsedSeconds: monotonic.elapsedSeconds, trustedTime: mark }
    : state.anchor;
  const sameAnchor =
    anchor === state.anchor ||
    (state.anchor !== null &&
      anchor !== null &&
      anchor.bootId === state.anchor.bootId &&
      anchor.trustedTime - anchor.elapsedSeconds === state.anchor.trustedTime - state.anchor.elapsedSeconds);
  const newBoot = isNewBoot(state, monotonic);
  if (hwm === state.highWaterMark && sameAnchor && !newBoot) return state;
  const next: S = { ...state };
  // Set after the copy, not as members of the spread literal: V8 (Node 20) copies `{ ...s }` alone on a fast
  // path, several times faster than `{ ...s, k: v }`, but only when `state` was not itself made by such a copy
  // (a copy of a copy takes the slow path); the fleet simulation, which calls this at every decision, hands it a
  // fresh literal for that reason (plainClockState in src/simulate/decision.ts).
  next.highWaterMark = hwm;
  next.anchor = anchor;
  if (newBoot) next.offlineBoots = (state.offlineBoots ?? 0) + 1;
  return next;
}

/**
 * The state after a response from the server at `serverTime` (its HTTP `Date`, or a fresh token's `iat`): the
 * server is the authority, so the high-water mark and the anchor are reset to it (this undoes a wall clock that
 * was set forward); `lastServerTime` never moves back; time is measured again, so no boot is offline any more.
 */
export function observeServerTime<S extends TrustedTimeState>(
  state: S,
  serverTime: number,
  monotonic?: MonotonicReading,
): S {
  const next: S = { ...state };
  next.lastServerTime = Math.max(state.lastServerTime ?? Number.NEGATIVE_INFINITY, serverTime);
  next.highWaterMark = Math.floor(serverTime);
  next.anchor = isReading(monotonic)
    ? { bootId: monotonic.bootId, elapsedSeconds: monotonic.elapsedSeconds, trustedTime: Math.floor(serverTime) }
    : null;
  if (state.offlineBoots !== undefined) next.offlineBoots = 0;
  return next;
}

/**
 * The state after a trusted time from the platform (GNSS, network time) at `time`: it only moves the trusted time
 * forward (a server time is needed to undo a clock set forward) and anchors it on this boot; where the policy
 * trusts such a time (`resetsBoots`), it also ends the count of offline boots, as a server time does.
 */
export function observePlatformTime<S extends TrustedTimeState>(
  state: S,
  time: number,
  monotonic: MonotonicReading | undefined,
  resetsBoots: boolean,
): S {
  const next: S = { ...advanceTrustedTime(state, Math.max(time, trustedFloor(state, monotonic)), monotonic) };
  if (resetsBoots && next.offlineBoots !== undefined) next.offlineBoots = 0;
  return next;
}
