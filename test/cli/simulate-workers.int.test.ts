// The fleet split across worker threads gives exactly the figures of one thread.
import { describe, expect, it } from "vitest";
import { simulateStackOnThreads } from "../../src/cli/simulate-workers";
import { simulateStack } from "../../src/simulate/fleet";
import { presetStackYaml } from "../../src/simulate/preset-stack";
import { compileStackText } from "../helpers/policies";
import { profileAt } from "../simulate/profiles";

describe("fakit simulate on worker threads", () => {
  it("merges the threads' tallies into the one-thread result, samples and reproducers included", async () => {
    const stack = compileStackText(presetStackYaml(["standard"]));
    const profile = profileAt("simulations/field-crew.yaml");
    const options = { devices: 1000, days: 30, seed: 11 };
    const [threaded] = await simulateStackOnThreads(stack, profile, options, 2);
    const [single] = simulateStack(stack, profile, options);
    expect(threaded?.report).toEqual(single?.report);
    expect(threaded?.tally.samples).toEqual(single?.tally.samples);
    expect(threaded?.tally.stolen).toEqual(single?.tally.stolen);
  });
});
