/**
 * One device's life, event by event: connectivity spells, app openings, app updates, clock faults and perhaps a
 * theft. Every opening is decided by the verifier's rules (through {@link decideOpening}) and judged against the
 * policy read at true time (the oracle): a refusal the policy does not call for, or an acceptance it does not
 * allow, is counted with the device's number so that the run's seed and that number reproduce it.
 *
 * The app does what docs/offline-verifier.md asks: when the device comes online it syncs (fetches the JWKS,
 * then refreshes the token, which is the check-in); an opening while online refreshes an expired token first
 * (a login when the refresh token has expired); a sync whose refresh fails leaves the device on its old token,
 * deciding as if offline. It keeps the offline session's clock trust (trusted-time.ts through the adapter): a
 * persisted high-water mark, the last server time, and the monotonic clock since boot.
 *
 * A thief (see docs/simulate.md) keeps the device offline and, when the profile lets clocks be set back
 * (`rollbackBy` above 0), plays one of two tricks. Half of them (odd devices) reboot before every use and set the
 * clock back to the reading the app last showed. The others switch the device off at the theft for `rollbackBy`
 * and boot it with the clock set to that reading; when refused, set the clock back by `rollbackBy`, then reboot,
 * then switch it off for `rollbackBy` again. The session counts a new boot's uptime but not the time before the
 * boot (the guide says so), and refuses past the policy's `clockTrust.offlineBoots` boots (`clock-unverified`): an
 * acceptance the policy refuses at true time but allows at true time minus that unmeasured time is counted apart,
 * as accepted only because the device was powered off. When those three tricks are refused, that thief restores
 * the backup of the device state (taken at the last server contact) before every use and boots with the clock at
 * the backup's reading: the counter store makes the session's state lost (`state-invalid`), as the session does.
 */

import type { MonotonicReading } from "../../packages/verifier/src/trusted-time";
import type { RefreshExpirationPolicy } from "../policy/types";
import {
  clockBoots,
  clockDecided,
  clockFloor,
  clockServerTime,
  type DeviceTimes,
  decideOpening,
  newDeviceClock,
  type OpeningDecision,
  restoreIsLost,
  type Sample,
  type SimToken,
  type TimeRulesPolicy,
  timeRulesAt,
} from "./decision";
import type { KeyTimeline } from "./key-timeline";
import type { SimulationProfile } from "./profile";
import { createRandom, mixSeed, type Random, sampler, waitFor } from "./random";

export const YEAR_SECONDS = 365 * 86_400;

/** Everything the devices of one application share. */
export interface DeviceWorld {
  seed: number;
  /** Distinguishes the random streams of applications run with the same seed. */
  stream: number;
  start: number;
  end: number;
  profile: SimulationProfile;
  policy: TimeRulesPolicy;
  refresh: { expiration: RefreshExpirationPolicy; idleSeconds: number; maxSeconds: number };
  jwksRefreshSeconds: number;
  timeline: KeyTimeline;
  /** Keep every n-th opening of each device for the signature check (0: none). */
  sampleEvery: number;
  /** Keep at most this many reproducers of each kind. */
  maxExamples: number;
  /** False: decide on the last server time alone, without the session's clock trust (`DeviceClock` in decision.ts). */
  clockTrust: boolean;
  /** False: the app keeps no counter store, so a restored older state opens (only to show what the test catches). */
  counterStore: boolean;
}

/** A reproducer: run with the same seed and look at this device at this time. */
export interface Example {
  device: number;
  at: number;
  code: string;
}

