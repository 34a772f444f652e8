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
 * has been published for the lead; with `keys.adopted` (see ./deferral.ts) it creates nothing before
 * `rotateFrom`, then proceeds as any adopted tenant.
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
import { KitError } from "../lib/errors";
import { minimumRetentionSeconds, type RetentionPolicy } from "../policy/retention";
import type { EffectivePolicy } from "../policy/types";
import { type AdoptedKeyDeclaration, type DeferredRotation, decideDeferral, type IgnoredDeferral } from "./deferral";

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
  /**
   * Compromised generations (the tenant's `keys.revoked`): never created, never listed, deleted when FusionAuth
   * still holds them. When the signing generation is among them, the next generation signs at once, even before
   * its lead has passed (see {@link RotationState.emergency}).
   */
  revoked?: readonly number[];
  /**
   * The tenant's `keys.adopted`: while `at` is before its `rotateFrom`, the observed signing key is that id and no
   * kit key exists, nothing is created and the adopted key signs (see {@link RotationState.deferred}).
   */
  adoptedKey?: AdoptedKeyDeclaration;
  /**
   * The retention floor; the kit's rule ({@link minimumRetentionSeconds}) unless given. A parameter only so that
   * `fakit simulate`'s tests can replay a fleet under the former rule and show the lockout it caused.
   */
  retentionRule?: (policy: RetentionPolicy) => number;
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
  /** Effective retention: max(keys.retentionSeconds, max(A + G, C) + S). */
  retentionSeconds: number;
  /** k = floor((at - epoch) / K), 0 before the epoch. */
  scheduledGeneration: number;
  /** The kit generation that signs after this run; absent while an adopted key signs. */
  signingGeneration?: number;
  /** Every kit key that must exist after this run, by generation. */
  keys: ScheduledKey[];
  /** Generations this run creates. */
  create: number[];
  /** Retired keys past retention, and revoked keys: delete them after the tenant no longer lists them. */
  delete: { id: string; generation: number; kid?: string; revoked?: true }[];
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
  /** Present while `keys.adopted` defers the first rotation: nothing is created, the adopted key signs. */
  deferred?: DeferredRotation;
  /** Present when `keys.adopted` is declared, `rotateFrom` not reached, and the run rotates anyway (why). */
  deferralIgnored?: IgnoredDeferral;
  /** Present when the signing key was revoked and its successor signs before its lead has passed. */
  emergency?: EmergencySwitch;
  /** Until when a bundle built from this state holds every key that will sign. */
  horizon: number;
  /** Earliest later time at which this function's answer changes (absent nothing else changes). */
  nextChangeAt: number;
}

/**
 * A revoked signing key replaced at once by a generation published less than the lead ago: devices that last
 * fetched the JWKS before `publishedAt` lack the new key and refuse fresh tokens (they fall back to their policy's
 * refusal or degraded mode) until they refresh it, at the latest by `leadMetAt`.
 */
export interface EmergencySwitch {
  revokedGeneration: number;
  generation: number;
  publishedAt: number;
  /** publishedAt + lead: by then every device following the policy holds the key. */
  leadMetAt: number;
}

/** Stable codes of {@link RotationError}. */
export type RotationErrorCode = "KIT_ROTATION_INVALID_INPUT";

export class RotationError extends KitError {
  override readonly name = "RotationError";
  declare readonly code: RotationErrorCode;
}

/** Lead a key must be published before it signs: J + C + S. */
export function leadSeconds(policy: RotationPolicy): number {
  const o = policy.offline;
  return o.jwksRefreshSeconds + o.checkInSeconds + o.clockRollbackToleranceSeconds;
}

/**
 * Retention actually applied: the policy's, never below {@link minimumRetentionSeconds} (the last moment a token
 * its key signed can still be accepted offline, full or degraded).
 */
