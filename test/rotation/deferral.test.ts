// keys.adopted: an imported tenant's own signing key is the current generation until rotateFrom, then the kit
// rotates as for any adopted tenant, its first key signing only once published for the lead.
import { describe, expect, it } from "vitest";
import { planStackRotations, renderRotationText } from "../../src/plan/rotation";
import {
  leadSeconds,
  planRotation,
  type RotationInput,
  scheduledActivation,
  scheduledGenerationAt,
} from "../../src/rotation/schedule";
import { applyRotation, rotationTimeline } from "../../src/rotation/timeline";
import type { TenantState } from "../../src/stack/desired-state";
import { planStackRotation } from "../../src/stack/rotation";
import { EPOCH, HOUR, PRESET_LEVELS, preset } from "../../testkit/rotation/presets";

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const LEGACY = { id: "legacy", kid: "legacy-kid" };

describe.each(PRESET_LEVELS)("keys.adopted on a %s tenant", (level) => {
  const policy = preset(level);
  const K = policy.keys.rotationPeriodSeconds;
  const P = policy.keys.publishedAhead;
  const L = leadSeconds(policy);
  // Imported mid-period; fakit import writes rotateFrom one period later.
  const importedAt = EPOCH + 10 * K + 3 * HOUR;
  const rotateFrom = importedAt + K;
  const adoptedKey = { id: "legacy", rotateFrom };
  const run = (at: number, observed: RotationInput["observed"] = { keys: [], adopted: LEGACY }) =>
    planRotation({ policy, epoch: EPOCH, at, observed, adoptedKey });

  it.each([
    ["at the import", 0],
    ["one second before rotateFrom", K - 1],
  ])("%s: creates nothing, the adopted key signs, the bundle is good until a kit key could sign", (_when, dt) => {
    const r = run(importedAt + dt);
    expect(r.create).toEqual([]);
    expect(r.keys).toEqual([]);
    expect(r.delete).toEqual([]);
    expect(r.signingGeneration).toBeUndefined();
    expect(r.adopted).toEqual({ ...LEGACY, role: "signing" });
    expect(r.heldBack).toBeUndefined();
    expect(r.deferralIgnored).toBeUndefined();
    expect(r.deferred).toMatchObject({ adoptedId: "legacy", rotateFrom, kitSignsFrom: rotateFrom + L });
    expect(r.horizon).toBe(rotateFrom + L);
    // The answer changes at rotateFrom at the latest.
    expect(r.nextChangeAt).toBe(Math.min(rotateFrom, scheduledActivation(policy, EPOCH, r.scheduledGeneration + 1)));
  });

  it("from rotateFrom: creates the scheduled generation and P ahead; the adopted key signs until the lead", () => {
    const k = scheduledGenerationAt(policy, EPOCH, rotateFrom);
    const first = run(rotateFrom);
    expect(first.deferred).toBeUndefined();
    expect(first.create).toEqual(range(k, k + P));
    expect(first.signingGeneration).toBeUndefined();
    expect(first.adopted?.role).toBe("signing");
    expect(first.heldBack?.until).toBe(rotateFrom + L);

    const observed = applyRotation(first);
    expect(run(rotateFrom + L - 1, observed).signingGeneration).toBeUndefined();
    const takeOver = run(rotateFrom + L, observed);
    expect(takeOver.signingGeneration).toBe(scheduledGenerationAt(policy, EPOCH, rotateFrom + L));
    expect(takeOver.adopted).toMatchObject({ role: "retired", retiredAt: rotateFrom + L });
    expect(takeOver.deferralIgnored).toBeUndefined();
  });

  it("after rotateFrom the declaration changes nothing: a late first run is that of any adopted tenant", () => {
    const late = rotateFrom + 2 * K + 7 * HOUR;
    const without = planRotation({ policy, epoch: EPOCH, at: late, observed: { keys: [], adopted: LEGACY } });
    expect(run(late)).toEqual(without);
  });

  it("does not defer, and says why, when the tenant signs with another key than the declared one", () => {
    const r = run(importedAt, { keys: [], adopted: { id: "swapped" } });
    expect(r.deferred).toBeUndefined();
    expect(r.create).toEqual(range(scheduledGenerationAt(policy, EPOCH, importedAt), P + 10));
    expect(r.adopted?.id).toBe("swapped");
    expect(r.heldBack?.until).toBe(importedAt + L);
    expect(r.deferralIgnored?.message).toBe(
      "keys.adopted is ignored: the tenant signs with key swapped, not the declared adopted key legacy (changed in FusionAuth since the import?); the kit publishes its own keys now, as for any adopted tenant; correct keys.adopted.id or delete the block",
    );
  });

  it("does not defer, and says why, when no key a device can verify signs (an HS* key is not observed as adopted)", () => {
    const r = run(importedAt, { keys: [] });
    expect(r.deferred).toBeUndefined();
    expect(r.signingGeneration).toBe(10);
    expect(r.deferralIgnored?.message).toContain("the tenant signs with no key a device can verify");
  });

  it("does not defer once the kit holds keys of its own (the block was deleted, up ran, the block came back)", () => {
    const rotated = planRotation({ policy, epoch: EPOCH, at: importedAt, observed: { keys: [], adopted: LEGACY } });
    const r = run(importedAt + HOUR, applyRotation(rotated));
    expect(r.deferred).toBeUndefined();
    expect(r.create).toEqual([]);
    expect(r.keys.map((k) => k.generation)).toEqual(range(10, 10 + P));
    expect(r.deferralIgnored?.message).toContain("the kit already holds keys of its own");
  });

  it("the timeline and plan show the deferral: the adopted key signs, the kit publishes from rotateFrom", () => {
    const timeline = rotationTimeline({
      policy,
      epoch: EPOCH,
      at: importedAt,
      observed: { keys: [], adopted: LEGACY },
      adoptedKey,
      until: rotateFrom + L + K,
    });
    const k = scheduledGenerationAt(policy, EPOCH, rotateFrom);
    const publishes = timeline.events.filter((e) => e.kind === "publish");
    expect(publishes[0]).toEqual({ at: rotateFrom, generation: k, kind: "publish" });
    expect(timeline.segments.find((s) => s.generation === "adopted" && s.phase === "signing")).toEqual({
      generation: "adopted",
      phase: "signing",
      from: importedAt,
      to: rotateFrom + L,
    });
  });
});

