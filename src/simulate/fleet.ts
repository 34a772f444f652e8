/**
 * A fleet run: for each application of a stack, the key timeline of its tenant and N devices over D days, then
 * the figures per application. Synchronous and deterministic for a seed; the signature check of the sampled
 * openings is a separate, asynchronous step ({@link checkSignatures}).
 */
import type { BundleFiles } from "../bundle/content";
import { parseInstant } from "../lib/instant";
import { planExposure } from "../plan/exposure";
import type { RetentionPolicy } from "../policy/retention";
import { ROTATION_EPOCH_SECONDS } from "../rotation/epoch";
import type { ApplicationState, DesiredState, TenantState } from "../stack/desired-state";
import { planStackRotation } from "../stack/rotation";
import { drawCompromiseTimes } from "./compromise";
import { type SampleCheck, verifySamples } from "./decision";
import { type DeviceWorld, type Example, emptyTally, type FleetTally, simulateDevice, YEAR_SECONDS } from "./device";
import { buildKeyTimeline, COMPROMISE_REASON, type Compromise, type KeyTimeline, snapshotBundle } from "./key-timeline";
import type { SimulationProfile } from "./profile";
import { hashString } from "./random";

export interface FleetOptions {
  devices: number;
  days: number;
  seed: number;
  /** First simulated instant (default: the rotation epoch, when the tenant's first key signs). */
  start?: number;
  /**
   * Keep every n-th opening of the fleet for the signature check (0: none). Default: about
   * {@link DEFAULT_SAMPLES} openings per application, at least every 50th.
   */
  sampleEvery?: number;
  /**
   * False: devices decide on their last server time alone, without the offline session's clock trust (no
   * high-water mark, no monotonic clock); shows what the simulator detects when clock trust is missing.
   */
  clockTrust?: boolean;
  /** False: devices keep no counter store, so a thief's restored older state opens (shows what the run catches). */
  counterStore?: boolean;
  /**
   * False: devices decide without their recorded check-in, as a caller of the stateless `decide()` without
   * `lastCheckIn`: the token's `iat`, which a forger writes, stands in (shows what the compromise replay catches).
   */
  checkInRecord?: boolean;
  /** Replay under another retention rule than the kit's (derived retention assumed). */
  retentionRule?: (policy: RetentionPolicy) => number;
  maxExamples?: number;
  /** Simulate only this device (a reproducer); its stream is the same as in the whole fleet. */
  device?: number;
  /** Simulate only devices `from` to `to - 1` (one share of a fleet split across threads). */
  range?: { from: number; to: number };
}

/** The figures of one application. Durations in seconds. */
export interface ApplicationReport {
  tenant: string;
  application: string;
  preset: string;
  devices: number;
  deviceYears: number;
  openings: number;
  shares: { full: number; degraded: number; refused: number };
  refusedBy: Record<string, number>;
  refusedClockFault: number;
  unexplainedRefusals: { count: number; examples: Example[] };
  acceptedOutsidePolicy: { count: number; examples: Example[] };
  /**
   * Accepted only because the device was powered off: the policy refuses them at true time, allows them at true
   * time minus the time the device was off since its last server contact (which the offline session cannot
   * count; docs/offline-verifier.md, clock trust). Not a defect; `maxOffSeconds` is the largest such off time.
   */
  acceptedPoweredOff: { count: number; maxOffSeconds: number; examples: Example[] };
  /** Thieves' restores of an old device state, and the acceptances outside the policy after one (in the count above). */
  restores: { attempted: number; acceptedOutsidePolicy: number };
  revocationLag: {
    stolenDevices: number;
    p50: number | null;
    p99: number | null;
    max: number | null;
    /** The plan's figure: A + G. */
    planSeconds: number;
    /** With degraded mode, a revoked device may keep reading until the check-in: max(A + G, C) when degraded. */
    boundSeconds: number;
    /** The same lag counting every acceptance, those a thief got by switching the device off included. */
    withPowerOff: { p50: number | null; p99: number | null; max: number | null };
  };
  keys: { rotations: number; retentionSeconds: number; keyCompromisesDrawn: number };
  /** The replay of the key compromises drawn: what the attackers holding the keys got. */
  compromises: CompromiseReport;
  logins: number;
  syncs: number;
  failedRefreshes: number;
  /** Filled by {@link checkSignatures}. */
  signatures?: { checked: number; mismatches: number; examples: Example[] };
}

