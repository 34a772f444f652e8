/**
 * The one place the simulator calls the offline verifier. Every opening of the app is decided here with the
 * verifier's own rules: the key check `decide()` makes first (`kid-unknown`), then {@link applyTimeRules}, the
 * pure synchronous time rules `decide()` itself applies after the signature. Signatures are not checked on this
 * hot path; {@link verifySamples} replays a sample of openings through the real, asynchronous `decide()` with
 * real signed tokens and real bundles, and reports any opening where the two disagree.
 *
 * Clock trust is the session's own (trusted-time.ts): the device keeps the part of the session state an app
 * following the guide persists that clock trust uses, passes the monotonic clock (boot id, seconds since boot) with every decision, and the
 * floor, the high-water mark and the server times go through `trustedFloor`, `advanceTrustedTime` and
 * `observeServerTime`, the functions `OfflineSession` calls.
 *
 * Which keys a device holds follows the JWKS cache rule of docs/offline-verifier.md: the bundle is the
 * fallback, a fetched JWKS is merged in, and a fetch newer than the bundle is authoritative (a key it no
 * longer lists was deleted server-side).
 */
import type { KeyObject } from "node:crypto";
import { SignJWT } from "jose";
import { type Bundle, type BundleKey, loadBundle } from "../../packages/verifier/src";
import { decideWithKeys } from "../../packages/verifier/src/decide";
import type { PolicyFile } from "../../packages/verifier/src/format";
import { offlineRulesOf } from "../../packages/verifier/src/offline-policy";
import { offlineBootsRefusal } from "../../packages/verifier/src/reboot-bound";
import { isRestoredCopy } from "../../packages/verifier/src/state-seal";
import { applyTimeRules, type TimeRulesResult } from "../../packages/verifier/src/time-rules";
import {
  advanceTrustedTime,
  type MonotonicReading,
  observeServerTime,
  offlineBootsAfter,
  type TrustedTimeState,
  trustedFloor,
} from "../../packages/verifier/src/trusted-time";
import type { BundleFiles } from "../bundle/content";
import type { DegradedMode } from "../policy/types";

/** The policy values the time rules read, as `policy.json` carries them. */
export interface TimeRulesPolicy {
  accessTokenTtlSeconds: number;
  graceSeconds: number;
  checkInSeconds: number;
  clockRollbackToleranceSeconds: number;
  degradedMode: DegradedMode;
  /** `clockTrust.offlineBoots`: boots a device may start offline between server times. */
  offlineBoots: number;
}

/** The token's time claims. */
export interface TokenTimes {
  exp: number;
  iat?: number;
  nbf?: number;
}

/** What the device knows about time, in seconds. */
export interface DeviceTimes {
  now: number;
  /** The latest time the device trusts besides its wall clock (see {@link clockFloor}); `-Infinity` for none. */
  floor: number;
  lastServerTime?: number;
  lastCheckIn?: number;
  online: boolean;
  /** Boots started offline since the last server time, this one included (see {@link clockBoots}). */
  boots: number;
  /** The session's state is lost (a restored older copy the counter store caught): `state-invalid` until online. */
  stateLost?: true;
}

/** The clock trust a simulated device keeps: the part of the session's persisted state that clock trust uses. */
export interface DeviceClock {
  state: TrustedTimeState;
  /**
   * False: the floor is the last server time alone, as an app without the session's clock trust (no
   * high-water mark, no monotonic clock) would have it. Only to show what the simulator detects without it.
   */
  trust: boolean;
}

export function newDeviceClock(trust: boolean): DeviceClock {
  return { state: { lastServerTime: null, highWaterMark: null, anchor: null }, trust };
}

/**
 * A restored copy of the device state, sealed at `savedCounter`, read back where the counter store (if the app
 * keeps one: `counterStore`) holds `heldCounter`: true when the session treats it as lost (`isRestoredCopy`,
 * the session's own rule in state-seal.ts), false when it opens it as its state.
 */
export function restoreIsLost(savedCounter: number, heldCounter: number, counterStore: boolean): boolean {
  return isRestoredCopy(savedCounter, counterStore ? heldCounter : undefined);
}

/** The floor the session would decide on now: `trustedFloor` of its state and the monotonic reading. */
export function clockFloor(clock: DeviceClock, monotonic: MonotonicReading): number {
  if (!clock.trust) return clock.state.lastServerTime ?? Number.NEGATIVE_INFINITY;
  return trustedFloor(clock.state, monotonic);
}

/** The boots the session counts as started offline at this reading (`offlineBootsAfter`); 0 without clock trust. */
export function clockBoots(clock: DeviceClock, monotonic: MonotonicReading): number {
  return clock.trust ? offlineBootsAfter(clock.state, monotonic) : 0;
}

