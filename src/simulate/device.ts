/**
 * One device's life, event by event: connectivity spells, app openings, app updates, clock faults and perhaps a
 * theft. Every opening is decided by the verifier's rules (through {@link decideOpening}) and judged against the
 * policy read at true time (the oracle): a refusal the policy does not call for, or an acceptance it does not
 * allow, is counted with the device's number so that the run's seed and that number reproduce it.
 *
 * The app does what docs/offline-verifier.md asks: when the device comes online it syncs (fetches the JWKS,
 * then refreshes the token, which is the check-in); an opening while online refreshes an expired token first
 * (a login when the refresh token has expired); a sync whose refresh fails leaves the device on its old token,
 * deciding as if offline.
 */
import type { RefreshExpirationPolicy } from "../policy/types";
import {
  decideOpening,
  type OpeningDecision,
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
  logins: number;
  syncs: number;
  failedRefreshes: number;
  /**
   * Per stolen device: the lag of the acceptances the policy allows (`lagSeconds`), and of every acceptance,
   * those the thief got by setting the clock back included.
   */
  stolen: {
    device: number;
    stolenAt: number;
    revokedAt: number;
    lagSeconds: number;
    lagWithClockSetBackSeconds: number;
  }[];
  thiefOpenings: { full: number; degraded: number; refused: number };
  /** Every opening decided, the thieves' included. */
  decided: number;
  samples: Sample[];
}

/** Adds `b` to `a` (devices of `b` after those of `a`), keeping at most `maxExamples` reproducers of each kind. */
export function mergeTally(a: FleetTally, b: FleetTally, maxExamples: number): FleetTally {
  const refusedBy = { ...a.refusedBy };
  for (const [code, n] of Object.entries(b.refusedBy)) refusedBy[code] = (refusedBy[code] ?? 0) + n;
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
    logins: a.logins + b.logins,
    syncs: a.syncs + b.syncs,
    failedRefreshes: a.failedRefreshes + b.failedRefreshes,
    stolen: [...a.stolen, ...b.stolen],
    thiefOpenings: {
      full: a.thiefOpenings.full + b.thiefOpenings.full,
      degraded: a.thiefOpenings.degraded + b.thiefOpenings.degraded,
      refused: a.thiefOpenings.refused + b.thiefOpenings.refused,
    },
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
    logins: 0,
    syncs: 0,
    failedRefreshes: 0,
    stolen: [],
    thiefOpenings: { full: 0, degraded: 0, refused: 0 },
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
  let lastServer = start;
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
    if (at > lastServer) lastServer = at;
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
    refreshUsed = at;
    lastCheckIn = at;
    return true;
  }

  function open(at: number): void {
    let onlineNow = online && !stolen;
    if (onlineNow) {
      if (at - keys.fetchedAt >= world.jwksRefreshSeconds) fetchJwks(at);
      if (at >= token.exp && !sync(at, true)) onlineNow = false;
    }
    const clockError = skew - rolledBack;
    const wall = at + clockError;
    let times = { now: wall, lastServerTime: lastServer, lastCheckIn, online: onlineNow };
    let d = decideOpening(policy, token, keys, times);
    if (d.code === "refresh-required") {
      // A fast clock says the token has expired before the app thought so: refresh as the verifier asks, retry.
      const refreshed = sync(at, true);
      times = { now: wall, lastServerTime: lastServer, lastCheckIn, online: refreshed };
      d = decideOpening(policy, token, keys, times);
    }
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
    // The oracle: the same rules at true time. Only needed where the device's view can differ from it.
    let outside = false;
    if (isAccepted && clockError < 0) {
      const truth = timeRulesAt(policy, token, { ...times, now: at - S });
      outside = !accepted(truth);
      if (outside) {
        tally.acceptedOutsidePolicy++;
        if (tally.outsideExamples.length < world.maxExamples)
          tally.outsideExamples.push({ device: id, at, code: `${d.code} (policy: ${truth.code})` });
      }
    }
    if (stolen) {
      tally.thiefOpenings[d.decision]++;
      if (isAccepted) {
        if (at >= revokedAt) lastThiefAcceptance = at;
        if (at >= revokedAt && !outside) lastThiefAcceptanceInPolicy = at;
      } else if (thiefTries < 3 && p.clock.rollbackBySeconds > 0) {
        // A thief who is refused sets the clock back and tries again.
        thiefTries++;
        rolledBack += p.clock.rollbackBySeconds;
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
        if (t > lastServer) lastServer = t;
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
      // Stolen: the thief keeps the device offline (online, the revoked refresh token would end the session).
      stolen = true;
      online = false;
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
      lagWithClockSetBackSeconds: Math.max(0, lastThiefAcceptance - revokedAt),
    });
  }
}
