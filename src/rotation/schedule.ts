/**
 * The key rotation schedule of one tenant, as a pure function of its policy, an epoch, a time and what
 * FusionAuth holds (docs/design.md section 7).
 *
 * Generations g0, g1, ... are scheduled to sign from `epoch + n * K`. At time t with k the scheduled generation,
 * g(k+1..k+P) are published ahead, g(k) signs, and retired generations stay published and listed as verification
 * keys until tokens they signed can no longer be accepted offline.
 *
 * ## The lead gate
 * A key signs only once it has been published (created in FusionAuth, so present in the JWKS) for the lead
 * `L = J + C + S`: a device that refreshed its JWKS up to J ago and has been offline up to C must already hold
 * the key that signs the tokens it meets. The publication time is the key's `insertInstant` as FusionAuth
 * reports it, never a configured value. When the gate holds a rotation back, the previous key keeps signing
 * and {@link RotationState.heldBack} says until when. Exceptions: the first key of a new tenant signs at once
 * (no device holds an older JWKS); an adopted tenant keeps its existing signing key until the kit's first key
 * has been published for the lead.
 *
 * ## Convergence
 * "Deploying after any gap converges to the state of deploying continuously" means, with PK >= L (a validated
 * invariant): after an idle gap that ends with a deployment at `tb`, the missing generations k..k+P are created
 * at `tb`, so they cannot sign before `tb + L`; meanwhile the previous key keeps signing (never a fresh key).
 * From `tb + L` on, the signing generation and the set of published generations equal those of continuous
 * deployment, and from `tb + L + K + retention` on the retained generations are equal too. Creation,
 * activation and retirement *times* may differ (they record when the deployments happened); the generations
 * that exist, sign and verify do not.
 *
 * ## Recorded times
 * Retention counts from the moment a key stopped signing, which depends on when deployments ran, so the
 * program must persist it (for example in the key's name, the one field FusionAuth lets an update change):
 * pass {@link ObservedKey.retiredAt} and {@link ObservedKey.activatedAt} back as returned in
 * {@link ScheduledKey.retiresAt} / {@link ScheduledKey.activatesAt}. A retired key without a record is treated
 * as retired now: safe (it is kept for a full retention from now), never premature.
 *
 * All times are seconds since the Unix epoch (convert FusionAuth's millisecond `insertInstant` rounding up).
 * @see https://fusionauth.io/docs/operate/secure/key-rotation
 * @see https://fusionauth.io/docs/apis/keys
 */
import type { EffectivePolicy } from "../policy/types";

/** The parts of the effective policy the schedule reads. */
export type RotationPolicy = Pick<EffectivePolicy, "keys" | "accessToken" | "offline">;

/** A kit key of the tenant as FusionAuth (and the program's records) report it. */
export interface ObservedKey {
  /** FusionAuth key id (UUID). */
  id: string;
  generation: number;
  /** FusionAuth `insertInstant`, in seconds: when the key was published. */
  insertInstant: number;
  /** The JWK `kid` FusionAuth assigned, when known (carried through for bundles). */
  kid?: string;
  /** Recorded time the key started signing. */
  activatedAt?: number;
  /** Recorded time the key stopped signing (or was superseded without signing). */
  retiredAt?: number;
}

/** A key the tenant used before the kit managed it. The kit never deletes it. */
export interface AdoptedKey {
  id: string;
  kid?: string;
  /** Recorded time a kit key took over signing; absent while the adopted key still signs. */
  retiredAt?: number;
}

export interface ObservedRotation {
  keys: readonly ObservedKey[];
  /** Generation of the kit key that signs now (`accessTokenKeyId`); absent when none does. */
  signingGeneration?: number;
  adopted?: AdoptedKey;
}

export interface RotationInput {
  policy: RotationPolicy;
  /** When generation 0 is scheduled to sign. */
  epoch: number;
  /** The time of the run (an override in tests, never read from the wall clock here). */
  at: number;
  observed: ObservedRotation;
}

export type KeyRole = "published" | "signing" | "retired";

/** A kit key that must exist after this run. */
export interface ScheduledKey {
  generation: number;
  /** Absent for a key this run creates. */
  id?: string;
  kid?: string;
  role: KeyRole;
  /** False: this run creates it. */
  exists: boolean;
  /** Publication time: observed, or the run's time for a key this run creates. */
  insertInstant: number;
  /** Signing: when it started (record it). Published: the earliest time it may sign. Retired: as recorded. */
  activatesAt?: number;
  /** Retired: when it stopped signing (record it). Otherwise the projected end of its signing period. */
  retiresAt?: number;
  /** Retired only: when it may be deleted. */
  deleteAt?: number;
}

