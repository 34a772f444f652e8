import { describe, expect, it } from "vitest";
import { planRotation, RotationError } from "../../src/rotation/schedule";
import { applyRotation, renderRotationGantt, rotationTimeline } from "../../src/rotation/timeline";
import { DAY, EPOCH, HOUR, MIN, PRESET_LEVELS, preset } from "../../testkit/rotation/presets";

// Lead L = J + C + S and retention max(A + G, C) + S, written out per preset from docs/design.md sections 3 and 4.
const EXPECTED = {
  critical: { K: 30 * DAY, P: 1, L: 6 * HOUR + 15 * MIN + 5 * MIN, ret: 15 * MIN + 5 * MIN },
  high: { K: 90 * DAY, P: 1, L: 12 * HOUR + HOUR + 5 * MIN, ret: HOUR + 5 * MIN },
  standard: { K: 90 * DAY, P: 1, L: 14 * DAY + 5 * MIN, ret: 7 * DAY + 5 * MIN },
  field: { K: 180 * DAY, P: 2, L: 21 * DAY + 5 * MIN, ret: 14 * DAY + 5 * MIN },
} as const;

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe.each(PRESET_LEVELS)("rotation schedule of the %s preset", (level) => {
  const policy = preset(level);
  const { K, P, L, ret } = EXPECTED[level];
  const first = planRotation({ policy, epoch: EPOCH, at: EPOCH, observed: { keys: [] } });

  it("a new tenant creates g0..gP and signs with g0 at once", () => {
    expect(first.leadSeconds).toBe(L);
    expect(first.retentionSeconds).toBe(ret);
    expect(first.create).toEqual(range(0, P));
    expect(first.signingGeneration).toBe(0);
    expect(first.verificationGenerations).toEqual([0]);
    expect(first.heldBack).toBeUndefined();
    expect(first.horizon).toBe(EPOCH + (P + 1) * K);
    expect(first.nextChangeAt).toBe(EPOCH + K);
    expect(first.keys.map((k) => [k.generation, k.role, k.activatesAt])).toEqual([
      [0, "signing", EPOCH],
      ...range(1, P).map((n) => [n, "published", EPOCH + n * K]),
    ]);
  });

  it("at epoch + K, g1 signs, g0 is retired and kept for the retention, then deleted", () => {
    const afterFirst = applyRotation(first);
    const rotated = planRotation({ policy, epoch: EPOCH, at: EPOCH + K, observed: afterFirst });
    expect(rotated.signingGeneration).toBe(1);
    expect(rotated.create).toEqual([P + 1]);
    expect(rotated.verificationGenerations).toEqual([1, 0]);
    const g0 = rotated.keys.find((k) => k.generation === 0);
    expect(g0).toMatchObject({ role: "retired", retiresAt: EPOCH + K, deleteAt: EPOCH + K + ret });
    expect(rotated.delete).toEqual([]);
    expect(rotated.horizon).toBe(EPOCH + (P + 2) * K);
    expect(rotated.nextChangeAt).toBe(EPOCH + K + ret);

    const later = planRotation({ policy, epoch: EPOCH, at: EPOCH + K + ret, observed: applyRotation(rotated) });
    expect(later.delete).toEqual([{ id: "g0", generation: 0, kid: undefined }]);
    expect(later.verificationGenerations).toEqual([1]);
    expect(later.keys.map((k) => k.generation)).toEqual(range(1, P + 1));
  });

  it("after an idle gap of three periods, a fresh key does not sign: the rotation is held back for the lead", () => {
    const t = EPOCH + 3 * K + DAY;
    const gap = planRotation({ policy, epoch: EPOCH, at: t, observed: applyRotation(first) });
    expect(gap.scheduledGeneration).toBe(3);
    expect(gap.create).toEqual(range(3, 3 + P));
    // The newest key published since the epoch takes over; the fresh g3 waits.
    expect(gap.signingGeneration).toBe(P);
    expect(gap.heldBack).toMatchObject({ scheduledGeneration: 3, until: t + L });
    expect(gap.heldBack?.message).toContain(new Date((t + L) * 1000).toISOString());
    // The retired g0 (and, with P = 2, the skipped g1) leave first: the retention is shorter than the lead.
    expect(gap.nextChangeAt).toBe(t + ret);
    expect(gap.keys.filter((k) => k.role === "retired").map((k) => [k.generation, k.deleteAt])).toEqual(
      range(0, P - 1).map((n) => [n, t + ret]),
    );
    expect(gap.horizon).toBe(EPOCH + (4 + P) * K);

    const resumed = planRotation({ policy, epoch: EPOCH, at: t + L, observed: applyRotation(gap) });
    expect(resumed.signingGeneration).toBe(3);
    expect(resumed.heldBack).toBeUndefined();
    expect(resumed.create).toEqual([]);
    expect(resumed.keys.find((k) => k.generation === P)).toMatchObject({
      role: "retired",
      retiresAt: t + L,
      deleteAt: t + L + ret,
    });
    expect(resumed.delete.map((d) => d.generation)).toEqual(range(0, P - 1));
    expect(resumed.verificationGenerations).toEqual([3, P]);
  });

  it("an adopted tenant keeps its signing key until the kit's first key has been published for the lead", () => {
    const t = EPOCH + 10 * HOUR;
    const adopt = planRotation({
      policy,
      epoch: EPOCH,
      at: t,
      observed: { keys: [], adopted: { id: "legacy", kid: "legacy-kid" } },
    });
    expect(adopt.signingGeneration).toBeUndefined();
    expect(adopt.adopted).toEqual({ id: "legacy", kid: "legacy-kid", role: "signing" });
    expect(adopt.create).toEqual(range(0, P));
    expect(adopt.heldBack).toMatchObject({ scheduledGeneration: 0, until: t + L });

    const justBefore = planRotation({ policy, epoch: EPOCH, at: t + L - 1, observed: applyRotation(adopt) });
    expect(justBefore.signingGeneration).toBeUndefined();
    const takeOver = planRotation({ policy, epoch: EPOCH, at: t + L, observed: applyRotation(adopt) });
    expect(takeOver.signingGeneration).toBe(0);
    expect(takeOver.adopted).toEqual({
      id: "legacy",
      kid: "legacy-kid",
      role: "retired",
      retiredAt: t + L,
      releaseAt: t + L + ret,
    });
    const released = planRotation({ policy, epoch: EPOCH, at: t + L + ret, observed: applyRotation(takeOver) });
    expect(released.adopted?.role).toBe("released");
    expect(released.delete).toEqual([]);
  });
});

