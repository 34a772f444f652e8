/**
 * What FusionAuth holds, and what app builds carry, over a simulated period: the kit's own rotation schedule
 * ({@link planRotation}) run at every pipeline tick where its answer changes, and the kit's own bundle content
 * ({@link buildBundleContent}) built at every app release. Devices read keys from here as they would from the
 * JWKS endpoint and from the bundle inside the app.
 *
 * A key compromise drawn for the tenant is handled as the kit's declarative `keys.revoked` is (docs/runbooks.md): the
 * generation signing at the compromise is declared revoked at that instant, and the next pipeline run passes it to
 * the schedule as revoked, which deletes it (so later JWKS snapshots drop it) and has its successor sign at once;
 * bundles built from then on leave it out and list it in `policy.json`'s `revokedKeys`.
 *
 * Key material is real (P-256 from `node:crypto`), because the bundle code checks every JWK and the sampled
 * decisions verify real signatures; it is never written anywhere.
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { isoOf, POLICY_FILE, type PolicyFile, type PolicyRevokedKey } from "../../packages/verifier/src/format";
import { type KeyWindow, offlineRulesOf } from "../../packages/verifier/src/offline-policy";
import { type BundleFiles, buildBundleContent } from "../bundle/content";
import type { RetentionPolicy } from "../policy/retention";
import type { EffectivePolicy } from "../policy/types";
import { type ObservedRotation, planRotation, type RotationState } from "../rotation/schedule";
import { applyRotation } from "../rotation/timeline";

/** One state of the tenant's keys, from a pipeline run until the next one that changed anything. */
export interface KeySnapshot {
  at: number;
  /** The generation whose key signs the tokens issued now. */
  signing: number;
  /** Generations FusionAuth publishes (in `/.well-known/jwks.json`). */
  live: ReadonlySet<number>;
  /** The schedule after the run: what a bundle built now is made from. */
  state: RotationState;
  /** How many of the timeline's compromises (oldest first) this run and earlier ones revoked. */
  revokedCount: number;
}

/** A key compromise: the generation that signed at `at`, declared revoked then, deleted by the run at `appliedAt`. */
export interface Compromise {
  at: number;
  generation: number;
  /** The first pipeline run at or after `at`: FusionAuth publishes the key until then. */
  appliedAt: number;
}

/** An app release and the bundle built into it. */
export interface Release {
  index: number;
  at: number;
  /** Generations in the bundle's `jwks.json`, read back from its `policy.json`. */
  keys: ReadonlySet<number>;
  /** Generations listed in `policy.json`'s `revokedKeys`. */
  revoked: ReadonlySet<number>;
  /** The key windows the verifier reads from the bundle's `policy.json` (`offlineRulesOf`), by generation. */
  windows: ReadonlyMap<number, KeyWindow>;
}

export interface KeyMaterial {
  kid: string;
  publicJwk: Record<string, unknown>;
  privateKey: KeyObject;
}

export interface KeyTimeline {
  snapshots: KeySnapshot[];
  releases: Release[];
  material: Map<number, KeyMaterial>;
  /** The compromises of the period, in time order. */
  compromises: readonly Compromise[];
  /** The bundle of a release, built again (not kept: every later bundle lists every revoked key). */
  releaseFiles(index: number): BundleFiles;
  /** Index of the snapshot in force at `t` (the last run at or before `t`). */
  snapshotIndexAt(t: number): number;
}

export interface KeyTimelineInput {
  tenant: { key: string; issuer: string; policy: EffectivePolicy };
  application: { id: string; key: string; name: string; policy: EffectivePolicy };
  epoch: number;
  start: number;
  end: number;
  deployEverySeconds: number;
  releaseEverySeconds: number;
  /** The retention rule the schedule floors with (the kit's unless replaying another). */
  retentionRule?: (policy: RetentionPolicy) => number;
  /** Instants of the tenant's key compromises, ascending (none by default). */
  compromiseTimes?: readonly number[];
}

/** The reason a simulated compromise is revoked with, in the bundles' `revokedKeys`. */
export const COMPROMISE_REASON = "simulated key compromise";

/** Tokens and JWKS of the simulation carry kids of this shape. */
export const kidOf = (generation: number) => `sim-g${generation}`;
const generationOfKid = (kid: string) => Number(kid.slice("sim-g".length));

function keyMaterial(cache: Map<number, KeyMaterial>, generation: number): KeyMaterial {
  let m = cache.get(generation);
  if (m === undefined) {
    const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const kid = kidOf(generation);
    m = { kid, publicJwk: { ...publicKey.export({ format: "jwk" }), kid, alg: "ES256", use: "sig" }, privateKey };
    cache.set(generation, m);
  }
  return m;
}