/** Counters of a fleet, added to by every device. */
export interface FleetTally {
  devices: number;
  openings: number;
  full: number;
  degraded: number;
  refused: number;
  refusedBy: Record<string, number>;
  /** Refusals of a device whose clock was off by more than the tolerance: the policy calls for them. */
  refusedClockFault: number;
  unexplainedRefusals: number;
  unexplainedExamples: Example[];
  acceptedOutsidePolicy: number;
  outsideExamples: Example[];
  /**
   * Acceptances the policy refuses at true time but allows at true time minus the time the device was off since
   * its last server contact: what the guide says a reboot still gives. Not a defect; bounded by that off time.
   */
  acceptedPoweredOff: number;
  poweredOffExamples: Example[];
  /** The longest off time behind such an acceptance. */
  poweredOffMaxSeconds: number;
  logins: number;
  syncs: number;
  failedRefreshes: number;
  /**
   * Per stolen device: the lag of the acceptances the policy allows (`lagSeconds`), and of every acceptance,
   * those the thief got by switching the device off included.
   */
  stolen: {
    device: number;
    stolenAt: number;
    revokedAt: number;
    lagSeconds: number;
    lagWithPowerOffSeconds: number;
  }[];
  thiefOpenings: { full: number; degraded: number; refused: number };
  /** The thieves' refusals by reason code (`clock-unverified`: past the policy's offline boots). */
  thiefRefusedBy: Record<string, number>;
  /** Restores of an old device state by thieves, and the acceptances outside the policy that followed one. */
  thiefRestores: number;
  restoredAcceptedOutside: number;
  /** Every opening decided, the thieves' included. */
  decided: number;
  samples: Sample[];
}

/** Adds `b` to `a` (devices of `b` after those of `a`), keeping at most `maxExamples` reproducers of each kind. */
export function mergeTally(a: FleetTally, b: FleetTally, maxExamples: number): FleetTally {
  const refusedBy = { ...a.refusedBy };
  for (const [code, n] of Object.entries(b.refusedBy)) refusedBy[code] = (refusedBy[code] ?? 0) + n;
  const thiefRefusedBy = { ...a.thiefRefusedBy };
  for (const [code, n] of Object.entries(b.thiefRefusedBy)) thiefRefusedBy[code] = (thiefRefusedBy[code] ?? 0) + n;
  return {
    devices: a.devices + b.devices,
    openings: a.openings + b.openings,
    full: a.full + b.full,
    degraded: a.degraded + b.degraded,
    refused: a.refused + b.refused,
    refusedBy,
    refusedClockFault: a.refusedClockFault + b.refusedClockFault,
    unexplainedRefusals: a.unexplainedRefusals + b.unexplainedRefusals,
    unexplainedExamples: [...a.unexplainedExamples, ...b.unexplainedExamples].slice(0, maxExamples),
    acceptedOutsidePolicy: a.acceptedOutsidePolicy + b.acceptedOutsidePolicy,
    outsideExamples: [...a.outsideExamples, ...b.outsideExamples].slice(0, maxExamples),
    acceptedPoweredOff: a.acceptedPoweredOff + b.acceptedPoweredOff,
    poweredOffExamples: [...a.poweredOffExamples, ...b.poweredOffExamples].slice(0, maxExamples),
    poweredOffMaxSeconds: Math.max(a.poweredOffMaxSeconds, b.poweredOffMaxSeconds),
    logins: a.logins + b.logins,
    syncs: a.syncs + b.syncs,
    failedRefreshes: a.failedRefreshes + b.failedRefreshes,
    stolen: [...a.stolen, ...b.stolen],
    thiefOpenings: {
      full: a.thiefOpenings.full + b.thiefOpenings.full,
      degraded: a.thiefOpenings.degraded + b.thiefOpenings.degraded,
      refused: a.thiefOpenings.refused + b.thiefOpenings.refused,
    },
    thiefRefusedBy,
    thiefRestores: a.thiefRestores + b.thiefRestores,
    restoredAcceptedOutside: a.restoredAcceptedOutside + b.restoredAcceptedOutside,
    decided: a.decided + b.decided,
    samples: [...a.samples, ...b.samples],
  };
}