export interface HeldBackRotation {
  /** The generation the schedule wants to sign now. */
  scheduledGeneration: number;
  /** Earliest time a newer key passes the lead gate. */
  until: number;
  message: string;
}

export interface RotationState {
  at: number;
  epoch: number;
  leadSeconds: number;
  /** Effective retention: max(keys.retentionSeconds, A + G + S). */
  retentionSeconds: number;
  /** k = floor((at - epoch) / K), 0 before the epoch. */
  scheduledGeneration: number;
  /** The kit generation that signs after this run; absent while an adopted key signs. */
  signingGeneration?: number;
  /** Every kit key that must exist after this run, by generation. */
  keys: ScheduledKey[];
  /** Generations this run creates. */
  create: number[];
  /** Retired keys past retention: delete them after the tenant no longer lists them. */
  delete: { id: string; generation: number; kid?: string }[];
  /** Signing generation first, then retired ones still within retention, newest first. */
  verificationGenerations: number[];
  adopted?: {
    id: string;
    kid?: string;
    role: "signing" | "retired" | "released";
    retiredAt?: number;
    releaseAt?: number;
  };
  heldBack?: HeldBackRotation;
  /** Until when a bundle built from this state holds every key that will sign. */
  horizon: number;
  /** Earliest later time at which this function's answer changes (absent nothing else changes). */
  nextChangeAt: number;
}

/** Stable codes of {@link RotationError}. */
export type RotationErrorCode = "KIT_ROTATION_INVALID_INPUT";

