import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planRotation } from "../../src/rotation/schedule";
import { applyRotation, rotationTimeline } from "../../src/rotation/timeline";
import { DAY, EPOCH, HOUR, PRESET_LEVELS, preset } from "../../testkit/rotation/presets";

// field: K = 180 days, P = 2, lead 21 days 5 minutes; standard: K = 90 days, P = 1.
const field = preset("field");
const K = field.keys.rotationPeriodSeconds;
const L = 21 * DAY + 5 * 60;

/** A tenant deployed at the epoch and redeployed continuously until `at`. */
function deployedUntil(policy = field, at = EPOCH + 10 * DAY) {
  const first = planRotation({ policy, epoch: EPOCH, at: EPOCH, observed: { keys: [] } });
  const state = planRotation({ policy, epoch: EPOCH, at, observed: applyRotation(first) });
  return applyRotation(state);
}

describe("revoking the signing generation", () => {
  const at = EPOCH + 10 * DAY;
  const observed = deployedUntil(field, at);
  const r = planRotation({ policy: field, epoch: EPOCH, at, observed, revoked: [0] });

  it("the next generation, published ahead, signs at once", () => {
    expect(observed.signingGeneration).toBe(0);
    expect(r.signingGeneration).toBe(1);
    expect(r.keys.find((k) => k.generation === 1)).toMatchObject({ role: "signing", activatesAt: at });
    expect(r.heldBack).toBeUndefined();
  });

  it("the revoked key is neither listed for verification nor kept: this run deletes it", () => {
    expect(r.verificationGenerations).toEqual([1]);
    expect(r.keys.map((k) => k.generation)).not.toContain(0);
    expect(r.delete).toEqual([{ id: "g0", generation: 0, kid: undefined, revoked: true }]);
  });

  it("says that devices could lack the new key until its lead has passed", () => {
    expect(r.emergency).toEqual({ revokedGeneration: 0, generation: 1, publishedAt: EPOCH, leadMetAt: EPOCH + L });
  });

  it("keeps P keys published ahead", () => {
    expect(r.create).toEqual([3]);
    expect(r.keys.filter((k) => k.role === "published").map((k) => k.generation)).toEqual([2, 3]);
  });

  it("then converges: the next rotation waits for the lead gate and keeps the schedule", () => {
    const t = rotationTimeline({ policy: field, epoch: EPOCH, at, observed, revoked: [0], until: EPOCH + 3 * K });
    const activations = t.events.filter((e) => e.kind === "activate").map((e) => [e.generation, e.at]);
    // g1 now and through its own slot, then g2 and g3 at their slots, as if nothing had happened.
    expect(activations).toEqual([
      [1, at],
      [2, EPOCH + 2 * K],
      [3, EPOCH + 3 * K],
    ]);
    const later = planRotation({
      policy: field,
      epoch: EPOCH,
      at: EPOCH + 2 * K,
      observed: applyRotation(r),
      revoked: [0],
    });
    expect(later.signingGeneration).toBe(2);
    expect(later.create).toEqual([4]);
    expect(later.emergency).toBeUndefined();
  });
});

