import { describe, expect, it } from "vitest";
import type { RetentionPolicy } from "../../src/policy/retention";
import { checkSignatures, simulateStack } from "../../src/simulate/fleet";
import { presetStackYaml } from "../../src/simulate/preset-stack";
import { compileStackText } from "../helpers/policies";
import { DAILY_HIGH_STACK, profileAt } from "./profiles";

/** The retention rule before the fix: A + G + S, which ignores that a token stays acceptable degraded until C. */
const FORMER_RULE = (p: RetentionPolicy) =>
  p.accessToken.ttlSeconds + p.offline.graceSeconds + p.offline.clockRollbackToleranceSeconds;

describe("a small seeded field-crew run (field preset, 40 devices, a year, seed 42)", () => {
  const stack = compileStackText(presetStackYaml(["field"]));
  const profile = profileAt("test/fixtures/simulate/honest-clocks.yaml");
  const [run] = simulateStack(stack, profile, { devices: 40, days: 365, seed: 42 });
  const r = run?.report;

  it("gives the figures the kit's schedule, bundles and decision rules produce for this seed", () => {
    expect(r).toMatchObject({
      tenant: "field",
      application: "app",
      preset: "field",
      devices: 40,
      deviceYears: 40,
      openings: 77_502,
      refusedBy: { "check-in-overdue": 3_352, "kid-unknown": 38 },
      keys: { rotations: 2, retentionSeconds: 14 * 86_400 + 300 },
      logins: 49,
      syncs: 32_010,
      failedRefreshes: 1_636,
    });
    expect(run?.tally).toMatchObject({ full: 61_241, degraded: 12_871, refused: 3_390 });
  });

  it("answers every opening once: the shares sum to 1", () => {
    const s = r?.shares as { full: number; degraded: number; refused: number };
    expect(s.full + s.degraded + s.refused).toBeCloseTo(1, 12);
    expect(run?.tally.full + run?.tally.degraded + run?.tally.refused).toBe(r?.openings);
  });

  it("refuses nothing the policy allows and accepts nothing it forbids", () => {
    expect(r?.unexplainedRefusals).toEqual({ count: 0, examples: [] });
    expect(r?.acceptedOutsidePolicy).toEqual({ count: 0, examples: [] });
  });

  it("measures the revocation lag of stolen devices within the policy's bound (check-in, with degraded mode)", () => {
    const lag = r?.revocationLag;
    expect(lag).toMatchObject({ stolenDevices: 10, planSeconds: 30 * 60 + 72 * 3_600, boundSeconds: 14 * 86_400 });
    expect(lag?.max).toBeGreaterThan(lag?.planSeconds as number);
    expect(lag?.max).toBeLessThanOrEqual(lag?.boundSeconds as number);
    expect(lag?.p50).toBeLessThanOrEqual(lag?.p99 as number);
    // These thieves cannot set the clock back (rollbackBy 0s), so they never switch the device off either: every
    // acceptance they got is within the policy.
    expect(lag?.withPowerOff).toEqual({ p50: lag?.p50, p99: lag?.p99, max: lag?.max });
    expect(r?.acceptedPoweredOff).toEqual({ count: 0, maxOffSeconds: 0, examples: [] });
  });

  it("is deterministic for a seed, and another seed gives another run", () => {
    const [again] = simulateStack(stack, profile, { devices: 40, days: 365, seed: 42 });
    expect(again?.report).toEqual(r);
    const [other] = simulateStack(stack, profile, { devices: 40, days: 365, seed: 43 });
    expect(other?.report.openings).not.toBe(r?.openings);
  });
});

describe("clocks set back (field-crew: a user sets the clock back 2 days every other year; thieves set it back, reboot, switch the device off)", () => {
  const stack = compileStackText(presetStackYaml(["field"]));
  const profile = profileAt("simulations/field-crew.yaml");
  const options = { devices: 40, days: 365, seed: 42 };
  const [run] = simulateStack(stack, profile, options);
  const r = run?.report;

  // The device keeps the offline session's clock trust (a persisted high-water mark, the last server time, the
  // monotonic clock within a boot): a clock set back within a boot, or before a reboot, is refused.
  it("accepts nothing outside the policy: the session refuses clocks set back, within a boot and across a reboot", () => {
    expect(r?.acceptedOutsidePolicy).toEqual({ count: 0, examples: [] });
    expect(r?.unexplainedRefusals.count).toBe(0);
    // The owners' and thieves' set-back clocks are refused, and counted as the policy's own refusals.
    expect(r?.refusedBy["clock-rollback"]).toBe(64);
    expect(r?.refusedClockFault).toBe(64);
  });

  // What the guide says a reboot still gives: the time from the last reading to the boot, which no clock on the
  // device counted. The new boot's uptime is counted (trusted time >= last trusted time + uptime): before that
  // rule the thieves of this run got 39 openings accepted by the uptime after the boot; now none.
  it("counts the new boot's uptime: a thief gains at most the time the device was off, here nothing", () => {
    expect(r?.acceptedPoweredOff).toEqual({ count: 0, maxOffSeconds: 0, examples: [] });
    const lag = r?.revocationLag;
    expect(lag?.max).toBeLessThanOrEqual(lag?.boundSeconds as number);
    expect(lag?.withPowerOff.max).toBe(lag?.max);
  });

  // The detector itself: the same fleet deciding on the last server time alone (no high-water mark, no monotonic
  // clock, the verifier before the session) accepts clocks set back, and each acceptance is reported.
  it("still finds acceptances outside the policy when clock trust is off, each with the device that reproduces it", () => {
    const [without] = simulateStack(stack, profile, { ...options, clockTrust: false });
    expect(without?.report.acceptedOutsidePolicy.count).toBe(20);
    expect(without?.report.acceptedOutsidePolicy.examples[0]).toEqual({
      device: 8,
      at: expect.any(Number),
      code: "offline-degraded (policy: check-in-overdue)",
    });
    expect(without?.report.unexplainedRefusals.count).toBe(0);
    expect(without?.report.revocationLag.withPowerOff.max).toBeGreaterThan(r?.revocationLag.withPowerOff.max as number);
  });

  it("agrees with the real decide() on sampled openings, set-back clocks refused by the session's floor included", async () => {
    const [sampled] = simulateStack(stack, profile, { ...options, sampleEvery: 40 });
    if (sampled === undefined) throw new Error("no run");
    const check = await checkSignatures(sampled);
    expect(check.checked).toBe(2_198);
    expect(check.mismatches).toEqual([]);
    expect(new Set(sampled.tally.samples.map((s) => s.fast.code))).toContain("clock-rollback");
  });
});