export class RotationError extends Error {
  override readonly name = "RotationError";
  constructor(
    readonly code: RotationErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Lead a key must be published before it signs: J + C + S. */
export function leadSeconds(policy: RotationPolicy): number {
  const o = policy.offline;
  return o.jwksRefreshSeconds + o.checkInSeconds + o.clockRollbackToleranceSeconds;
}

/** Retention actually applied: the policy's, never below A + G + S (the last moment a token can be accepted). */
export function effectiveRetentionSeconds(policy: RotationPolicy): number {
  const floor =
    policy.accessToken.ttlSeconds + policy.offline.graceSeconds + policy.offline.clockRollbackToleranceSeconds;
  return Math.max(policy.keys.retentionSeconds, floor);
}

/** k at time `at`: floor((at - epoch) / K), 0 before the epoch. */
export function scheduledGenerationAt(policy: RotationPolicy, epoch: number, at: number): number {
  if (at < epoch) return 0;
  return Math.floor((at - epoch) / policy.keys.rotationPeriodSeconds);
}

/** epoch + n * K. */
export function scheduledActivation(policy: RotationPolicy, epoch: number, generation: number): number {
  return epoch + generation * policy.keys.rotationPeriodSeconds;
}

function validate(input: RotationInput): void {
  const problems: string[] = [];
  const { keys } = input.policy;
  if (!(keys.rotationPeriodSeconds > 0)) problems.push("keys.rotationPeriodSeconds must be positive");
  if (!Number.isInteger(keys.publishedAhead) || keys.publishedAhead < 1) {
    problems.push("keys.publishedAhead must be an integer of at least 1");
  }
  if (!Number.isFinite(input.at) || !Number.isFinite(input.epoch)) problems.push("at and epoch must be finite");
  const seen = new Set<number>();
  for (const k of input.observed.keys) {
    if (!Number.isInteger(k.generation) || k.generation < 0) problems.push(`key ${k.id}: bad generation`);
    if (seen.has(k.generation)) problems.push(`two keys claim generation ${k.generation}`);
    seen.add(k.generation);
  }
  const s = input.observed.signingGeneration;
  if (s !== undefined && !seen.has(s)) problems.push(`signing generation ${s} is not among the observed keys`);
  if (problems.length > 0) throw new RotationError("KIT_ROTATION_INVALID_INPUT", problems.join("; "));
}

/**
 * The desired rotation state at `input.at`.
 * @throws {RotationError} `KIT_ROTATION_INVALID_INPUT` for a non-positive period, duplicate generations or a
 *   signing generation that does not exist.
 */
export function planRotation(input: RotationInput): RotationState {
  validate(input);
  const { policy, epoch, at: t, observed } = input;
  const K = policy.keys.rotationPeriodSeconds;
  const P = policy.keys.publishedAhead;
  const L = leadSeconds(policy);
  const retention = effectiveRetentionSeconds(policy);
  const k = scheduledGenerationAt(policy, epoch, t);
  const sched = (n: number) => epoch + n * K;

  const byGen = new Map(observed.keys.map((key) => [key.generation, key]));
  const create: number[] = [];
  const current = observed.signingGeneration;
  // Never create a generation older than the one signing (only possible when the epoch moved forward).
  for (let n = k; n <= k + P; n++) if (!byGen.has(n) && !(current !== undefined && n < current)) create.push(n);
  const insertOf = (n: number) => byGen.get(n)?.insertInstant ?? t;
  const earliestSigning = (n: number) => Math.max(sched(n), insertOf(n) + L);
  const generations = [...new Set([...byGen.keys(), ...create])].sort((a, b) => a - b);

  const adoptedSigns =
    observed.adopted !== undefined && current === undefined && observed.adopted.retiredAt === undefined;
  const isFirstKey = current === undefined && !adoptedSigns;
  let signing: number | undefined;
  if (isFirstKey) {
    signing = k;
  } else {
    const floor = current ?? -1;
    const eligible = generations.filter((n) => n > floor && n <= k && insertOf(n) + L <= t);
    signing = eligible.length > 0 ? Math.max(...eligible) : current;
  }
  const switched = signing !== current;

  // Projected activation of a generation that does not sign yet: created no earlier than its schedule slot.
  const projectedActivation = (n: number): number => {
    if (byGen.has(n) || create.includes(n)) return earliestSigning(n);
    return Math.max(sched(n), Math.max(t, sched(n - P)) + L);
  };

  const keys: ScheduledKey[] = [];
  const toDelete: RotationState["delete"] = [];
  for (const n of generations) {
    const seen = byGen.get(n);
    const base = {
      generation: n,
      id: seen?.id,
      kid: seen?.kid,
      exists: seen !== undefined,
      insertInstant: insertOf(n),
    };
    if (signing === undefined || n > signing) {
      keys.push({
        ...base,
        role: "published",
        activatesAt: projectedActivation(n),
        retiresAt: projectedActivation(n + 1),
      });
    } else if (n === signing) {
      const activatesAt = switched ? t : (seen?.activatedAt ?? (isFirstKey ? insertOf(n) : earliestSigning(n)));
      keys.push({ ...base, role: "signing", activatesAt, retiresAt: Math.max(t, projectedActivation(n + 1)) });
    } else {
      const retiresAt = seen?.retiredAt ?? t;
      const deleteAt = retiresAt + retention;
      if (deleteAt <= t && seen !== undefined) toDelete.push({ id: seen.id, generation: n, kid: seen.kid });
      else keys.push({ ...base, role: "retired", activatesAt: seen?.activatedAt, retiresAt, deleteAt });
    }
  }

  let adopted: RotationState["adopted"];
  if (observed.adopted !== undefined) {
    const a = observed.adopted;
    if (signing === undefined) adopted = { id: a.id, kid: a.kid, role: "signing" };
    else {
      const retiredAt = a.retiredAt ?? t;
      const releaseAt = retiredAt + retention;
      adopted = { id: a.id, kid: a.kid, role: releaseAt <= t ? "released" : "retired", retiredAt, releaseAt };
    }
  }

  const verificationGenerations = keys
    .filter((key) => key.role === "signing" || key.role === "retired")
    .sort((a, b) => (a.role === "signing" ? -1 : b.role === "signing" ? 1 : b.generation - a.generation))
    .map((key) => key.generation);

  let heldBack: HeldBackRotation | undefined;
  const waiting = generations.filter((n) => n > (signing ?? -1));
  if (!isFirstKey && (signing === undefined || signing < k)) {
    const until = Math.min(...waiting.filter((n) => n <= k).map(earliestSigning));
    const who = signing === undefined ? `the adopted key ${observed.adopted?.id}` : `generation ${signing}`;
    heldBack = {
      scheduledGeneration: k,
      until,
      message: `rotation to generation ${k} held back: no newer key has been published for the lead of ${L}s yet; ${who} keeps signing until ${new Date(until * 1000).toISOString()}`,
    };
  }

  const newest = Math.max(k + P, ...generations);
  const horizon = projectedActivation(newest + 1);

  const changes = [sched(k + 1)];
  if (heldBack !== undefined) changes.push(heldBack.until);
  for (const key of keys) if (key.deleteAt !== undefined) changes.push(key.deleteAt);
  if (adopted?.role === "retired" && adopted.releaseAt !== undefined) changes.push(adopted.releaseAt);
  const nextChangeAt = Math.min(...changes.filter((c) => c > t));

  return {
    at: t,
    epoch,
    leadSeconds: L,
    retentionSeconds: retention,
    scheduledGeneration: k,
    signingGeneration: signing,
    keys,
    create,
    delete: toDelete,
    verificationGenerations,
    adopted,
    heldBack,
    horizon,
    nextChangeAt,
  };
}