/**
 * The same state as a fresh object literal, handed to the session's functions that copy it (`{ ...state }`).
 * Those copies are the device's next state, so without this each would copy the previous copy: V8 (Node 20)
 * copies an object made by a spread on its slow path, about 70-110 ns against 15-30 ns for an object literal's
 * (measured in isolation), which made `advanceTrustedTime` the hottest function of a fleet run (15% of its CPU).
 * An absent `offlineBoots` reads as 0 everywhere in trusted-time.ts, so writing 0 changes no result.
 */
export function plainClockState(s: TrustedTimeState): TrustedTimeState {
  return {
    lastServerTime: s.lastServerTime,
    highWaterMark: s.highWaterMark,
    anchor: s.anchor,
    offlineBoots: s.offlineBoots ?? 0,
  } satisfies Required<TrustedTimeState>;
}

/** After a decision at wall clock `now` on `floor`: the session advances its high-water mark and anchor. */
export function clockDecided(clock: DeviceClock, now: number, floor: number, monotonic: MonotonicReading): void {
  if (!clock.trust) return;
  clock.state = advanceTrustedTime(plainClockState(clock.state), Math.max(now, floor), monotonic);
}

/** A server response at `serverTime` (a JWKS fetch, a refresh): the session resets its trusted time to it. */
export function clockServerTime(clock: DeviceClock, serverTime: number, monotonic: MonotonicReading): void {
  clock.state = observeServerTime(plainClockState(clock.state), serverTime, monotonic);
}

/**
 * The verifier's time rules on the simulator's numbers, on the floor the session derives; claims age and the
 * bundle horizon are not what the simulator measures, so they never refuse.
 */
function timeRules(policy: TimeRulesPolicy, token: TokenTimes, device: DeviceTimes): TimeRulesResult {
  return applyTimeRules({
    exp: token.exp,
    iat: token.iat,
    nbf: token.nbf,
    now: device.now,
    floor: device.floor,
    lastCheckIn: device.lastCheckIn,
    online: device.online,
    policy: {
      accessTokenTtlSeconds: policy.accessTokenTtlSeconds,
      graceSeconds: policy.graceSeconds,
      checkInSeconds: policy.checkInSeconds,
      clockRollbackToleranceSeconds: policy.clockRollbackToleranceSeconds,
      degraded: policy.degradedMode !== "none",
      claimsMaxAgeSeconds: Number.POSITIVE_INFINITY,
      horizon: Number.POSITIVE_INFINITY,
    },
  });
}

/** The keys a device holds: the last JWKS it fetched and the bundle of the app build it runs. */
export interface DeviceKeys {
  fetched: ReadonlySet<number>;
  fetchedAt: number;
  bundle: ReadonlySet<number>;
  bundleAt: number;
  /** Generations the bundle's `policy.json` lists in `revokedKeys`: refused whatever key set holds them. */
  bundleRevoked: ReadonlySet<number>;
}

/** A token as the simulator tracks it: the generation of the key that signed it, and its time claims. */
export interface SimToken {
  generation: number;
  iat: number;
  exp: number;
}

/** The answer to one opening: the decision and the verifier's reason code. */
export interface OpeningDecision {
  decision: "full" | "degraded" | "refused";
  code: string;
}

const KID_UNKNOWN: OpeningDecision = { decision: "refused", code: "kid-unknown" };
const CLOCK_UNVERIFIED: OpeningDecision = { decision: "refused", code: "clock-unverified" };
const STATE_INVALID: OpeningDecision = { decision: "refused", code: "state-invalid" };
const KID_REVOKED: OpeningDecision = { decision: "refused", code: "kid-revoked" };

/** True when the device can find the key that signed a token of `generation`. */
export function holdsKey(keys: DeviceKeys, generation: number): boolean {
  if (keys.fetchedAt >= keys.bundleAt) return keys.fetched.has(generation);
  return keys.bundle.has(generation) || keys.fetched.has(generation);
}

/** What the verifier answers at an opening (signature assumed valid: see {@link verifySamples}). */
export function decideOpening(
  policy: TimeRulesPolicy,
  token: SimToken,
  keys: DeviceKeys,
  device: DeviceTimes,
): OpeningDecision {
  // A lost state grants nothing until an online sign-in (session.ts, `state-invalid`).
  if (device.stateLost === true) return STATE_INVALID;
  // The session's first gate: more boots started offline than the policy allows (reboot-bound.ts).
  if (device.boots > policy.offlineBoots) return CLOCK_UNVERIFIED;
  // The key step (token-steps.ts `keyFor`): a kid the bundle lists as revoked first, then an unknown kid.
  if (keys.bundleRevoked.has(token.generation)) return KID_REVOKED;
  if (!holdsKey(keys, token.generation)) return KID_UNKNOWN;
  return timeRules(policy, token, device);
}

