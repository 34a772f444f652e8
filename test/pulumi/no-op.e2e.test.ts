// A pipeline runs `pulumi preview` on every pull request: when nothing changed, it must say so. Nothing in the
// stack's outputs may change between runs (a run-time output once made every preview show a diff).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shippedStack } from "../../testkit/helpers/kit-project";
import { type KitScenario, sec, startKitScenario } from "../helpers/kit-scenario";
import { pulumiToolchain } from "../helpers/pulumi";

const tc = await pulumiToolchain();
const NOW = sec("2026-11-29T12:00:00Z");
const LONG = { timeout: 300_000 };

describe.skipIf(tc === undefined)("a preview after up with nothing changed", () => {
  let s: KitScenario;

  beforeAll(async () => {
    // biome-ignore lint/style/noNonNullAssertion: guarded by skipIf
    s = await startKitScenario(tc!, { stackPrefix: "noop", stackYaml: (url) => shippedStack("local", url), at: NOW });
  }, 120_000);

  afterAll(async () => s?.dispose());

  it("shows no change, not even of an output, and writes nothing to FusionAuth", LONG, async () => {
    await s.deployAt(NOW);
    s.emu.counters.reset();
    // An hour later: still inside the same rotation period, so nothing is due.
    const preview = await s.previewAt(NOW + 3600);
    const changed = Object.entries(preview.changeSummary).filter(([op, n]) => op !== "same" && n > 0);
    expect(changed).toEqual([]);
    // The engine counts the stack as "same" even when an output changes; only its diff shows the change.
    expect(preview.log).not.toMatch(/^\s*[~+-] \w+\s*:/m);
    expect(s.emu.counters.snapshot().writes).toBe(0);
  });
});
