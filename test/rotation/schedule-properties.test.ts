/**
 * Properties of the rotation schedule over random policies, epochs, deployment times and gaps: each run applies
 * planRotation's answer to the observed state, as the Pulumi program does.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { EffectivePolicy } from "../../src/policy/types";
import type { AdoptedKeyDeclaration } from "../../src/rotation/deferral";
import { leadSeconds, type ObservedRotation, planRotation, type RotationState } from "../../src/rotation/schedule";
import { applyRotation } from "../../src/rotation/timeline";
import { DAY, HOUR, MIN, preset } from "../../testkit/rotation/presets";

/** A random policy; with `leadCovered` the future-key lead P*K covers J + C + S (a validated invariant). */
function policyArb(leadCovered: boolean): fc.Arbitrary<EffectivePolicy> {
  return fc
    .record({
      A: fc.integer({ min: MIN, max: 2 * HOUR }),
      G: fc.integer({ min: 0, max: 72 * HOUR }),
      S: fc.integer({ min: 0, max: 10 * MIN }),
      J: fc.integer({ min: 0, max: 14 * DAY }),
      C: fc.integer({ min: 0, max: 14 * DAY }),
      P: fc.integer({ min: 1, max: 3 }),
      extraK: fc.integer({ min: 0, max: 200 * DAY }),
      retention: fc.integer({ min: 0, max: 30 * DAY }),
    })
    .map((r) => {
      const L = r.J + r.C + r.S;
      const K = leadCovered ? Math.max(Math.ceil(L / r.P), HOUR) + r.extraK : HOUR + r.extraK;
      const base = preset("standard");
      return {
        ...base,
        accessToken: { ...base.accessToken, ttlSeconds: r.A },
        keys: { rotationPeriodSeconds: K, publishedAhead: r.P, retentionSeconds: r.retention },
        offline: {
          ...base.offline,
          graceSeconds: r.G,
          jwksRefreshSeconds: r.J,
          checkInSeconds: r.C,
          clockRollbackToleranceSeconds: r.S,
        },
      };
    });
}

const epochArb = fc.integer({ min: 1_600_000_000, max: 1_800_000_000 });
/** Deployment gaps as fractions of the rotation period (0 = same second). */
const gapsArb = fc.array(fc.double({ min: 0, max: 3, noNaN: true }), { minLength: 1, maxLength: 30 });

interface History {
  /** Per generation: when it started and stopped signing (as FusionAuth saw it). */
  signed: Map<number | "adopted", { from: number; to?: number }>;
}

/**
 * Runs deployments at `times` (or at the times `times` picks from the previous state), asserting the safety
 * properties at each. With `adoptedKey` (the tenant's `keys.adopted`), also that nothing is created before its
 * `rotateFrom`.
 */
function deployAt(
  policy: EffectivePolicy,
  epoch: number,
  times: number[] | ((previous: RotationState | undefined, run: number) => number | undefined),
  initial: ObservedRotation,
  adoptedKey?: AdoptedKeyDeclaration,
): void {
  const L = leadSeconds(policy);
  const acceptFor =
    policy.accessToken.ttlSeconds + policy.offline.graceSeconds + policy.offline.clockRollbackToleranceSeconds;
  const history: History = { signed: new Map() };
  if (initial.adopted !== undefined) history.signed.set("adopted", { from: Number.NEGATIVE_INFINITY });
  let observed = initial;
  const bundles: { horizon: number; generations: Set<number> }[] = [];
  const timeOf = typeof times === "function" ? times : (_: RotationState | undefined, run: number) => times[run];
  let state: RotationState | undefined;
  for (let run = 0, t = timeOf(state, run); t !== undefined; run++, t = timeOf(state, run)) {
    state = planRotation({ policy, epoch, at: t, observed, ...(adoptedKey === undefined ? {} : { adoptedKey }) });
    if (adoptedKey !== undefined && t < adoptedKey.rotateFrom) {
      expect(state.create).toEqual([]);
      expect(state.adopted?.role).toBe("signing");
    }
    const before = new Map(observed.keys.map((k) => [k.generation, k]));
    const previous =
      observed.signingGeneration ??
      (observed.adopted && observed.adopted.retiredAt === undefined ? "adopted" : undefined);

    if (state.signingGeneration !== undefined && state.signingGeneration !== observed.signingGeneration) {
      const published = before.get(state.signingGeneration)?.insertInstant ?? t;
      const firstKey = history.signed.size === 0;
      // The signing key was published for at least the lead, except the very first key of a new tenant.
      if (!firstKey) expect(t - published).toBeGreaterThanOrEqual(L);
      if (previous !== undefined) (history.signed.get(previous) as { to?: number }).to = t;
      history.signed.set(state.signingGeneration, { from: t });
    }
    // No key is deleted while a token it signed can still be accepted offline.
    for (const gone of state.delete) {
      const window = history.signed.get(gone.generation);
      if (window !== undefined) {
        expect(window.to).toBeDefined();
        expect(t).toBeGreaterThanOrEqual((window.to as number) + acceptFor);
      }
      expect(state.verificationGenerations).not.toContain(gone.generation);
    }
    // Every key whose tokens are still acceptable stays a verification key.
    for (const [gen, window] of history.signed) {
      if (gen === "adopted") {
        if (window.to === undefined || t < window.to + acceptFor)
          expect(["signing", "retired"]).toContain(state.adopted?.role);
      } else if (window.to === undefined || t < window.to + acceptFor) {
        expect(state.verificationGenerations).toContain(gen);
      }
    }
    // A bundle built at an earlier run holds every key that signs before its horizon.
    for (const b of bundles) {
      if (t < b.horizon && state.signingGeneration !== undefined)
        expect(b.generations).toContain(state.signingGeneration);
    }
    bundles.push({ horizon: state.horizon, generations: new Set(state.keys.map((k) => k.generation)) });
    observed = applyRotation(state, (n) => `key-${n}`);
  }
}