describe("revoking a generation that does not sign", () => {
  it("a retired generation leaves the verification list at once, the signing key stays", () => {
    const std = preset("standard");
    const first = planRotation({ policy: std, epoch: EPOCH, at: EPOCH, observed: { keys: [] } });
    const atRotation = EPOCH + std.keys.rotationPeriodSeconds;
    const rotated = planRotation({ policy: std, epoch: EPOCH, at: atRotation, observed: applyRotation(first) });
    expect(rotated.verificationGenerations).toEqual([1, 0]);
    const r = planRotation({
      policy: std,
      epoch: EPOCH,
      at: atRotation + HOUR,
      observed: applyRotation(rotated),
      revoked: [0],
    });
    expect(r.signingGeneration).toBe(1);
    expect(r.verificationGenerations).toEqual([1]);
    expect(r.delete.map((d) => d.generation)).toEqual([0]);
    expect(r.emergency).toBeUndefined();
  });

  it("a generation published ahead is deleted and the one after it is created, so P stay ahead", () => {
    const at = EPOCH + 10 * DAY;
    const r = planRotation({ policy: field, epoch: EPOCH, at, observed: deployedUntil(field, at), revoked: [1] });
    expect(r.signingGeneration).toBe(0);
    expect(r.keys.filter((k) => k.role === "published").map((k) => k.generation)).toEqual([2, 3]);
    expect(r.create).toEqual([3]);
    expect(r.delete.map((d) => d.generation)).toEqual([1]);
  });

  it("a revoked generation is never created, even for a new tenant", () => {
    const r = planRotation({ policy: field, epoch: EPOCH, at: EPOCH, observed: { keys: [] }, revoked: [1] });
    expect(r.create).toEqual([0, 2, 3]);
  });
});

describe("revoking the generation scheduled next", () => {
  it("the signing key keeps its slot through the revoked one, not held back, and the one after takes over at its own", () => {
    const critical = preset("critical");
    const Kc = critical.keys.rotationPeriodSeconds;
    const first = planRotation({ policy: critical, epoch: EPOCH, at: EPOCH, observed: { keys: [] } });
    const before = planRotation({
      policy: critical,
      epoch: EPOCH,
      at: EPOCH + Kc - HOUR,
      observed: applyRotation(first),
      revoked: [1],
    });
    expect(before.create).toEqual([2]);
    const atSlot = planRotation({
      policy: critical,
      epoch: EPOCH,
      at: EPOCH + Kc,
      observed: applyRotation(before),
      revoked: [1],
    });
    expect(atSlot.signingGeneration).toBe(0);
    expect(atSlot.heldBack).toBeUndefined();
    const next = planRotation({
      policy: critical,
      epoch: EPOCH,
      at: EPOCH + 2 * Kc,
      observed: applyRotation(atSlot),
      revoked: [1],
    });
    expect(next.signingGeneration).toBe(2);
  });
});

describe("properties of revocation over random deployments", () => {
  it("a revoked generation never exists, signs or verifies after the run that revokes it; a key always signs", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PRESET_LEVELS),
        fc.array(fc.integer({ min: HOUR, max: 200 * DAY }), { minLength: 2, maxLength: 8 }),
        fc.nat({ max: 7 }),
        fc.array(fc.nat({ max: 6 }), { minLength: 1, maxLength: 3 }),
        (level, gaps, revokeAtStep, offsets) => {
          const policy = preset(level);
          const P = policy.keys.publishedAhead;
          let at = EPOCH;
          let state = planRotation({ policy, epoch: EPOCH, at, observed: { keys: [] } });
          let revoked: number[] = [];
          gaps.forEach((gap, step) => {
            at += gap;
            if (step === Math.min(revokeAtStep, gaps.length - 1)) {
              // Revoke generations around the one signing, keeping one of those that could sign (as validate does).
              const signing = state.signingGeneration ?? 0;
              const wanted = [...new Set(offsets.map((o) => Math.max(0, signing - 2 + o)))];
              const k = Math.floor((at - EPOCH) / policy.keys.rotationPeriodSeconds);
              const candidates = Array.from({ length: P + 1 }, (_, i) => k + i);
              revoked = candidates.every((n) => wanted.includes(n)) ? wanted.slice(1) : wanted;
            }
            state = planRotation({ policy, epoch: EPOCH, at, observed: applyRotation(state), revoked });
            for (const n of revoked) {
              expect(state.keys.map((key) => key.generation)).not.toContain(n);
              expect(state.create).not.toContain(n);
              expect(state.verificationGenerations).not.toContain(n);
            }
            expect(state.signingGeneration).toBeDefined();
            expect(revoked).not.toContain(state.signingGeneration);
            expect(state.keys.filter((key) => key.role === "published").length).toBeGreaterThanOrEqual(P);
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