/** The key compromises of a run, replayed (compromise.ts). Durations in seconds. */
export interface CompromiseReport {
  /** Each compromise: the generation revoked, when (Unix seconds), and the pipeline run that deleted it. */
  replayed: { generation: number; at: number; appliedAt: number }[];
  /**
   * Forged tokens decided at openings after a compromise while the device could hold the key (not after it holds
   * a JWKS or bundle from after the deletion: refused then), and those accepted (full, degraded).
   */
  forgedDecided: number;
  acceptedFull: number;
  acceptedDegraded: number;
  /** Per device: from a compromise to its last acceptance of a forged token within the bound (0: none). */
  window: { devices: number; p50: number | null; p99: number | null; max: number | null };
  /**
   * `plan`'s figure for the same stack: its EXPOSURE's "accept tokens forged with it until at most", from the
   * compromise, planned just before the run that deletes the key (C after that run); the largest of the run.
   */
  planSeconds: number | null;
  /** Accepted at or after the bound: a defect. */
  acceptedOutsidePolicy: { count: number; examples: Example[] };
  /** Past the bound only by the time before a boot the session cannot count (a held clock): not a defect. */
  acceptedHeldClock: { count: number; maxOffSeconds: number };
  /** The owners' openings refused because their own token's key was revoked (the revocation's call). */
  refusedRevokedKey: number;
}

export interface ApplicationRun {
  report: ApplicationReport;
  tally: FleetTally;
  timeline: KeyTimeline;
  tenant: TenantState;
  application: ApplicationState;
}

/** How many openings per application the signature check replays by default. */
export const DEFAULT_SAMPLES = 1000;

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] as number;
}

/** An application ready to run devices: its key timeline and what its devices share. */
export interface PreparedApplication {
  tenant: TenantState;
  application: ApplicationState;
  profile: SimulationProfile;
  options: FleetOptions;
  timeline: KeyTimeline;
  world: DeviceWorld;
}

/** Builds the key timeline and the device world of one application. */
export function prepareApplication(
  tenant: TenantState,
  application: ApplicationState,
  profile: SimulationProfile,
  options: FleetOptions,
): PreparedApplication {
  const start = options.start ?? ROTATION_EPOCH_SECONDS;
  const end = start + options.days * 86_400;
  let tenantPolicy = tenant.policy;
  if (options.retentionRule !== undefined) {
    // What compilation would have derived under that rule: the largest over the tenant and its applications.
    const rule = options.retentionRule;
    const retentionSeconds = Math.max(rule(tenant.policy), ...tenant.applications.map((a) => rule(a.policy)));
    tenantPolicy = { ...tenant.policy, keys: { ...tenant.policy.keys, retentionSeconds } };
  }
  const compromiseTimes = drawCompromiseTimes(
    options.seed,
    tenant.key,
    profile.incidents.keyCompromisesPerYear,
    start,
    end,
  );
  const timeline = buildKeyTimeline({
    tenant: { key: tenant.key, issuer: tenant.issuer, policy: tenantPolicy },
    application: { id: application.id, key: application.key, name: application.name, policy: application.policy },
    epoch: ROTATION_EPOCH_SECONDS,
    start,
    end,
    deployEverySeconds: profile.pipeline.deployEverySeconds,
    releaseEverySeconds: profile.updates.releaseEverySeconds,
    retentionRule: options.retentionRule,
    compromiseTimes,
  });
  const a = application.policy;
  const world: DeviceWorld = {
    seed: options.seed,
    stream: hashString(`${tenant.key}/${application.key}`),
    start,
    end,
    profile,
    policy: {
      accessTokenTtlSeconds: a.accessToken.ttlSeconds,
      graceSeconds: a.offline.graceSeconds,
      checkInSeconds: a.offline.checkInSeconds,
      clockRollbackToleranceSeconds: a.offline.clockRollbackToleranceSeconds,
      degradedMode: a.offline.degradedMode,
      offlineBoots: a.offline.clockTrust.offlineBoots,
    },
    refresh: {
      expiration: a.refreshToken.expirationPolicy,
      idleSeconds: a.refreshToken.lifetimeMinutes * 60,
      maxSeconds: a.refreshToken.maximumLifetimeMinutes * 60,
    },
    jwksRefreshSeconds: a.offline.jwksRefreshSeconds,
    timeline,
    sampleEvery:
      options.sampleEvery ??
      Math.max(50, Math.ceil((options.devices * options.days * profile.usage.opensPerDay) / DEFAULT_SAMPLES)),
    maxExamples: options.maxExamples ?? 5,
    clockTrust: options.clockTrust ?? true,
    counterStore: options.counterStore ?? true,
    checkInRecord: options.checkInRecord ?? true,
  };
  return { tenant, application, profile, options, timeline, world };
}

