/**
 * What FusionAuth holds, and what app builds carry, over a simulated period: the kit's own rotation schedule
 * ({@link planRotation}) run at every pipeline tick where its answer changes, and the kit's own bundle content
 * ({@link buildBundleContent}) built at every app release. Devices read keys from here as they would from the
 * JWKS endpoint and from the bundle inside the app.
 *
 * Key material is real (P-256 from `node:crypto`), because the bundle code checks every JWK and the sampled
 * decisions verify real signatures; it is never written anywhere.
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { POLICY_FILE, type PolicyFile } from "../../packages/verifier/src/format";
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
}

/** An app release and the bundle built into it. */
export interface Release {
  index: number;
  at: number;
  /** Generations in the bundle's `jwks.json`, read back from its `policy.json`. */
  keys: ReadonlySet<number>;
  files: BundleFiles;
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
}

/** Tokens and JWKS of the simulation carry kids of this shape. */
export const kidOf = (generation: number) => `sim-g${generation}`;

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

/** Builds the key timeline of one application's tenant over `[start, end]`. */
export function buildKeyTimeline(input: KeyTimelineInput): KeyTimeline {
  const { tenant, application, epoch, start, end, deployEverySeconds: tick, retentionRule } = input;
  const policy = tenant.policy;
  const material = new Map<number, KeyMaterial>();
  const snapshots: KeySnapshot[] = [];
  let observed: ObservedRotation = { keys: [] };
  let t = start;
  for (let guard = 0; guard < 1_000_000; guard++) {
    const run = planRotation({ policy, epoch, at: t, observed, retentionRule });
    // After `up`: created keys exist with the kid FusionAuth assigned; read back, the schedule is stable.
    const applied = applyRotation(run);
    observed = { ...applied, keys: applied.keys.map((k) => ({ ...k, kid: k.kid ?? kidOf(k.generation) })) };
    const state = planRotation({ policy, epoch, at: t, observed, retentionRule });
    for (const k of state.keys) keyMaterial(material, k.generation);
    snapshots.push({
      at: t,
      signing: state.signingGeneration as number,
      live: new Set(state.keys.map((k) => k.generation)),
      state,
    });
    // The next run that changes anything: the first pipeline tick at or after the schedule's next change.
    const next = start + Math.ceil((state.nextChangeAt - start) / tick) * tick;
    t = next > t ? next : t + tick;
    if (t > end) break;
  }

  const snapshotIndexAt = (at: number): number => {
    let lo = 0;
    let hi = snapshots.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((snapshots[mid] as KeySnapshot).at <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };

  const releases: Release[] = [];
  for (let i = 0, at = start; at <= end; i++, at = start + i * input.releaseEverySeconds) {
    const snap = snapshots[snapshotIndexAt(at)] as KeySnapshot;
    const files = buildBundleContent({
      tenant: { key: tenant.key, issuer: tenant.issuer },
      application: { id: application.id, key: application.key, name: application.name },
      policy: application.policy,
      rotation: snap.state,
      jwks: { keys: snap.state.keys.map((k) => material.get(k.generation)?.publicJwk) },
      generatedFor: at,
    });
    const policyFile = JSON.parse(files[POLICY_FILE]) as PolicyFile;
    const keys = new Set(policyFile.keys.map((k) => k.generation).filter((g): g is number => g !== null));
    releases.push({ index: i, at, keys, files });
  }
  return { snapshots, releases, material, snapshotIndexAt };
}
