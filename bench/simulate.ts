/**
 * Fleet simulation speed: 10,000 device-years of the field-crew profile (the `field` preset, one application),
 * time rules on every opening, signatures on a sample of about 1000 openings through the real `decide()`.
 * The goal (issue "fakit simulate") is at most 10 s on 2 cores: the devices run on one worker thread per core.
 * CPU time is the whole process's, threads included. Run alone with `npx tsx bench/simulate.ts`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { simulateStackOnThreads } from "../src/cli/simulate-workers";
import { parseYamlSource } from "../src/diagnostics/yaml-source";
import { checkSignatures } from "../src/simulate/fleet";
import { presetStackYaml } from "../src/simulate/preset-stack";
import { readProfile, type SimulationProfile } from "../src/simulate/profile";
import { compileStack } from "../src/stack/compile";
import { loadPolicySources, readYamlFile } from "../src/stack/load";

const ROOT = join(__dirname, "..");
export const SIMULATE_GOAL_SECONDS = 10;

export interface SimulateRuns {
  deviceYears: number;
  /** Wall seconds per run: the simulation and the sampled signature check. */
  seconds: number[];
  /** CPU seconds (user + system) of the whole process per run, worker threads included. */
  cpuSeconds: number[];
  openings: number;
  signaturesChecked: number;
  mismatches: number;
}

export async function benchSimulate(runs: number, devices = 10_000, days = 365): Promise<SimulateRuns> {
  const schema = JSON.parse(readFileSync(join(ROOT, "policies", "schema", "simulation.schema.json"), "utf8"));
  const { doc } = readYamlFile(ROOT, join(ROOT, "simulations", "field-crew.yaml"));
  const profile = readProfile(doc, schema).profile as SimulationProfile;
  const sources = loadPolicySources(ROOT);
  const stack = parseYamlSource({ path: "bench", text: presetStackYaml(["field"]) }).doc;
  const state = compileStack({ stackName: "bench", stack, ...sources }).state;
  if (state === undefined) throw new Error("the field preset does not compile");
  const out: SimulateRuns = {
    deviceYears: 0,
    seconds: [],
    cpuSeconds: [],
    openings: 0,
    signaturesChecked: 0,
    mismatches: 0,
  };
  for (let i = 0; i < runs; i++) {
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    const [run] = await simulateStackOnThreads(state, profile, { devices, days, seed: i + 1 });
    if (run === undefined) throw new Error("no application simulated");
    const check = await checkSignatures(run);
    out.seconds.push(Number(process.hrtime.bigint() - started) / 1e9);
    const used = process.cpuUsage(cpu);
    out.cpuSeconds.push((used.user + used.system) / 1e6);
    out.deviceYears = run.report.deviceYears;
    out.openings = run.report.openings;
    out.signaturesChecked = check.checked;
    out.mismatches += check.mismatches.length;
  }
  return out;
}

if (require.main === module) {
  benchSimulate(Number(process.argv[2] ?? 1)).then((r) => {
    const line = (s: number, cpu: number) =>
      `${r.deviceYears.toFixed(0)} device-years of field-crew: ${s.toFixed(2)} s wall, ${cpu.toFixed(2)} s CPU (goal <= ${SIMULATE_GOAL_SECONDS} s)`;
    for (const [i, s] of r.seconds.entries()) console.log(line(s, r.cpuSeconds[i] as number));
    console.log(
      `${r.openings} openings decided; ${r.signaturesChecked} sampled signatures, ${r.mismatches} disagreements`,
    );
  });
}