/** Index of the last snapshot at or before `at` (the first one when none is). */
function indexAt(snapshots: readonly KeySnapshot[], at: number): number {
  let lo = 0;
  let hi = snapshots.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((snapshots[mid] as KeySnapshot).at <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The pipeline's runs over `[start, end]`: one at every tick where the schedule's answer changes, and one at the
 * first tick after each compromise, which revokes the generation that signed at the compromise.
 */
function runPipeline(
  input: KeyTimelineInput,
  material: Map<number, KeyMaterial>,
): { snapshots: KeySnapshot[]; compromises: Compromise[] } {
  const { tenant, epoch, start, end, deployEverySeconds: tick, retentionRule } = input;
  const policy = tenant.policy;
  const times = input.compromiseTimes ?? [];
  const tickAfter = (at: number) => start + Math.ceil((at - start) / tick) * tick;
  const snapshots: KeySnapshot[] = [];
  const revoked: Compromise[] = [];
  let pending = 0;
  let observed: ObservedRotation = { keys: [] };
  let t = start;
  for (let guard = 0; guard < 1_000_000; guard++) {
    // Compromises up to this run: the generation signing just before it is declared revoked.
    while (pending < times.length && (times[pending] as number) <= t) {
      const at = times[pending++] as number;
      const before = snapshots.length === 0 ? undefined : snapshots[indexAt(snapshots, at)];
      const generation = before?.signing ?? 0;
      revoked.push({ at, generation, appliedAt: t });
    }
    const revokedGenerations = revoked.map((c) => c.generation);
    const run = planRotation({ policy, epoch, at: t, observed, revoked: revokedGenerations, retentionRule });
    // After `up`: created keys exist with the kid FusionAuth assigned; read back, the schedule is stable.
    const applied = applyRotation(run);
    observed = { ...applied, keys: applied.keys.map((k) => ({ ...k, kid: k.kid ?? kidOf(k.generation) })) };
    const state = planRotation({ policy, epoch, at: t, observed, revoked: revokedGenerations, retentionRule });
    for (const k of state.keys) keyMaterial(material, k.generation);
    snapshots.push({
      at: t,
      signing: state.signingGeneration as number,
      live: new Set(state.keys.map((k) => k.generation)),
      state,
      revokedCount: revoked.length,
    });
    // The next run that changes anything: the first pipeline tick at or after the schedule's next change, or
    // after the next compromise.
    let next = tickAfter(state.nextChangeAt);
    if (pending < times.length) next = Math.min(next, tickAfter(times[pending] as number));
    t = next > t ? next : t + tick;
    if (t > end) break;
  }
  // Compromises after the last run: the key still signs and is published until the end of the period.
  for (const at of times.slice(pending)) {
    const generation = (snapshots[indexAt(snapshots, at)] as KeySnapshot).signing;
    revoked.push({ at, generation, appliedAt: tickAfter(at) });
  }
  return { snapshots, compromises: revoked };
}

/** The revoked keys a bundle built from `snapshot` lists, as `fakit bundle` writes them. */
function revokedKeysOf(snapshot: KeySnapshot, compromises: readonly Compromise[]): PolicyRevokedKey[] {
  const seen = new Set<number>();
  const out: PolicyRevokedKey[] = [];
  for (const c of compromises.slice(0, snapshot.revokedCount)) {
    if (seen.has(c.generation)) continue;
    seen.add(c.generation);
    out.push({ kid: kidOf(c.generation), generation: c.generation, reason: COMPROMISE_REASON, revokedAt: isoOf(c.at) });
  }
  return out.sort((a, b) => (a.kid < b.kid ? -1 : a.kid > b.kid ? 1 : 0));
}

/** The bundle content the kit builds from a snapshot (its keys, its revoked keys) at `at`. */
export function snapshotBundle(
  input: Pick<KeyTimelineInput, "tenant" | "application">,
  material: ReadonlyMap<number, KeyMaterial>,
  snapshot: KeySnapshot,
  at: number,
  compromises: readonly Compromise[],
): BundleFiles {
  const { tenant, application } = input;
  return buildBundleContent({
    tenant: { key: tenant.key, issuer: tenant.issuer },
    application: { id: application.id, key: application.key, name: application.name },
    policy: application.policy,
    rotation: snapshot.state,
    jwks: { keys: snapshot.state.keys.map((k) => material.get(k.generation)?.publicJwk) },
    generatedFor: at,
    revokedKeys: revokedKeysOf(snapshot, compromises),
  });
}

/** Builds the key timeline of one application's tenant over `[start, end]`. */
export function buildKeyTimeline(input: KeyTimelineInput): KeyTimeline {
  const { start, end } = input;
  const material = new Map<number, KeyMaterial>();
  const { snapshots, compromises } = runPipeline(input, material);
  const snapshotIndexAt = (at: number): number => indexAt(snapshots, at);
  const releases: Release[] = [];
  for (let i = 0, at = start; at <= end; i++, at = start + i * input.releaseEverySeconds) {
    const files = snapshotBundle(input, material, snapshots[snapshotIndexAt(at)] as KeySnapshot, at, compromises);
    const policyFile = JSON.parse(files[POLICY_FILE]) as PolicyFile;
    const keys = new Set(policyFile.keys.map((k) => k.generation).filter((g): g is number => g !== null));
    const revoked = new Set(policyFile.revokedKeys.map((k) => k.generation).filter((g): g is number => g !== null));
    const windows = new Map<number, KeyWindow>();
    for (const [kid, w] of offlineRulesOf(policyFile).keyWindows) windows.set(generationOfKid(kid), w);
    releases.push({ index: i, at, keys, revoked, windows });
  }
  const releaseFiles = (index: number): BundleFiles => {
    const r = releases[index];
    if (r === undefined) throw new RangeError(`no release ${index}`);
    return snapshotBundle(input, material, snapshots[snapshotIndexAt(r.at)] as KeySnapshot, r.at, compromises);
  };
  return { snapshots, releases, material, compromises, releaseFiles, snapshotIndexAt };
}