export function emptyTally(): FleetTally {
  return {
    devices: 0,
    openings: 0,
    full: 0,
    degraded: 0,
    refused: 0,
    refusedBy: {},
    refusedClockFault: 0,
    unexplainedRefusals: 0,
    unexplainedExamples: [],
    acceptedOutsidePolicy: 0,
    outsideExamples: [],
    acceptedPoweredOff: 0,
    poweredOffExamples: [],
    poweredOffMaxSeconds: 0,
    logins: 0,
    syncs: 0,
    failedRefreshes: 0,
    stolen: [],
    thiefOpenings: { full: 0, degraded: 0, refused: 0 },
    thiefRefusedBy: {},
    thiefRestores: 0,
    restoredAcceptedOutside: 0,
    decided: 0,
    samples: [],
  };
}

const TIME_CODES = new Set(["clock-rollback", "not-yet-valid", "check-in-overdue", "refresh-required", "expired"]);
const accepted = (d: OpeningDecision) => d.decision !== "refused";

interface Samplers {
  online: (r: Random) => number;
  offline: (r: Random) => number;
  reach: (r: Random) => number;
  reported: (r: Random) => number;
}

const samplersCache = new WeakMap<SimulationProfile, Samplers>();
function samplersOf(p: SimulationProfile): Samplers {
  let s = samplersCache.get(p);
  if (s === undefined) {
    s = {
      online: sampler(p.connectivity.online),
      offline: sampler(p.connectivity.offline),
      reach: sampler(p.updates.reachDevice),
      reported: sampler(p.incidents.reportedAfter),
    };
    samplersCache.set(p, s);
  }
  return s;
}