export function effectiveRetentionSeconds(
  policy: RotationPolicy,
  rule: (policy: RetentionPolicy) => number = minimumRetentionSeconds,
): number {
  return Math.max(policy.keys.retentionSeconds, rule(policy));
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
  if (input.adoptedKey !== undefined && !Number.isFinite(input.adoptedKey.rotateFrom))
    problems.push("adoptedKey.rotateFrom must be finite");
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

/** What every step of {@link planRotation} reads: the input, the policy's figures and the observed keys by generation. */
interface Ctx {
  policy: RotationPolicy;
  epoch: number;
  t: number;
  observed: ObservedRotation;
  P: number;
  L: number;
  retention: number;
  /** The scheduled generation at `t`. */
  k: number;
  byGen: Map<number, ObservedKey>;
  /** The generation signing before this run. */
  current: number | undefined;
  /** Generations this run creates (filled by {@link generationsToCreate}). */
  create: number[];
  revoked: ReadonlySet<number>;
  /** Observed keys of revoked generations: deleted by this run. */
  revokedKeys: ObservedKey[];
}

function contextOf(input: RotationInput): Ctx {
  const { policy, epoch, at: t, observed } = input;
  const revoked = new Set(input.revoked ?? []);
  return {
    policy,
    epoch,
    t,
    observed,
    P: policy.keys.publishedAhead,
    L: leadSeconds(policy),
    retention: effectiveRetentionSeconds(policy, input.retentionRule),
    k: scheduledGenerationAt(policy, epoch, t),
    byGen: new Map(observed.keys.filter((key) => !revoked.has(key.generation)).map((key) => [key.generation, key])),
    current: observed.signingGeneration,
    create: [],
    revoked,
    revokedKeys: observed.keys.filter((key) => revoked.has(key.generation)),
  };
}

const sched = (c: Ctx, n: number) => scheduledActivation(c.policy, c.epoch, n);
/** Publication time: observed, or the run's time for a key this run creates. */
const insertOf = (c: Ctx, n: number) => c.byGen.get(n)?.insertInstant ?? c.t;
/** A generation may sign from its schedule slot, once it has been published for the lead. */
const earliestSigning = (c: Ctx, n: number) => Math.max(sched(c, n), insertOf(c, n) + c.L);

/** Projected activation of a generation that does not sign yet: created no earlier than its schedule slot. */
function projectedActivation(c: Ctx, n: number): number {
  if (c.byGen.has(n) || c.create.includes(n)) return earliestSigning(c, n);
  return Math.max(sched(c, n), Math.max(c.t, sched(c, n - c.P)) + c.L);
}

/**
 * The scheduled generation (or the signing one, when an emergency put it ahead) and the P after it, minus what
 * exists and anything older than the signing key. Revoked generations are skipped and replaced by the next ones,
 * so P keys stay published ahead.
 */
function generationsToCreate(c: Ctx, replacement: number | undefined): number[] {
  const create: number[] = [];
  let wanted = c.P + 1;
  for (let n = Math.max(c.k, replacement ?? c.k); wanted > 0; n++) {
    if (c.revoked.has(n)) continue;
    wanted--;
    // Never create a generation older than the one signing (only possible when the epoch moved forward).
    if (!c.byGen.has(n) && !(c.current !== undefined && n < c.current)) create.push(n);
  }
  return create;
}

/**
 * The successor of a revoked signing key: the oldest non-revoked generation after it that FusionAuth holds
 * (published ahead), else the oldest one to create now. It signs at once: a leaked key is worse than a key some
 * devices have not fetched yet.
 */
function emergencySigner(c: Ctx): number | undefined {
  const current = c.current;
  if (current === undefined || !c.revoked.has(current)) return undefined;
  const held = [...c.byGen.keys()].filter((n) => n > current).sort((a, b) => a - b);
  if (held.length > 0) return held[0];
  let n = Math.max(current + 1, c.k);
  while (c.revoked.has(n)) n++;
  return n;
}

/** The generation that signs after this run: the newest past the lead gate, else the current one. */
function chooseSigning(
  c: Ctx,
  generations: readonly number[],
  isFirstKey: boolean,
  emergency: number | undefined,
): number | undefined {
  if (isFirstKey) {
    let n = c.k;
    while (c.revoked.has(n)) n++;
    return n;
  }
  const floor = c.current ?? -1;
  const eligible = generations.filter((n) => n > floor && n <= c.k && insertOf(c, n) + c.L <= c.t);
  if (eligible.length > 0) return Math.max(...eligible, emergency ?? -1);
  return emergency ?? c.current;
}

/** Every key that must exist after the run with its role and times, and the retired keys past retention. */
function scheduleKeys(
  c: Ctx,
  generations: readonly number[],
  signing: number | undefined,
  isFirstKey: boolean,
): { keys: ScheduledKey[]; toDelete: RotationState["delete"] } {
  const switched = signing !== c.current;
  const keys: ScheduledKey[] = [];
  const toDelete: RotationState["delete"] = [];
  for (const n of generations) {
    const seen = c.byGen.get(n);
    const base = {
      generation: n,
      id: seen?.id,
      kid: seen?.kid,
      exists: seen !== undefined,
      insertInstant: insertOf(c, n),
    };
    if (signing === undefined || n > signing) {
      keys.push({
        ...base,
        role: "published",
        activatesAt: projectedActivation(c, n),
        retiresAt: projectedActivation(c, n + 1),
      });
    } else if (n === signing) {
      const activatesAt = switched ? c.t : (seen?.activatedAt ?? (isFirstKey ? insertOf(c, n) : earliestSigning(c, n)));
      keys.push({ ...base, role: "signing", activatesAt, retiresAt: Math.max(c.t, projectedActivation(c, n + 1)) });
    } else {
      const retiresAt = seen?.retiredAt ?? c.t;
      const deleteAt = retiresAt + c.retention;
      if (deleteAt <= c.t && seen !== undefined) toDelete.push({ id: seen.id, generation: n, kid: seen.kid });
      else keys.push({ ...base, role: "retired", activatesAt: seen?.activatedAt, retiresAt, deleteAt });
    }
  }
  return { keys, toDelete };
}

/** The adopted key's role: signing until a kit key takes over, then retired for a retention, then released. */
function adoptedRole(c: Ctx, signing: number | undefined): RotationState["adopted"] {
  const a = c.observed.adopted;
  if (a === undefined) return undefined;
  if (signing === undefined) return { id: a.id, kid: a.kid, role: "signing" };
  const retiredAt = a.retiredAt ?? c.t;
  const releaseAt = retiredAt + c.retention;
  return { id: a.id, kid: a.kid, role: releaseAt <= c.t ? "released" : "retired", retiredAt, releaseAt };
}

/** Signing generation first, then retired ones still within retention, newest first. */
function verificationOrder(keys: readonly ScheduledKey[]): number[] {
  return keys
    .filter((key) => key.role === "signing" || key.role === "retired")
    .sort((a, b) => (a.role === "signing" ? -1 : b.role === "signing" ? 1 : b.generation - a.generation))
    .map((key) => key.generation);
}

/** A rotation the lead gate holds back: the scheduled generation cannot sign yet, the previous key keeps signing. */
function heldBackOf(
  c: Ctx,
  generations: readonly number[],
  signing: number | undefined,
  isFirstKey: boolean,
): HeldBackRotation | undefined {
  if (isFirstKey || (signing !== undefined && signing >= c.k)) return undefined;
  const waiting = generations.filter((n) => n > (signing ?? -1) && n <= c.k);
  // The scheduled generation was revoked and none after it is due yet: the current key keeps its slot, not held back.
  if (waiting.length === 0) return undefined;
  const until = Math.min(...waiting.map((n) => earliestSigning(c, n)));
  const who = signing === undefined ? `the adopted key ${c.observed.adopted?.id}` : `generation ${signing}`;
  return {
    scheduledGeneration: c.k,
    until,
    message: `rotation to generation ${c.k} held back: no newer key has been published for the lead of ${c.L}s yet; ${who} keeps signing until ${new Date(until * 1000).toISOString()}`,
  };
}

/** The earliest later time at which the schedule's answer changes. */
function nextChangeOf(
  c: Ctx,
  keys: readonly ScheduledKey[],
  heldBack: HeldBackRotation | undefined,
  adopted: RotationState["adopted"],
): number {
  const changes = [sched(c, c.k + 1)];
  if (heldBack !== undefined) changes.push(heldBack.until);
  for (const key of keys) if (key.deleteAt !== undefined) changes.push(key.deleteAt);
  if (adopted?.role === "retired" && adopted.releaseAt !== undefined) changes.push(adopted.releaseAt);
  return Math.min(...changes.filter((x) => x > c.t));
}

/**
 * The desired rotation state at `input.at`: create what is missing ahead, choose the signing key, give every key
 * its role, place the adopted key, then derive the hold-back, the horizon and the next change.
 * @throws {RotationError} `KIT_ROTATION_INVALID_INPUT` for a non-positive period, duplicate generations or a
 *   signing generation that does not exist.
 */
export function planRotation(input: RotationInput): RotationState {
  validate(input);
  const c = contextOf(input);
  const adopted = c.observed.adopted;
  const deferral = decideDeferral({
    declared: input.adoptedKey,
    at: c.t,
    adoptedSigningId: c.current === undefined && adopted?.retiredAt === undefined ? adopted?.id : undefined,
    kitKeys: c.observed.keys.length,
    kitSignsFrom: (from) => firstKitSigning(c, from),
  });
  if (deferral.deferred !== undefined) return deferredState(c, deferral.deferred);
  return {
    ...rotate(c),
    ...(deferral.ignored === undefined ? {} : { deferralIgnored: deferral.ignored }),
  };
}

/** When the first kit generation created at `from` (the scheduled one then, revoked ones skipped) could sign. */
function firstKitSigning(c: Ctx, from: number): number {
  let n = scheduledGenerationAt(c.policy, c.epoch, from);
  while (c.revoked.has(n)) n++;
  return Math.max(sched(c, n), from + c.L);
}

/**
 * A deferring run: no kit key, the adopted key signs. A bundle built now holds every key that signs until the
 * first kit key could (its horizon); the answer changes at `rotateFrom` (or at the next slot, for `k`).
 */
function deferredState(c: Ctx, deferred: DeferredRotation): RotationState {
  const a = c.observed.adopted as AdoptedKey;
  return {
    ...runFigures(c),
    keys: [],
    create: [],
    delete: [],
    verificationGenerations: [],
    adopted: { id: a.id, kid: a.kid, role: "signing" },
    deferred,
    horizon: deferred.kitSignsFrom,
    nextChangeAt: Math.min(sched(c, c.k + 1), deferred.rotateFrom),
  };
}

/** What every answer states about the run itself, whatever it decides. */
function runFigures(
  c: Ctx,
): Pick<RotationState, "at" | "epoch" | "leadSeconds" | "retentionSeconds" | "scheduledGeneration"> {
  return { at: c.t, epoch: c.epoch, leadSeconds: c.L, retentionSeconds: c.retention, scheduledGeneration: c.k };
}

function rotate(c: Ctx): RotationState {
  const replacement = emergencySigner(c);
  c.create = generationsToCreate(c, replacement);
  const generations = [...new Set([...c.byGen.keys(), ...c.create])].sort((a, b) => a - b);
  const adoptedSigns =
    c.observed.adopted !== undefined && c.current === undefined && c.observed.adopted.retiredAt === undefined;
  const isFirstKey = c.current === undefined && !adoptedSigns;
  const signing = chooseSigning(c, generations, isFirstKey, replacement);
  const { keys, toDelete } = scheduleKeys(c, generations, signing, isFirstKey);
  for (const key of c.revokedKeys)
    toDelete.push({ id: key.id, generation: key.generation, kid: key.kid, revoked: true });
  const emergency: EmergencySwitch | undefined =
    replacement !== undefined && signing === replacement && insertOf(c, replacement) + c.L > c.t
      ? {
          revokedGeneration: c.current as number,
          generation: replacement,
          publishedAt: insertOf(c, replacement),
          leadMetAt: insertOf(c, replacement) + c.L,
        }
      : undefined;
  const adopted = adoptedRole(c, signing);
  const heldBack = heldBackOf(c, generations, signing, isFirstKey);
  const newest = Math.max(c.k + c.P, ...generations);
  return {
    ...runFigures(c),
    signingGeneration: signing,
    keys,
    create: c.create,
    delete: toDelete,
    verificationGenerations: verificationOrder(keys),
    adopted,
    heldBack,
    ...(emergency === undefined ? {} : { emergency }),
    horizon: projectedActivation(c, newest + 1),
    nextChangeAt: nextChangeOf(c, keys, heldBack, adopted),
  };
}