describe("planRotation input checks", () => {
  it("refuses two keys claiming one generation", () => {
    const observed = {
      keys: [
        { id: "a", generation: 1, insertInstant: EPOCH },
        { id: "b", generation: 1, insertInstant: EPOCH },
      ],
      signingGeneration: 1,
    };
    expect(() => planRotation({ policy: preset("standard"), epoch: EPOCH, at: EPOCH, observed })).toThrowError(
      expect.objectContaining({ code: "KIT_ROTATION_INVALID_INPUT", message: "two keys claim generation 1" }),
    );
  });
  it("refuses a signing generation that does not exist", () => {
    const run = () =>
      planRotation({
        policy: preset("standard"),
        epoch: EPOCH,
        at: EPOCH,
        observed: { keys: [], signingGeneration: 2 },
      });
    expect(run).toThrow(RotationError);
    expect(run).toThrow("signing generation 2 is not among the observed keys");
  });
  it("keeps a retired key without a recorded retirement for a full retention from now", () => {
    const policy = preset("standard");
    const observed = {
      keys: [
        { id: "old", generation: 0, insertInstant: EPOCH },
        { id: "cur", generation: 1, insertInstant: EPOCH },
        { id: "next", generation: 2, insertInstant: EPOCH + 90 * DAY },
      ],
      signingGeneration: 1,
    };
    const at = EPOCH + 170 * DAY;
    const state = planRotation({ policy, epoch: EPOCH, at, observed });
    expect(state.keys[0]).toMatchObject({
      generation: 0,
      role: "retired",
      retiresAt: at,
      deleteAt: at + state.retentionSeconds,
    });
    expect(state.delete).toEqual([]);
  });
});

describe("rotation timeline", () => {
  const policy = preset("standard");
  const timeline = rotationTimeline({
    policy,
    epoch: EPOCH,
    at: EPOCH,
    observed: { keys: [] },
    until: EPOCH + 200 * DAY,
  });
  const ret = EXPECTED.standard.ret;

  it("lists publish, activate, retire and delete per generation", () => {
    expect(timeline.events).toEqual([
      { at: EPOCH, generation: 0, kind: "publish" },
      { at: EPOCH, generation: 1, kind: "publish" },
      { at: EPOCH, generation: 0, kind: "activate" },
      { at: EPOCH + 90 * DAY, generation: 2, kind: "publish" },
      { at: EPOCH + 90 * DAY, generation: 1, kind: "activate" },
      { at: EPOCH + 90 * DAY, generation: 0, kind: "retire" },
      { at: EPOCH + 90 * DAY + ret, generation: 0, kind: "delete" },
      { at: EPOCH + 180 * DAY, generation: 3, kind: "publish" },
      { at: EPOCH + 180 * DAY, generation: 2, kind: "activate" },
      { at: EPOCH + 180 * DAY, generation: 1, kind: "retire" },
      { at: EPOCH + 180 * DAY + ret, generation: 1, kind: "delete" },
    ]);
  });

  it("renders a Mermaid gantt chart with one section per generation", () => {
    const chart = renderRotationGantt(timeline, "Key rotation: acme");
    const lines = chart.trimEnd().split("\n");
    expect(lines.slice(0, 4)).toEqual([
      "gantt",
      "  title Key rotation  acme",
      "  dateFormat YYYY-MM-DD HH:mm:ss",
      "  axisFormat %Y-%m-%d",
    ]);
    expect(lines.filter((l) => l.startsWith("  section"))).toEqual([
      "  section g0",
      "  section g1",
      "  section g2",
      "  section g3",
    ]);
    expect(chart).toContain("    signing :active, k0, 2025-01-01 00:00:00, 2025-04-01 00:00:00\n");
    expect(chart).toContain("    retained :done, k1, 2025-04-01 00:00:00, 2025-04-08 00:05:00\n");
    for (const task of lines.filter((l) => l.startsWith("    "))) {
      expect(task).toMatch(
        /^ {4}(published|signing|retained) :(active, |done, )?k\d+, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/,
      );
    }
  });

  it("reports a hold-back with its end", () => {
    const idle = rotationTimeline({
      policy,
      epoch: EPOCH,
      at: EPOCH + 271 * DAY,
      observed: applyRotation(timeline.initial),
      until: EPOCH + 300 * DAY,
    });
    expect(idle.heldBack).toEqual([
      { at: EPOCH + 271 * DAY, scheduledGeneration: 3, until: EPOCH + 271 * DAY + EXPECTED.standard.L },
    ]);
    expect(idle.events).toContainEqual({
      at: EPOCH + 271 * DAY + EXPECTED.standard.L,
      generation: 3,
      kind: "activate",
    });
  });
});