/** Simulates device number `id` of the world and adds what happened to `tally`. */
export function simulateDevice(world: DeviceWorld, id: number, tally: FleetTally): void {
  const { profile: p, policy, timeline, start, end } = world;
  const S = policy.clockRollbackToleranceSeconds;
  const r = createRandom(mixSeed(world.seed, world.stream, id));
  const draw = samplersOf(p);
  const openRate = p.usage.opensPerDay / 86_400;
  const releases = timeline.releases;

  // Clock: a fixed skew for some devices; rollbacks last until the next time the device is online (NTP).
  const skew = r() < p.clock.skewedShare ? Math.round((2 * r() - 1) * p.clock.maxSkewSeconds) : 0;
  let rolledBack = 0;

  // Day one: installed with the first release, online, logged in.
  let online = true;
  let toggleAt = start + draw.online(r);
  let token: SimToken = issue(start);
  let lastCheckIn = start;
  // The session's clock trust, and the device's power: boots are numbered; openings while off do not happen.
  const clock = newDeviceClock(world.clockTrust);
  let boot = 0;
  let bootId = "0";
  let bootAt = start;
  let poweredOnAt = start;
  // One reading object per device, refilled: the session copies what it keeps (its anchor), never the object.
  const reading: MonotonicReading = { bootId, elapsedSeconds: 0 };
  const monotonic = (at: number): MonotonicReading => {
    reading.bootId = bootId;
    reading.elapsedSeconds = at - bootAt;
    return reading;
  };
  clockServerTime(clock, start, monotonic(start));
  // What the session cannot see: from its last trusted moment before a shutdown to the boot (the new boot's uptime
  // is counted), summed since the last server contact; the oracle grants exactly this much (the guide's bound).
  let lastTrustAt = start;
  let lastWall = start + skew;
  let offUncounted = 0;
  let booted = false;
  let setClockAtBoot = false;
  // The sealed state's counter (one save per decision and per server contact), the backup taken at the last
  // server contact (a cloud backup runs while online), and whether the session's state is lost or restored.
  let saved = 0;
  let backup = { state: clock.state, counter: 0, wall: lastWall };
  let stateLost = false;
  let restored = false;
  let refreshUsed = start;
  let sessionStart = start;
  let fetchedSnapshot = timeline.snapshotIndexAt(start);
  const keys = {
    fetched: timeline.snapshots[fetchedSnapshot]?.live as ReadonlySet<number>,
    fetchedAt: start,
    bundle: releases[0]?.keys as ReadonlySet<number>,
    bundleAt: releases[0]?.at as number,
  };
  let release = 0;
  let nextOpen = start + waitFor(openRate, r);
  let nextInstall = 1;
  let installAt =
    nextInstall < releases.length ? (releases[1]?.at as number) + draw.reach(r) : Number.POSITIVE_INFINITY;
  let rollbackAt = start + waitFor(p.clock.rollbacksPerYear / YEAR_SECONDS, r);
  const stolenDraw = start + waitFor(p.incidents.stolenPerYear / YEAR_SECONDS, r);
  const stolenAt = stolenDraw < end ? Math.round(stolenDraw) : Number.POSITIVE_INFINITY;
  const revokedAt = stolenAt === Number.POSITIVE_INFINITY ? stolenAt : stolenAt + draw.reported(r);
  let stolen = false;
  let thiefTries = 0;
  const thiefTampers = p.clock.rollbackBySeconds > 0;
  // Half the thieves (odd devices: no random draw, so the other devices' streams are unchanged) reboot before
  // every use and set the clock back to the reading the app last showed; the others tamper as below.
  const thiefRebootsEachUse = thiefTampers && id % 2 === 1;
  let thiefRestoring = false;
  let lastThiefAcceptance = Number.NEGATIVE_INFINITY;
  let lastThiefAcceptanceInPolicy = Number.NEGATIVE_INFINITY;
  // Each device samples every n-th of its own openings from its own offset, so the sample does not depend on
  // which devices share a run (a fleet split across threads samples the same openings).
  let untilSample = world.sampleEvery > 0 ? 1 + ((Math.imul(id, 7919) >>> 0) % world.sampleEvery) : 0;

  function issue(at: number): SimToken {
    const snap = timeline.snapshots[timeline.snapshotIndexAt(at)];
    return { generation: snap?.signing as number, iat: at, exp: at + policy.accessTokenTtlSeconds };
  }
  function refreshValid(at: number): boolean {
    const { expiration, idleSeconds, maxSeconds } = world.refresh;
    if (expiration === "Fixed") return at < sessionStart + idleSeconds;
    if (expiration === "SlidingWindow") return at < refreshUsed + idleSeconds;
    return at < refreshUsed + idleSeconds && at < sessionStart + maxSeconds;
  }
  function fetchJwks(at: number): void {
    fetchedSnapshot = timeline.snapshotIndexAt(at);
    keys.fetched = timeline.snapshots[fetchedSnapshot]?.live as ReadonlySet<number>;
    keys.fetchedAt = at;
    serverContact(at);
  }
  function serverContact(at: number): void {
    clockServerTime(clock, at, monotonic(at));
    lastTrustAt = at;
    lastWall = at + skew - rolledBack;
    offUncounted = 0;
    restored = false;
    saved++;
    backup = { state: clock.state, counter: saved, wall: lastWall };
  }
  /**
   * The thief restores the backup of the device state and reboots with the clock set to the backup's reading.
   * With a counter store the session finds an older copy and treats its state as lost; without one it opens it.
   */
  function restoreBackup(at: number): void {
    tally.thiefRestores++;
    if (restoreIsLost(backup.counter, saved, world.counterStore)) stateLost = true;
    else {
      clock.state = backup.state;
      saved = backup.counter;
      restored = true;
    }
    lastWall = backup.wall;
    powerCycle(at, 0, true);
  }
  /** Switches the device off at `at` for `seconds` (0: a reboot); `resetClock`: set it at boot to `lastWall`. */
  function powerCycle(at: number, seconds: number, resetClock: boolean): void {
    boot++;
    bootId = `${boot}`;
    bootAt = at + seconds;
    poweredOnAt = bootAt;
    booted = true;
    setClockAtBoot = resetClock;
  }
  /** JWKS first, then the refresh (the check-in); `interactive`: the user is there to log in. */
  function sync(at: number, interactive: boolean): boolean {
    tally.syncs++;
    fetchJwks(at);
    if (r() < p.connectivity.syncFailure) {
      tally.failedRefreshes++;
      return false;
    }
    if (!refreshValid(at)) {
      if (!interactive) return false;
      tally.logins++;
      sessionStart = at;
    }
    token = issue(at);
    stateLost = false;
    refreshUsed = at;
    lastCheckIn = at;
    return true;
  }

  function timesAt(wall: number, reading: MonotonicReading, onlineNow: boolean): DeviceTimes {
    return {
      now: wall,
      floor: clockFloor(clock, reading),
      lastServerTime: clock.state.lastServerTime ?? undefined,
      lastCheckIn,
      online: onlineNow,
      boots: clockBoots(clock, reading),
      ...(stateLost ? { stateLost: true as const } : {}),
    };
  }

  function open(at: number): void {
    if (at < poweredOnAt) return;
    if (stolen && thiefRebootsEachUse) powerCycle(at, 0, true);
    if (stolen && thiefRestoring) restoreBackup(at);
    if (booted) {
      booted = false;
      offUncounted += bootAt - lastTrustAt;
      // The thief sets the clock to the reading the app last showed, as if no time had passed while off.
      if (setClockAtBoot) rolledBack = skew - (lastWall - at);
    }
    let onlineNow = online && !stolen;
    if (onlineNow) {
      if (at - keys.fetchedAt >= world.jwksRefreshSeconds) fetchJwks(at);
      if (at >= token.exp && !sync(at, true)) onlineNow = false;
    }
    const clockError = skew - rolledBack;
    const wall = at + clockError;
    const now = monotonic(at);
    let times = timesAt(wall, now, onlineNow);
    let d = decideOpening(policy, token, keys, times);
    clockDecided(clock, wall, times.floor, now);
    saved++;
    if (d.code === "refresh-required") {
      // A fast clock says the token has expired before the app thought so: refresh as the verifier asks, retry.
      const refreshed = sync(at, true);
      times = timesAt(wall, monotonic(at), refreshed);
      d = decideOpening(policy, token, keys, times);
      clockDecided(clock, wall, times.floor, now);
      saved++;
    }
    lastTrustAt = at;
    lastWall = wall;
    const isAccepted = accepted(d);
    tally.decided++;
    if (untilSample > 0 && --untilSample === 0) {
      untilSample = world.sampleEvery;
      tally.samples.push({
        device: id,
        at,
        token,
        times,
        release,
        fetchedSnapshot,
        fetchedAt: keys.fetchedAt,
        bundleAt: keys.bundleAt,
        fast: { decision: d.decision, code: d.code },
      });
    }
    // The oracle: the same rules at true time (the last server time, a true time, as the floor). Only needed
    // where the device's view can differ from it.
    let outside = false;
    if (isAccepted && clockError < 0) {
      const truthTimes = { ...times, floor: times.lastServerTime ?? Number.NEGATIVE_INFINITY };
      const truth = timeRulesAt(policy, token, { ...truthTimes, now: at - S });
      outside = !accepted(truth);
      if (outside) {
        // Allowed at true time minus the off time the session cannot count (never before the token's issue)?
        // A restored state is no off time the guide allows for: what follows it is judged at true time.
        const offAllowed =
          !restored &&
          offUncounted > 0 &&
          accepted(timeRulesAt(policy, token, { ...truthTimes, now: Math.max(at - offUncounted, token.iat) - S }));
        if (offAllowed) {
          tally.acceptedPoweredOff++;
          if (offUncounted > tally.poweredOffMaxSeconds) tally.poweredOffMaxSeconds = offUncounted;
          if (tally.poweredOffExamples.length < world.maxExamples)
            tally.poweredOffExamples.push({ device: id, at, code: `${d.code} (policy: ${truth.code})` });
        } else {
          tally.acceptedOutsidePolicy++;
          if (restored) tally.restoredAcceptedOutside++;
          if (tally.outsideExamples.length < world.maxExamples)
            tally.outsideExamples.push({ device: id, at, code: `${d.code} (policy: ${truth.code})` });
        }
      }
    }
    if (stolen) {
      tally.thiefOpenings[d.decision]++;
      if (!isAccepted) tally.thiefRefusedBy[d.code] = (tally.thiefRefusedBy[d.code] ?? 0) + 1;
      if (isAccepted) {
        if (at >= revokedAt) lastThiefAcceptance = at;
        if (at >= revokedAt && !outside) lastThiefAcceptanceInPolicy = at;
      } else if (thiefTries < 4 && thiefTampers && !thiefRebootsEachUse) {
        // A thief who is refused tries, in turn: the clock set back, a reboot, the device switched off a while,
        // then restoring the backup of the device state before every use.
        thiefTries++;
        const by = p.clock.rollbackBySeconds;
        if (thiefTries === 1) rolledBack += by;
        else if (thiefTries === 2) powerCycle(at, 0, false);
        else if (thiefTries === 3) powerCycle(at, by, true);
        else thiefRestoring = true;
      }
      return;
    }
    tally.openings++;
    tally[d.decision]++;
    if (isAccepted) return;
    tally.refusedBy[d.code] = (tally.refusedBy[d.code] ?? 0) + 1;
    const clockFault = Math.abs(clockError) > S;
    if (TIME_CODES.has(d.code) && clockFault) {
      tally.refusedClockFault++;
      return;
    }
    const truth = timeRulesAt(policy, token, { ...times, now: at + S });
    if (accepted(truth)) {
      tally.unexplainedRefusals++;
      if (tally.unexplainedExamples.length < world.maxExamples)
        tally.unexplainedExamples.push({ device: id, at, code: `${d.code} (policy: ${truth.code})` });
    }
  }

  for (;;) {
    const t = Math.min(toggleAt, nextOpen, installAt, rollbackAt, stolen ? Number.POSITIVE_INFINITY : stolenAt);
    if (t >= end) break;
    if (t === nextOpen) {
      open(t);
      nextOpen = t + waitFor(openRate, r);
    } else if (t === toggleAt) {
      if (online) {
        online = false;
        toggleAt = t + draw.offline(r);
      } else {
        online = true;
        rolledBack = 0;
        sync(t, false);
        toggleAt = t + draw.online(r);
      }
    } else if (t === installAt) {
      // Releases reach a device in order; a later one that arrives first is installed with the earlier one.
      release = nextInstall;
      keys.bundle = releases[release]?.keys as ReadonlySet<number>;
      keys.bundleAt = releases[release]?.at as number;
      nextInstall++;
      installAt =
        nextInstall < releases.length
          ? Math.max(t, (releases[nextInstall]?.at as number) + draw.reach(r))
          : Number.POSITIVE_INFINITY;
    } else if (t === rollbackAt) {
      rolledBack += p.clock.rollbackBySeconds;
      rollbackAt = t + waitFor(p.clock.rollbacksPerYear / YEAR_SECONDS, r);
    } else {
      // Stolen: the thief keeps the device offline (online, the revoked refresh token would end the session),
      // and switches it off for a while, to boot it later with the clock set back to what the app last showed.
      stolen = true;
      online = false;
      if (thiefTampers && !thiefRebootsEachUse) powerCycle(t, p.clock.rollbackBySeconds, true);
      toggleAt = Number.POSITIVE_INFINITY;
      installAt = Number.POSITIVE_INFINITY;
      rollbackAt = Number.POSITIVE_INFINITY;
    }
  }
  tally.devices++;
  if (stolenAt !== Number.POSITIVE_INFINITY && revokedAt < end) {
    tally.stolen.push({
      device: id,
      stolenAt,
      revokedAt,
      lagSeconds: Math.max(0, lastThiefAcceptanceInPolicy - revokedAt),
      lagWithPowerOffSeconds: Math.max(0, lastThiefAcceptance - revokedAt),
    });
  }
}