describe("the thief who reboots before every use and holds the clock (field-crew, many thefts)", () => {
  const base = profileAt("simulations/field-crew.yaml");
  const profile = { ...base, incidents: { ...base.incidents, stolenPerYear: 3 } };
  const runs = simulateStack(compileStackText(presetStackYaml(["critical", "high", "standard", "field"])), profile, {
    devices: 30,
    days: 60,
    seed: 7,
  });

  it.each(runs.map((run) => [run.report.preset, run] as const))(
    "%s: accepts nothing outside the policy, and the offline-boot bound ends the trick (clock-unverified)",
    (_preset, run) => {
      expect(run.report.acceptedOutsidePolicy).toEqual({ count: 0, examples: [] });
      expect(run.report.revocationLag.stolenDevices).toBeGreaterThan(5);
      // Every thief who reboots is refused once the boots pass clockTrust.offlineBoots: before, never.
      expect(run.tally.thiefRefusedBy["clock-unverified"]).toBeGreaterThan(0);
      const lag = run.report.revocationLag;
      // plan's held-clock reboot gain: 0s where no boot may start offline, so rebooting gains a thief nothing.
      if (run.report.preset === "critical" || run.report.preset === "high")
        expect(lag.withPowerOff).toEqual({ p50: lag.p50, p99: lag.p99, max: lag.max });
    },
  );
});

describe("the retention rule, replayed on a fleet (high, rotating daily, flaky links)", () => {
  const stack = compileStackText(DAILY_HIGH_STACK);
  const profile = profileAt("test/fixtures/simulate/flaky-link.yaml");
  const options = { devices: 50, days: 10, seed: 7 };

  it("finds the lockout under the former rule A + G + S (45m): devices refuse tokens the policy accepts as degraded", () => {
    const [run] = simulateStack(stack, profile, { ...options, retentionRule: FORMER_RULE });
    expect(run?.report.keys).toMatchObject({ rotations: 10, retentionSeconds: 45 * 60 });
    expect(run?.report.unexplainedRefusals.count).toBe(3);
    expect(run?.report.unexplainedRefusals.examples[0]).toEqual({
      device: 5,
      at: expect.any(Number),
      code: "kid-unknown (policy: offline-degraded)",
    });
  });

  it("finds none under the rule max(A + G, C) + S (1h5m)", () => {
    const [run] = simulateStack(stack, profile, options);
    expect(run?.report.keys).toMatchObject({ rotations: 10, retentionSeconds: 65 * 60 });
    expect(run?.report.unexplainedRefusals).toEqual({ count: 0, examples: [] });
    expect(run?.report.acceptedOutsidePolicy.count).toBe(0);
  });

  it("reproduces a reported lockout from its seed and device alone", () => {
    const [fleet] = simulateStack(stack, profile, { ...options, retentionRule: FORMER_RULE });
    const example = fleet?.report.unexplainedRefusals.examples.find((e) => e.device === 48);
    const [one] = simulateStack(stack, profile, { ...options, retentionRule: FORMER_RULE, device: 48 });
    expect(one?.report.devices).toBe(1);
    expect(one?.report.unexplainedRefusals.examples[0]).toEqual(example);
  });

  it("agrees with the real decide() on sampled openings, signatures and key sets included", async () => {
    const [run] = simulateStack(stack, profile, { ...options, retentionRule: FORMER_RULE, sampleEvery: 50 });
    if (run === undefined) throw new Error("no run");
    const check = await checkSignatures(run);
    expect(check.checked).toBe(1_998);
    expect(check.mismatches).toEqual([]);
    // The sample covers every kind of answer, the refusal for a missing key among them.
    expect(new Set(run.tally.samples.map((s) => s.fast.code))).toEqual(
      new Set(["valid", "offline-grace", "offline-degraded", "check-in-overdue", "kid-unknown"]),
    );
    expect(run.report.signatures).toEqual({ checked: 1_998, mismatches: 0, examples: [] });
  });
});
