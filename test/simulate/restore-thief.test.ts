// A thief who restores an old device state: the session's counter store makes the state lost (state-seal.ts),
// and the simulation, which applies the same rule, sees no acceptance outside the policy.
import { describe, expect, it } from "vitest";
import { isRestoredCopy } from "../../packages/verifier/src/state-seal";
import { restoreIsLost } from "../../src/simulate/decision";
import { simulateStack } from "../../src/simulate/fleet";
import { presetStackYaml } from "../../src/simulate/preset-stack";
import { compileStackText } from "../helpers/policies";
import { profileAt } from "./profiles";

describe("the thief who restores an old device state (field-crew, field preset, 40 devices, a year, seed 42)", () => {
  const stack = compileStackText(presetStackYaml(["field"]));
  const profile = profileAt("simulations/field-crew.yaml");
  const options = { devices: 40, days: 365, seed: 42 };
  const [run] = simulateStack(stack, profile, options);
  const r = run?.report;

  it("restores, and gets nothing outside the policy: the counter store makes the restored state lost", () => {
    expect(r?.restores).toEqual({ attempted: 1_777, acceptedOutsidePolicy: 0 });
    expect(r?.acceptedOutsidePolicy).toEqual({ count: 0, examples: [] });
    expect(run?.tally.thiefRefusedBy["state-invalid"]).toBeGreaterThan(0);
  });

  it("would have been accepted outside the policy without the counter store (the run catches a missing one)", () => {
    const [without] = simulateStack(stack, profile, { ...options, counterStore: false });
    const w = without?.report;
    expect(w?.restores).toEqual({ attempted: 1_777, acceptedOutsidePolicy: 1_721 });
    expect(w?.acceptedOutsidePolicy.count).toBe(w?.restores.acceptedOutsidePolicy);
    expect(without?.tally.thiefRefusedBy["state-invalid"]).toBeUndefined();
  });

  it("applies the session's own counter rule", () => {
    for (const [saved, held] of [
      [3, 7],
      [7, 7],
      [8, 7],
    ] as const) {
      expect(restoreIsLost(saved, held, true)).toBe(isRestoredCopy(saved, held));
      expect(restoreIsLost(saved, held, false)).toBe(false);
    }
    expect(restoreIsLost(3, 7, true)).toBe(true);
  });
});
