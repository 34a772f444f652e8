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
 *
 * After a key compromise (compromise.ts) an attacker presents a token forged with the revoked key at every
 * opening; an app whose own token was signed by the revoked key, and is refused for it, refreshes when online.
 */

import type { MonotonicReading } from "../../packages/verifier/src/trusted-time";
import type { RefreshExpirationPolicy } from "../policy/types";
import { ForgedReplay } from "./compromise";
import {
  clockBoots,
  clockDecided,
  clockFloor,
  clockServerTime,
  type DeviceClock,
  type DeviceKeys,
  type DeviceTimes,
  decideOpening,
  newDeviceClock,
  type OpeningDecision,
  restoreIsLost,
  type SimToken,
  type TimeRulesPolicy,
  timeRulesAt,
} from "./decision";
import type { KeyTimeline, Release } from "./key-timeline";
import type { SimulationProfile } from "./profile";
import { createRandom, mixSeed, type Random, sampler, waitFor } from "./random";
import type { FleetTally } from "./tally";

export { type Example, emptyTally, type FleetTally, mergeTally } from "./tally";

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
  /** False: decide without the recorded check-in, on the token's `iat` (only to show what the replay catches). */
  checkInRecord: boolean;
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

const KEY_CODES = new Set(["kid-unknown", "kid-revoked"]);

/** Simulates device number `id` of the world and adds what happened to `tally`. */
export function simulateDevice(world: DeviceWorld, id: number, tally: FleetTally): void {
  new DeviceLife(world, id, tally).run();
}

/** The backup of the device state a cloud backup takes at each server contact. */
interface Backup {
  state: DeviceClock["state"];
  counter: number;
  wall: number;
}

/** One device's life: its state, and one method per kind of event. */
class DeviceLife {
  private readonly p: SimulationProfile;
  private readonly policy: TimeRulesPolicy;
  private readonly timeline: KeyTimeline;
  private readonly releases: readonly Release[];
  private readonly r: Random;
  private readonly draw: Samplers;
  private readonly openRate: number;
  // Clock: a fixed skew for some devices; rollbacks last until the next time the device is online (NTP).
  private readonly skew: number;
  private rolledBack = 0;
  // Day one: installed with the first release, online, logged in.
  private online = true;
  private toggleAt: number;
  private token: SimToken;
  private lastCheckIn: number;
  // The session's clock trust, and the device's power: boots are numbered; openings while off do not happen.
  private readonly clock: DeviceClock;
  private boot = 0;
  private bootId = "0";
  private bootAt: number;
  private poweredOnAt: number;
  // One reading object per device, refilled: the session copies what it keeps (its anchor), never the object.
  private readonly reading: MonotonicReading = { bootId: "0", elapsedSeconds: 0 };
  // What the session cannot see: from its last trusted moment before a shutdown to the boot (the new boot's uptime
  // is counted), summed since the last server contact; the oracle grants exactly this much (the guide's bound).
  private lastTrustAt: number;
  private lastWall: number;
  private offUncounted = 0;
  private booted = false;
  private setClockAtBoot = false;
  // The sealed state's counter (one save per decision and per server contact), the backup taken at the last
  // server contact (a cloud backup runs while online), and whether the session's state is lost or restored.
  private saved = 0;
  private backup: Backup;
  private stateLost = false;
  private restored = false;
  private refreshUsed: number;
  private sessionStart: number;
  private fetchedSnapshot: number;
  private readonly keys: DeviceKeys;
  private release = 0;
  private nextOpen: number;
  private nextInstall = 1;
  private installAt: number;
  private rollbackAt: number;
  private readonly stolenAt: number;
  private readonly revokedAt: number;
  private stolen = false;
  private thiefTries = 0;
  private readonly thiefTampers: boolean;
  // Half the thieves (odd devices: no random draw, so the other devices' streams are unchanged) reboot before
  // every use and set the clock back to the reading the app last showed; the others tamper as in `thiefRefused`.
  private readonly thiefRebootsEachUse: boolean;
  private thiefRestoring = false;
  private lastThiefAcceptance = Number.NEGATIVE_INFINITY;
  private lastThiefAcceptanceInPolicy = Number.NEGATIVE_INFINITY;
  // Each device samples every n-th of its own openings from its own offset, so the sample does not depend on
  // which devices share a run (a fleet split across threads samples the same openings).
  private untilSample: number;
  private untilForgedSample: number;
  private readonly forged: ForgedReplay | undefined;
  private readonly firstCompromiseAt: number;
  // The opening the forged tokens are presented at (for their samples).
  private openingAt = 0;
  private openingTimes: DeviceTimes | undefined;