/** Runs the devices the options name (all, one, or a range) and returns their tally. */
export function runDevices(prepared: PreparedApplication): FleetTally {
  const { world, options } = prepared;
  const tally = emptyTally();
  if (options.device !== undefined) simulateDevice(world, options.device, tally);
  else {
    const from = options.range?.from ?? 0;
    const to = Math.min(options.devices, options.range?.to ?? options.devices);
    for (let id = from; id < to; id++) simulateDevice(world, id, tally);
  }
  return tally;
}

/** The figures of an application from its devices' tally. */
export function applicationRun(prepared: PreparedApplication, tally: FleetTally): ApplicationRun {
  const { tenant, application, timeline, world } = prepared;
  const { start, end } = world;
  const a = application.policy;
  const lags = tally.stolen.map((s) => s.lagSeconds).sort((x, y) => x - y);
  const tampered = tally.stolen.map((s) => s.lagWithPowerOffSeconds).sort((x, y) => x - y);
  const total = Math.max(1, tally.openings);
  const A = a.accessToken.ttlSeconds;
  const G = a.offline.graceSeconds;
  const plan = A + G;
  const signings = new Set(timeline.snapshots.map((s) => s.signing));
  const report: ApplicationReport = {
    tenant: tenant.key,
    application: application.key,
    preset: application.preset,
    devices: tally.devices,
    deviceYears: (tally.devices * (end - start)) / YEAR_SECONDS,
    openings: tally.openings,
    shares: { full: tally.full / total, degraded: tally.degraded / total, refused: tally.refused / total },
    refusedBy: Object.fromEntries(Object.entries(tally.refusedBy).sort(([x], [y]) => (x < y ? -1 : 1))),
    refusedClockFault: tally.refusedClockFault,
    unexplainedRefusals: { count: tally.unexplainedRefusals, examples: tally.unexplainedExamples },
    acceptedOutsidePolicy: { count: tally.acceptedOutsidePolicy, examples: tally.outsideExamples },
    acceptedPoweredOff: {
      count: tally.acceptedPoweredOff,
      maxOffSeconds: tally.poweredOffMaxSeconds,
      examples: tally.poweredOffExamples,
    },
    restores: { attempted: tally.thiefRestores, acceptedOutsidePolicy: tally.restoredAcceptedOutside },
    revocationLag: {
      stolenDevices: lags.length,
      p50: percentile(lags, 0.5),
      p99: percentile(lags, 0.99),
      max: lags.length === 0 ? null : (lags[lags.length - 1] as number),
      planSeconds: plan,
      boundSeconds: a.offline.degradedMode === "none" ? plan : Math.max(plan, a.offline.checkInSeconds),
      withPowerOff: {
        p50: percentile(tampered, 0.5),
        p99: percentile(tampered, 0.99),
        max: tampered.length === 0 ? null : (tampered[tampered.length - 1] as number),
      },
    },
    keys: {
      rotations: signings.size - 1,
      retentionSeconds: timeline.snapshots[0]?.state.retentionSeconds ?? 0,
      keyCompromisesDrawn: timeline.compromises.length,
    },
    compromises: compromiseReport(prepared, tally),
    logins: tally.logins,
    syncs: tally.syncs,
    failedRefreshes: tally.failedRefreshes,
  };
  return { report, tally, timeline, tenant, application };
}