describe("fakit plan of an imported tenant", () => {
  it("says until when the adopted key signs and from when the kit publishes", () => {
    const policy = preset("field");
    const at = Date.UTC(2026, 11, 1, 9, 30) / 1000;
    const rotateFrom = Date.UTC(2027, 4, 30, 9, 31) / 1000;
    const input: RotationInput = {
      policy,
      epoch: EPOCH,
      at,
      observed: { keys: [], adopted: { id: "legacy" } },
      adoptedKey: { id: "legacy", rotateFrom },
    };
    const tenant = { key: "crews", policy } as Parameters<typeof planStackRotations>[0][number]["tenant"];
    const [plan] = planStackRotations([{ tenant, input, rotation: planRotation(input), observed: true }]);
    expect(plan?.deferred).toEqual({
      adoptedKeyId: "legacy",
      rotateFrom: "2027-05-30T09:31:00Z",
      adoptedSignsUntil: "2027-06-20T09:36:00Z",
      message:
        "adopted key legacy signs until at least 2027-06-20T09:36:00Z; kit keys published from 2027-05-30T09:31:00Z (keys.adopted.rotateFrom)",
    });
    const text = renderRotationText(plan === undefined ? [] : [plan]);
    expect(text).toContain(
      "  DEFERRED: adopted key signs until at least 2027-06-20T09:36:00Z, kit keys published from 2027-05-30T09:31:00Z (keys.adopted)",
    );
    expect(text).toContain("  signing: generation adopted key; published ahead: none; retained: none");
  });

  it("warns when the tenant signs with another key than the declared one", () => {
    const policy = preset("field");
    const at = Date.UTC(2026, 11, 1, 9, 30) / 1000;
    const input: RotationInput = {
      policy,
      epoch: EPOCH,
      at,
      observed: { keys: [], adopted: { id: "swapped" } },
      adoptedKey: { id: "legacy", rotateFrom: at + 3600 },
    };
    const tenant = { key: "crews", policy } as Parameters<typeof planStackRotations>[0][number]["tenant"];
    const [plan] = planStackRotations([{ tenant, input, rotation: planRotation(input), observed: true }]);
    expect(plan?.deferred).toBeNull();
    expect(renderRotationText(plan === undefined ? [] : [plan])).toContain(
      "  WARNING: keys.adopted is ignored: the tenant signs with key swapped, not the declared adopted key legacy (changed in FusionAuth since the import?); the kit publishes its own keys now, as for any adopted tenant; correct keys.adopted.id or delete the block",
    );
  });
});

describe("a stack's rotation input with keys.adopted", () => {
  const policy = preset("field");
  const at = Date.UTC(2026, 11, 1, 9, 30) / 1000;
  const tenant = {
    key: "crews",
    policy,
    revokedKeys: [],
    adoptedKey: { id: "legacy", rotateFrom: at + 3600 },
  } as unknown as TenantState;

  it("unobserved (plan without --live), starts as FusionAuth is right after the import: the declared key signs", () => {
    const [r] = planStackRotation({ tenants: [tenant] }, at);
    expect(r?.input.observed).toEqual({ keys: [], adopted: { id: "legacy" } });
    expect(r?.rotation.deferred?.rotateFrom).toBe(at + 3600);
    expect(r?.rotation.create).toEqual([]);
  });

  it("observed, passes the declaration with what FusionAuth holds", () => {
    const [r] = planStackRotation(
      { tenants: [tenant] },
      at,
      new Map([["crews", { keys: [], adopted: { id: "other" } }]]),
    );
    expect(r?.input.adoptedKey).toEqual({ id: "legacy", rotateFrom: at + 3600 });
    expect(r?.rotation.deferred).toBeUndefined();
    expect(r?.rotation.deferralIgnored).toBeDefined();
  });
});