  constructor(
    private readonly world: DeviceWorld,
    private readonly id: number,
    private readonly tally: FleetTally,
  ) {
    const { profile: p, policy, timeline, start, end } = world;
    this.p = p;
    this.policy = policy;
    this.timeline = timeline;
    this.releases = timeline.releases;
    const r = createRandom(mixSeed(world.seed, world.stream, id));
    this.r = r;
    this.draw = samplersOf(p);
    this.openRate = p.usage.opensPerDay / 86_400;
    this.skew = r() < p.clock.skewedShare ? Math.round((2 * r() - 1) * p.clock.maxSkewSeconds) : 0;
    this.toggleAt = start + this.draw.online(r);
    this.token = this.issue(start);
    this.lastCheckIn = start;
    this.clock = newDeviceClock(world.clockTrust);
    this.bootAt = start;
    this.poweredOnAt = start;
    clockServerTime(this.clock, start, this.monotonic(start));
    this.lastTrustAt = start;
    this.lastWall = start + this.skew;
    this.backup = { state: this.clock.state, counter: 0, wall: this.lastWall };
    this.refreshUsed = start;
    this.sessionStart = start;
    this.fetchedSnapshot = timeline.snapshotIndexAt(start);
    const first = this.releases[0] as Release;
    this.keys = {
      fetched: timeline.snapshots[this.fetchedSnapshot]?.live as ReadonlySet<number>,
      fetchedAt: start,
      bundle: first.keys,
      bundleAt: first.at,
      bundleRevoked: first.revoked,
    };
    this.nextOpen = start + waitFor(this.openRate, r);
    this.installAt =
      this.nextInstall < this.releases.length
        ? (this.releases[1]?.at as number) + this.draw.reach(r)
        : Number.POSITIVE_INFINITY;
    this.rollbackAt = start + waitFor(p.clock.rollbacksPerYear / YEAR_SECONDS, r);
    const stolenDraw = start + waitFor(p.incidents.stolenPerYear / YEAR_SECONDS, r);
    this.stolenAt = stolenDraw < end ? Math.round(stolenDraw) : Number.POSITIVE_INFINITY;
    this.revokedAt = this.stolenAt === Number.POSITIVE_INFINITY ? this.stolenAt : this.stolenAt + this.draw.reported(r);
    this.thiefTampers = p.clock.rollbackBySeconds > 0;
    this.thiefRebootsEachUse = this.thiefTampers && id % 2 === 1;
    const offset = world.sampleEvery > 0 ? 1 + ((Math.imul(id, 7919) >>> 0) % world.sampleEvery) : 0;
    this.untilSample = offset;
    this.untilForgedSample = offset;
    const compromises = timeline.compromises;
    this.firstCompromiseAt = compromises[0]?.at ?? Number.POSITIVE_INFINITY;
    this.forged =
      compromises.length === 0
        ? undefined
        : new ForgedReplay(compromises, policy, tally.forged, id, world.maxExamples, (token, d) =>
            this.sampleForged(token, d),
          );
  }

  private monotonic(at: number): MonotonicReading {
    this.reading.bootId = this.bootId;
    this.reading.elapsedSeconds = at - this.bootAt;
    return this.reading;
  }

  private issue(at: number): SimToken {
    const snap = this.timeline.snapshots[this.timeline.snapshotIndexAt(at)];
    return { generation: snap?.signing as number, iat: at, exp: at + this.policy.accessTokenTtlSeconds };
  }

  private refreshValid(at: number): boolean {
    const { expiration, idleSeconds, maxSeconds } = this.world.refresh;
    if (expiration === "Fixed") return at < this.sessionStart + idleSeconds;
    if (expiration === "SlidingWindow") return at < this.refreshUsed + idleSeconds;
    return at < this.refreshUsed + idleSeconds && at < this.sessionStart + maxSeconds;
  }

  private fetchJwks(at: number): void {
    this.fetchedSnapshot = this.timeline.snapshotIndexAt(at);
    this.keys.fetched = this.timeline.snapshots[this.fetchedSnapshot]?.live as ReadonlySet<number>;
    this.keys.fetchedAt = at;
    this.serverContact(at);
  }

  private serverContact(at: number): void {
    clockServerTime(this.clock, at, this.monotonic(at));
    this.lastTrustAt = at;
    this.lastWall = at + this.skew - this.rolledBack;
    this.offUncounted = 0;
    this.restored = false;
    this.saved++;
    this.backup = { state: this.clock.state, counter: this.saved, wall: this.lastWall };
  }