/** The verifier's time rules alone: what the policy says for a token at a given time (the simulator's oracle). */
export function timeRulesAt(policy: TimeRulesPolicy, token: TokenTimes, device: DeviceTimes): TimeRulesResult {
  return timeRules(policy, token, device);
}

/** An opening kept for replay through the real `decide()`. */
export interface Sample {
  device: number;
  /** True time of the opening. */
  at: number;
  token: SimToken;
  /** What the device knew about time. */
  times: DeviceTimes;
  /** Index of the release whose bundle the device runs, and of the key snapshot of its last JWKS fetch. */
  release: number;
  fetchedSnapshot: number;
  fetchedAt: number;
  bundleAt: number;
  fast: OpeningDecision;
  /**
   * A token forged with a compromised key (compromise.ts): the session never saw it arrive online. An owner's
   * token did arrive online, so the session's `keysSeenOnline` holds its key (the projected activation of a key
   * that signs early, after a revoked signing key, no longer bounds it).
   */
  forged?: true;
}

/** What {@link verifySamples} needs of the application and its key timeline. */
export interface SampleContext {
  issuer: string;
  audience: string;
  /** The bundle of a release (built by the kit's bundle code). */
  releaseFiles(index: number): BundleFiles;
  /** Bundle files holding exactly the keys FusionAuth published at a snapshot (built by the kit's bundle code). */
  snapshotFiles(index: number): BundleFiles;
  privateKey(generation: number): { kid: string; key: KeyObject };
}

export interface SampleCheck {
  checked: number;
  mismatches: { sample: Sample; real: OpeningDecision }[];
}

/**
 * Replays samples through the real decision (`decideWithKeys`, which `decide()` and the session's `decide` both
 * run): a token signed with the real key of its generation, and the device's key set assembled from real bundles
 * loaded by `loadBundle`, decided as the session decides it (its floor, its recorded check-in, the keys it saw
 * online).
 */
export async function verifySamples(samples: readonly Sample[], ctx: SampleContext): Promise<SampleCheck> {
  const loaded = new Map<string, Promise<Bundle>>();
  const load = (id: string, files: () => BundleFiles) => {
    let b = loaded.get(id);
    if (b === undefined) {
      b = loadBundle(files());
      loaded.set(id, b);
    }
    return b;
  };
  const mismatches: SampleCheck["mismatches"] = [];
  for (const s of samples) {
    const release = await load(`r${s.release}`, () => ctx.releaseFiles(s.release));
    const fetched = await load(`s${s.fetchedSnapshot}`, () => ctx.snapshotFiles(s.fetchedSnapshot));
    const keys = new Map<string, BundleKey>(fetched.keys);
    if (s.fetchedAt < s.bundleAt) for (const [kid, k] of release.keys) keys.set(kid, k);
    const bundle: Bundle = { policy: release.policy as PolicyFile, jwks: release.jwks, keys };
    const signer = ctx.privateKey(s.token.generation);
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: "ES256", kid: signer.kid })
      .setIssuer(ctx.issuer)
      .setAudience(ctx.audience)
      .setIssuedAt(s.token.iat)
      .setExpirationTime(s.token.exp)
      .sign(signer.key);
    const d = s.times;
    // A lost state is the session's refusal before any token; decide() has no stored state.
    if (d.stateLost === true) {
      if (s.fast.code !== "state-invalid")
        mismatches.push({ sample: s, real: { decision: "refused", code: "state-invalid" } });
      continue;
    }
    // The session refuses on the boot count before the token (reboot-bound.ts); decide() has no boot count.
    const bootRefusal = offlineBootsRefusal(d.boots, offlineRulesOf(bundle.policy), Math.max(d.now, d.floor));
    if (bootRefusal !== undefined) {
      if (s.fast.code !== "clock-unverified")
        mismatches.push({ sample: s, real: { decision: "refused", code: "clock-unverified" } });
      continue;
    }
    // The session's call (session.ts): its key set, its floor, its recorded check-in and the keys it saw online.
    const real = await decideWithKeys(token, bundle, keys, {
      now: d.now,
      floor: d.floor,
      lastCheckIn: d.lastCheckIn,
      online: d.online,
      ...(s.forged === true ? {} : { keysSeenOnline: new Set([signer.kid]) }),
    });
    if (real.decision !== s.fast.decision || real.reason.code !== s.fast.code)
      mismatches.push({ sample: s, real: { decision: real.decision, code: real.reason.code } });
  }
  return { checked: samples.length, mismatches };
}