function timesFrom(start: number, K: number, gaps: number[]): number[] {
  const times: number[] = [];
  let t = start;
  for (const g of gaps) {
    t += Math.round(g * K);
    times.push(t);
  }
  return times;
}

/** Deploys at every moment the schedule's answer changes, from `from` to `to` inclusive. */
function deployContinuously(
  policy: EffectivePolicy,
  epoch: number,
  observed: ObservedRotation,
  from: number,
  to: number,
) {
  let t = from;
  let state: RotationState = planRotation({ policy, epoch, at: t, observed });
  let obs = applyRotation(state);
  while (state.nextChangeAt <= to) {
    t = state.nextChangeAt;
    state = planRotation({ policy, epoch, at: t, observed: obs });
    obs = applyRotation(state);
  }
  if (t < to) {
    state = planRotation({ policy, epoch, at: to, observed: obs });
    obs = applyRotation(state);
  }
  return { state, observed: obs };
}

/**
 * Each run yields to the event loop first: hundreds of synchronous runs would hold the vitest worker for seconds
 * (longer on a loaded machine), and its RPC to the main process times out.
 */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("rotation schedule properties", () => {
  it("a new tenant: signing keys respect the lead, deletions respect acceptance, bundles hold future signers", async () => {
    await fc.assert(
      fc.asyncProperty(
        policyArb(false),
        epochArb,
        fc.double({ min: 0, max: 3, noNaN: true }),
        gapsArb,
        async (policy, epoch, start, gaps) => {
          await yieldToEventLoop();
          const K = policy.keys.rotationPeriodSeconds;
          deployAt(policy, epoch, timesFrom(epoch + Math.round(start * K) - K, K, [1, ...gaps]), { keys: [] });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("an adopted tenant: the kit's first key waits for the lead; the adopted key stays until its tokens lapse", async () => {
    await fc.assert(
      fc.asyncProperty(policyArb(false), epochArb, gapsArb, async (policy, epoch, gaps) => {
        await yieldToEventLoop();
        const K = policy.keys.rotationPeriodSeconds;
        deployAt(policy, epoch, timesFrom(epoch, K, gaps), { keys: [], adopted: { id: "legacy", kid: "legacy" } });
      }),
      { numRuns: 200 },
    );
  });

  it("an imported tenant (keys.adopted): nothing before rotateFrom, then the lead; bundles hold future signers", async () => {
    await fc.assert(
      fc.asyncProperty(
        policyArb(true),
        epochArb,
        fc.double({ min: 0, max: 2, noNaN: true }),
        // Per run: 0 deploys at the schedule's next change (continuous deployment), else after that many periods.
        fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 2, noNaN: true })), {
          minLength: 5,
          maxLength: 40,
        }),
        async (policy, epoch, deferFor, gaps) => {
          await yieldToEventLoop();
          const K = policy.keys.rotationPeriodSeconds;
          const importedAt = epoch + 3 * K + 1234;
          const adoptedKey = { id: "legacy", rotateFrom: importedAt + Math.round(deferFor * K) };
          const next = (previous: RotationState | undefined, run: number) => {
            if (previous === undefined) return importedAt;
            const gap = gaps[run - 1];
            if (gap === undefined) return undefined;
            return gap === 0 ? previous.nextChangeAt : previous.at + Math.max(1, Math.round(gap * K));
          };
          deployAt(policy, epoch, next, { keys: [], adopted: { id: "legacy", kid: "legacy" } }, adoptedKey);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("deploying after any gap converges to continuous deployment's state", async () => {
    await fc.assert(
      fc.asyncProperty(
        policyArb(true),
        epochArb,
        fc.double({ min: 0, max: 4, noNaN: true }),
        fc.double({ min: 0, max: 6, noNaN: true }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        async (policy, epoch, before, idle, after) => {
          await yieldToEventLoop();
          const K = policy.keys.rotationPeriodSeconds;
          const L = leadSeconds(policy);
          const ta = epoch + Math.round(before * K);
          const tb = ta + Math.round(idle * K);
          const retention = planRotation({ policy, epoch, at: epoch, observed: { keys: [] } }).retentionSeconds;

          const gapped = deployContinuously(
            policy,
            epoch,
            deployContinuously(policy, epoch, { keys: [] }, epoch, ta).observed,
            tb,
            tb,
          );
          // Signing and published generations agree from tb + L on.
          const u = tb + L + Math.round(after * K);
          const a = deployContinuously(policy, epoch, { keys: [] }, epoch, u).state;
          const b = deployContinuously(policy, epoch, gapped.observed, tb, u).state;
          expect(b.signingGeneration).toBe(a.signingGeneration);
          const published = (s: RotationState) => s.keys.filter((k) => k.role === "published").map((k) => k.generation);
          expect(published(b)).toEqual(published(a));
          expect(b.horizon).toBe(a.horizon);
          // Everything, retained keys included, agrees from tb + L + K + retention on.
          const w = u + K + retention;
          const aw = deployContinuously(policy, epoch, { keys: [] }, epoch, w).state;
          const bw = deployContinuously(policy, epoch, gapped.observed, tb, w).state;
          const shape = (s: RotationState) => s.keys.map((k) => [k.generation, k.role]);
          expect(shape(bw)).toEqual(shape(aw));
          expect(bw.verificationGenerations).toEqual(aw.verificationGenerations);
        },
      ),
      { numRuns: 200 },
    );
  });
});