  /**
   * The thief restores the backup of the device state and reboots with the clock set to the backup's reading.
   * With a counter store the session finds an older copy and treats its state as lost; without one it opens it.
   */
  private restoreBackup(at: number): void {
    this.tally.thiefRestores++;
    if (restoreIsLost(this.backup.counter, this.saved, this.world.counterStore)) this.stateLost = true;
    else {
      this.clock.state = this.backup.state;
      this.saved = this.backup.counter;
      this.restored = true;
    }
    this.lastWall = this.backup.wall;
    this.powerCycle(at, 0, true);
  }

  /** Switches the device off at `at` for `seconds` (0: a reboot); `resetClock`: set it at boot to `lastWall`. */
  private powerCycle(at: number, seconds: number, resetClock: boolean): void {
    this.boot++;
    this.bootId = `${this.boot}`;
    this.bootAt = at + seconds;
    this.poweredOnAt = this.bootAt;
    this.booted = true;
    this.setClockAtBoot = resetClock;
  }

  /** JWKS first, then the refresh (the check-in); `interactive`: the user is there to log in. */
  private sync(at: number, interactive: boolean): boolean {
    this.tally.syncs++;
    this.fetchJwks(at);
    if (this.r() < this.p.connectivity.syncFailure) {
      this.tally.failedRefreshes++;
      return false;
    }
    if (!this.refreshValid(at)) {
      if (!interactive) return false;
      this.tally.logins++;
      this.sessionStart = at;
    }
    this.token = this.issue(at);
    this.stateLost = false;
    this.refreshUsed = at;
    this.lastCheckIn = at;
    return true;
  }

  private timesAt(wall: number, reading: MonotonicReading, onlineNow: boolean): DeviceTimes {
    const times: DeviceTimes = {
      now: wall,
      floor: clockFloor(this.clock, reading),
      lastServerTime: this.clock.state.lastServerTime ?? undefined,
      lastCheckIn: this.world.checkInRecord ? this.lastCheckIn : undefined,
      online: onlineNow,
      boots: clockBoots(this.clock, reading),
    };
    // Set after the literal, not spread into it (`...(lost ? { stateLost: true } : {})`), which copied an object
    // at every opening; the key order, and so the samples' JSON, is the same.
    if (this.stateLost) times.stateLost = true;
    return times;
  }

  /** True when the owner's token was signed by a key a compromise revoked (deleted by `at`). */
  private tokenKeyRevoked(at: number): boolean {
    const g = this.token.generation;
    return this.timeline.compromises.some((c) => c.generation === g && c.appliedAt <= at);
  }

  /** Before deciding: the thief's reboot or restore, the boot's clock, and online the JWKS and token refresh. */
  private beforeOpening(at: number): boolean {
    if (this.stolen && this.thiefRebootsEachUse) this.powerCycle(at, 0, true);
    if (this.stolen && this.thiefRestoring) this.restoreBackup(at);
    if (this.booted) {
      this.booted = false;
      this.offUncounted += this.bootAt - this.lastTrustAt;
      // The thief sets the clock to the reading the app last showed, as if no time had passed while off.
      if (this.setClockAtBoot) this.rolledBack = this.skew - (this.lastWall - at);
    }
    let onlineNow = this.online && !this.stolen;
    if (onlineNow) {
      if (at - this.keys.fetchedAt >= this.world.jwksRefreshSeconds) this.fetchJwks(at);
      if (at >= this.token.exp && !this.sync(at, true)) onlineNow = false;
    }
    return onlineNow;
  }

  /** One opening by the owner or the thief. */
  private open(at: number): void {
    if (at < this.poweredOnAt) return;
    const onlineNow = this.beforeOpening(at);
    const clockError = this.skew - this.rolledBack;
    const wall = at + clockError;
    const now = this.monotonic(at);
    let times = this.timesAt(wall, now, onlineNow);
    let d = decideOpening(this.policy, this.token, this.keys, times);
    clockDecided(this.clock, wall, times.floor, now);
    this.saved++;
    if (d.code === "refresh-required" || (onlineNow && KEY_CODES.has(d.code) && this.tokenKeyRevoked(at))) {
      // A fast clock says the token has expired before the app thought so, or the token's key was revoked:
      // refresh as the verifier asks, retry.
      const refreshed = this.sync(at, true);
      times = this.timesAt(wall, this.monotonic(at), refreshed);
      d = decideOpening(this.policy, this.token, this.keys, times);
      clockDecided(this.clock, wall, times.floor, now);
      this.saved++;
    }
    this.lastTrustAt = at;
    this.lastWall = wall;
    this.tally.decided++;
    this.sample(at, this.token, times, d);
    if (this.forged !== undefined && at >= this.firstCompromiseAt) this.presentForged(at, times);
    const outside = d.decision !== "refused" && clockError < 0 && this.judgeAcceptance(at, times, d);
    if (this.stolen) this.thiefOpened(at, d, outside);
    else this.ownerOpened(at, times, d, clockError);
  }