/**
 * What `plan` prints for a compromise of `c.generation` at `c.at` on this application, planned (as the runbook
 * does) just before the pipeline run that deletes the key: its "until at most", from the compromise.
 */
function planCompromiseSeconds(tenant: TenantState, application: ApplicationState, c: Compromise): number {
  const revoked = { ...tenant, revokedKeys: [{ generation: c.generation, reason: COMPROMISE_REASON, at: c.at }] };
  const e = planExposure("sim", planStackRotation({ tenants: [revoked] }, c.appliedAt)).find(
    (x) => x.applicationId === application.id,
  );
  if (e === undefined) throw new RangeError(`plan shows no exposure for ${tenant.key}/${application.key}`);
  return (parseInstant(e.staleDevicesAcceptUntil) as number) - c.at;
}

/** The compromise figures of an application from its devices' tally. */
function compromiseReport(prepared: PreparedApplication, tally: FleetTally): CompromiseReport {
  const { tenant, application, timeline } = prepared;
  const f = tally.forged;
  const windows = [...f.windows].sort((x, y) => x - y);
  const plans = timeline.compromises.map((c) => planCompromiseSeconds(tenant, application, c));
  return {
    replayed: timeline.compromises.map((c) => ({ generation: c.generation, at: c.at, appliedAt: c.appliedAt })),
    forgedDecided: f.decided,
    acceptedFull: f.full,
    acceptedDegraded: f.degraded,
    window: {
      devices: windows.length,
      p50: percentile(windows, 0.5),
      p99: percentile(windows, 0.99),
      max: windows.length === 0 ? null : (windows[windows.length - 1] as number),
    },
    planSeconds: plans.length === 0 ? null : Math.max(...plans),
    acceptedOutsidePolicy: { count: f.outside, examples: f.outsideExamples },
    acceptedHeldClock: { count: f.heldClock, maxOffSeconds: f.heldClockMaxSeconds },
    refusedRevokedKey: tally.refusedRevokedKey,
  };
}

/** Simulates one application of a tenant. */
export function simulateApplication(
  tenant: TenantState,
  application: ApplicationState,
  profile: SimulationProfile,
  options: FleetOptions,
): ApplicationRun {
  const prepared = prepareApplication(tenant, application, profile, options);
  return applicationRun(prepared, runDevices(prepared));
}

/** Simulates every application of a stack. */
export function simulateStack(
  state: DesiredState,
  profile: SimulationProfile,
  options: FleetOptions,
): ApplicationRun[] {
  return state.tenants.flatMap((t) => t.applications.map((a) => simulateApplication(t, a, profile, options)));
}

/** Replays the sampled openings of a run through the real `decide()` and records the outcome in its report. */
export async function checkSignatures(run: ApplicationRun): Promise<SampleCheck> {
  const { timeline, tenant, application } = run;
  const snapshotFiles = (index: number): BundleFiles => {
    const snap = timeline.snapshots[index];
    if (snap === undefined) throw new RangeError(`no key snapshot ${index}`);
    const input = {
      tenant: { key: tenant.key, issuer: tenant.issuer, policy: tenant.policy },
      application: { id: application.id, key: application.key, name: application.name, policy: application.policy },
    };
    return snapshotBundle(input, timeline.material, snap, snap.at, timeline.compromises);
  };
  const result = await verifySamples(run.tally.samples, {
    issuer: tenant.issuer,
    audience: application.id,
    releaseFiles: timeline.releaseFiles,
    snapshotFiles,
    privateKey: (g) => {
      const m = timeline.material.get(g);
      if (m === undefined) throw new RangeError(`no key material for generation ${g}`);
      return { kid: m.kid, key: m.privateKey };
    },
  });
  run.report.signatures = {
    checked: result.checked,
    mismatches: result.mismatches.length,
    examples: result.mismatches.slice(0, 5).map((m) => ({
      device: m.sample.device,
      at: m.sample.at,
      code: `${m.sample.fast.code} vs decide(): ${m.real.code}`,
    })),
  };
  return result;
}