  /** Keeps every n-th of the device's openings for the signature check. */
  private sample(at: number, token: SimToken, times: DeviceTimes, d: OpeningDecision): void {
    if (this.untilSample === 0 || --this.untilSample > 0) return;
    this.untilSample = this.world.sampleEvery;
    this.pushSample(at, token, times, d, false);
  }

  /** Keeps every n-th forged token the device decided, on a count of its own (the owners' sample is unchanged). */
  private sampleForged(token: SimToken, d: OpeningDecision): void {
    if (this.untilForgedSample === 0 || --this.untilForgedSample > 0) return;
    this.untilForgedSample = this.world.sampleEvery;
    this.pushSample(this.openingAt, token, this.openingTimes as DeviceTimes, d, true);
  }

  private pushSample(at: number, token: SimToken, times: DeviceTimes, d: OpeningDecision, forged: boolean): void {
    this.tally.samples.push({
      device: this.id,
      at,
      token,
      times,
      release: this.release,
      fetchedSnapshot: this.fetchedSnapshot,
      fetchedAt: this.keys.fetchedAt,
      bundleAt: this.keys.bundleAt,
      fast: { decision: d.decision, code: d.code },
      ...(forged ? { forged: true as const } : {}),
    });
  }

  /** The attackers holding compromised keys present their forged tokens at this opening. */
  private presentForged(at: number, times: DeviceTimes): void {
    this.openingAt = at;
    this.openingTimes = times;
    (this.forged as ForgedReplay).present({
      at,
      times,
      keys: this.keys,
      windows: (this.releases[this.release] as Release).windows,
      offUncounted: this.offUncounted,
      restored: this.restored,
    });
  }

  /**
   * The oracle for an acceptance on a clock behind true time: the same rules at true time (the last server time,
   * a true time, as the floor). True when the policy refuses it; counted as powered off when the time before
   * a boot the session cannot count explains it, else as outside the policy.
   */
  private judgeAcceptance(at: number, times: DeviceTimes, d: OpeningDecision): boolean {
    const { policy, token, tally } = this;
    const S = policy.clockRollbackToleranceSeconds;
    const truthTimes = { ...times, floor: times.lastServerTime ?? Number.NEGATIVE_INFINITY };
    const truth = timeRulesAt(policy, token, { ...truthTimes, now: at - S });
    if (accepted(truth)) return false;
    // Allowed at true time minus the off time the session cannot count (never before the token's issue)?
    // A restored state is no off time the guide allows for: what follows it is judged at true time.
    const offAllowed =
      !this.restored &&
      this.offUncounted > 0 &&
      accepted(timeRulesAt(policy, token, { ...truthTimes, now: Math.max(at - this.offUncounted, token.iat) - S }));
    const example = { device: this.id, at, code: `${d.code} (policy: ${truth.code})` };
    if (offAllowed) {
      tally.acceptedPoweredOff++;
      if (this.offUncounted > tally.poweredOffMaxSeconds) tally.poweredOffMaxSeconds = this.offUncounted;
      if (tally.poweredOffExamples.length < this.world.maxExamples) tally.poweredOffExamples.push(example);
    } else {
      tally.acceptedOutsidePolicy++;
      if (this.restored) tally.restoredAcceptedOutside++;
      if (tally.outsideExamples.length < this.world.maxExamples) tally.outsideExamples.push(example);
    }
    return true;
  }

  /** The thief's opening: the revocation lag, and the next trick when refused. */
  private thiefOpened(at: number, d: OpeningDecision, outside: boolean): void {
    const { tally } = this;
    tally.thiefOpenings[d.decision]++;
    if (accepted(d)) {
      if (at >= this.revokedAt) this.lastThiefAcceptance = at;
      if (at >= this.revokedAt && !outside) this.lastThiefAcceptanceInPolicy = at;
      return;
    }
    tally.thiefRefusedBy[d.code] = (tally.thiefRefusedBy[d.code] ?? 0) + 1;
    if (this.thiefTries >= 4 || !this.thiefTampers || this.thiefRebootsEachUse) return;
    // A thief who is refused tries, in turn: the clock set back, a reboot, the device switched off a while, then
    // restoring the backup of the device state before every use.
    this.thiefTries++;
    const by = this.p.clock.rollbackBySeconds;
    if (this.thiefTries === 1) this.rolledBack += by;
    else if (this.thiefTries === 2) this.powerCycle(at, 0, false);
    else if (this.thiefTries === 3) this.powerCycle(at, by, true);
    else this.thiefRestoring = true;
  }

  /** The owner's opening: the shares, and a refusal the policy does not call for. */
  private ownerOpened(at: number, times: DeviceTimes, d: OpeningDecision, clockError: number): void {
    const { tally, policy } = this;
    tally.openings++;
    // One named counter per decision, not `tally[d.decision]++`: a keyed increment with three names at one site
    // took V8's megamorphic path and was about 6% of a fleet run's CPU (profiled, 2,000 devices on one thread).
    if (d.decision === "full") tally.full++;
    else if (d.decision === "degraded") tally.degraded++;
    else tally.refused++;
    if (accepted(d)) return;
    tally.refusedBy[d.code] = (tally.refusedBy[d.code] ?? 0) + 1;
    const S = policy.clockRollbackToleranceSeconds;
    if (TIME_CODES.has(d.code) && Math.abs(clockError) > S) {
      tally.refusedClockFault++;
      return;
    }
    if (KEY_CODES.has(d.code) && this.tokenKeyRevoked(at)) {
      tally.refusedRevokedKey++;
      return;
    }
    const truth = timeRulesAt(policy, this.token, { ...times, now: at + S });
    if (accepted(truth)) {
      tally.unexplainedRefusals++;
      if (tally.unexplainedExamples.length < this.world.maxExamples)
        tally.unexplainedExamples.push({ device: this.id, at, code: `${d.code} (policy: ${truth.code})` });
    }
  }

  /** Online and offline spells; coming online, the device syncs (NTP sets its clock right). */
  private toggle(t: number): void {
    if (this.online) {
      this.online = false;
      this.toggleAt = t + this.draw.offline(this.r);
    } else {
      this.online = true;
      this.rolledBack = 0;
      this.sync(t, false);
      this.toggleAt = t + this.draw.online(this.r);
    }
  }

  /** Releases reach a device in order; a later one that arrives first is installed with the earlier one. */
  private install(t: number): void {
    this.release = this.nextInstall;
    const release = this.releases[this.release] as Release;
    this.keys.bundle = release.keys;
    this.keys.bundleAt = release.at;
    this.keys.bundleRevoked = release.revoked;
    this.nextInstall++;
    this.installAt =
      this.nextInstall < this.releases.length
        ? Math.max(t, (this.releases[this.nextInstall]?.at as number) + this.draw.reach(this.r))
        : Number.POSITIVE_INFINITY;
  }

  /**
   * Stolen: the thief keeps the device offline (online, the revoked refresh token would end the session), and
   * switches it off for a while, to boot it later with the clock set back to what the app last showed.
   */
  private steal(t: number): void {
    this.stolen = true;
    this.online = false;
    if (this.thiefTampers && !this.thiefRebootsEachUse) this.powerCycle(t, this.p.clock.rollbackBySeconds, true);
    this.toggleAt = Number.POSITIVE_INFINITY;
    this.installAt = Number.POSITIVE_INFINITY;
    this.rollbackAt = Number.POSITIVE_INFINITY;
  }

  /** Every event of the device in time order, then its figures. */
  run(): void {
    const { end } = this.world;
    for (;;) {
      const stolenAt = this.stolen ? Number.POSITIVE_INFINITY : this.stolenAt;
      const t = Math.min(this.toggleAt, this.nextOpen, this.installAt, this.rollbackAt, stolenAt);
      if (t >= end) break;
      if (t === this.nextOpen) {
        this.open(t);
        this.nextOpen = t + waitFor(this.openRate, this.r);
      } else if (t === this.toggleAt) this.toggle(t);
      else if (t === this.installAt) this.install(t);
      else if (t === this.rollbackAt) {
        this.rolledBack += this.p.clock.rollbackBySeconds;
        this.rollbackAt = t + waitFor(this.p.clock.rollbacksPerYear / YEAR_SECONDS, this.r);
      } else this.steal(t);
    }
    this.finish();
  }

  private finish(): void {
    const { tally } = this;
    tally.devices++;
    this.forged?.finish(this.world.end);
    if (this.stolenAt !== Number.POSITIVE_INFINITY && this.revokedAt < this.world.end) {
      tally.stolen.push({
        device: this.id,
        stolenAt: this.stolenAt,
        revokedAt: this.revokedAt,
        lagSeconds: Math.max(0, this.lastThiefAcceptanceInPolicy - this.revokedAt),
        lagWithPowerOffSeconds: Math.max(0, this.lastThiefAcceptance - this.revokedAt),
      });
    }
  }
}
