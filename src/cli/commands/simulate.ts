/**
 * `fakit simulate --stack NAME --profile FILE [--devices N] [--days D] [--seed S] [--device ID] [--json]
 * [--svg FILE]`: what the stack's policies do to a fleet of devices living as the profile says, before rollout.
 * The edge of src/simulate: reads the stack, the profile and the presets, runs the pure simulator, replays a
 * sample of openings through the real verifier, prints the figures and writes the chart.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { formatDiagnostic, hasErrors } from "../../diagnostics/diagnostic";
import { parseYamlSource } from "../../diagnostics/yaml-source";
import { renderTradeoffChart } from "../../simulate/chart";
import { type ApplicationReport, type ApplicationRun, checkSignatures, type FleetOptions } from "../../simulate/fleet";
import { presetStackYaml } from "../../simulate/preset-stack";
import { MAX_DEVICE_DAYS, MAX_DEVICES, readProfile, type SimulationProfile } from "../../simulate/profile";
import { hasDefect, type RunHeader, renderApplication, renderPresetTable } from "../../simulate/report";
import { compileStack } from "../../stack/compile";
import { loadPolicySources, readYamlFile, SCHEMA_DIR } from "../../stack/load";
import { parseCommandLine, parseWholeNumber, requireStackName, UsageError } from "../args";
import { loadStackForCommand } from "../load-stack";
import { simulateStackOnThreads } from "../simulate-workers";

const USAGE = `usage: fakit simulate --stack NAME --profile FILE [--devices N] [--days D] [--seed S] [--device ID]
                      [--json] [--svg FILE]

Runs a seeded Monte Carlo of a fleet of devices living as the profile (simulations/*.yaml) says, against every
application of stacks/Pulumi.NAME.yaml: the kit's rotation schedule, bundle content and offline decision code
over simulated device-years. Prints per application the share of app openings answered full, degraded and
refused, refusals the policy does not call for and acceptances outside it (each a defect, printed with the
seed and device that reproduce it), and the revocation lag of stolen devices against the plan's figure.
  --devices N   devices per application (default 1000)     --days D   simulated days (default 365)
                at most ${MAX_DEVICES.toLocaleString("en-US")} devices, and devices x days at most ${MAX_DEVICE_DAYS.toLocaleString("en-US")} (10,000 device-years)
  --seed S      the run's seed, 0..4294967295 (default 1)  --device ID  simulate only that device (a reproducer)
  --json        print the figures as JSON
  --svg FILE    also run the four presets under the profile and write the chart of revocation lag against
                refused openings to FILE
The same seed gives the same figures. See docs/simulate.md.
Exit status: 0 no defect, 1 invalid stack or profile, or a defect found, 2 usage error.`;

const PRESETS = ["critical", "high", "standard", "field"] as const;

interface SimulateArgs {
  stack: string;
  profile: string;
  devices: number;
  days: number;
  seed: number;
  device?: number;
  json: boolean;
  svg?: string;
}

const SPEC = {
  command: "simulate",
  usage: USAGE,
  options: {
    stack: { type: "string", short: "s" },
    profile: { type: "string" },
    devices: { type: "string" },
    days: { type: "string" },
    seed: { type: "string" },
    device: { type: "string" },
    json: { type: "boolean" },
    svg: { type: "string" },
  },
} as const;

/** The command line, or `undefined` after `--help`. @throws {UsageError} */
function parseSimulateArgs(argv: string[]): SimulateArgs | undefined {
  const parsed = parseCommandLine(argv, SPEC);
  if (parsed === undefined) return undefined;
  const v = parsed.values;
  const stack = requireStackName(v.stack, SPEC);
  if (v.profile === undefined || v.profile === "")
    throw new UsageError(SPEC, "--profile is required (for example simulations/field-crew.yaml)");
  if (v.svg === "") throw new UsageError(SPEC, "--svg needs a file name");
  const devices = parseWholeNumber("--devices", v.devices, { min: 1, max: MAX_DEVICES }, SPEC) ?? 1000;
  const days = parseWholeNumber("--days", v.days, { min: 1, max: 3650 }, SPEC) ?? 365;
  if (devices * days > MAX_DEVICE_DAYS)
    throw new UsageError(
      SPEC,
      `--devices ${devices} x --days ${days} is ${(devices * days).toLocaleString("en-US")} device-days, above the bound of ${MAX_DEVICE_DAYS.toLocaleString("en-US")} (10,000 device-years); lower one of them`,
    );
  return {
    stack,
    profile: v.profile,
    devices,
    days,
    seed: parseWholeNumber("--seed", v.seed, { min: 0, max: 4_294_967_295 }, SPEC) ?? 1,
    device: parseWholeNumber("--device", v.device, { min: 0, max: MAX_DEVICES - 1 }, SPEC),
    json: v.json === true,
    svg: v.svg,
  };
}

function loadProfile(repoRoot: string, file: string): SimulationProfile | undefined {
  const read = readYamlFile(repoRoot, file);
  const schema = JSON.parse(readFileSync(join(repoRoot, SCHEMA_DIR, "simulation.schema.json"), "utf8")) as object;
  const result = readProfile(read.doc, schema, basename(file, extname(file)));
  const diagnostics = [...read.diagnostics, ...result.diagnostics];
  for (const d of diagnostics) console.error(formatDiagnostic(d));
  if (result.profile === undefined || hasErrors(diagnostics)) {
    const errors = diagnostics.filter((d) => d.severity === "error").length;
    console.error(
      `fakit simulate: profile ${read.doc.path} is invalid (${errors} error${errors === 1 ? "" : "s"}); nothing simulated`,
    );
    return undefined;
  }
  return result.profile;
}

async function withSignatures(pending: Promise<ApplicationRun[]>): Promise<ApplicationReport[]> {
  const runs = await pending;
  for (const run of runs) await checkSignatures(run);
  return runs.map((r) => r.report);
}

export async function run(argv: string[]): Promise<number> {
  const args = parseSimulateArgs(argv);
  if (args === undefined) return 0;
  // The stack is validated before anything else runs.
  const loaded = loadStackForCommand("simulate", args.stack, "nothing simulated");
  if ("exitCode" in loaded) return loaded.exitCode;
  const profile = loadProfile(loaded.repoRoot, args.profile);
  if (profile === undefined) return 1;

  const options: FleetOptions = { devices: args.devices, days: args.days, seed: args.seed, device: args.device };
  const header: RunHeader = {
    stack: args.stack,
    profile: profile.name,
    devices: args.devices,
    days: args.days,
    seed: args.seed,
  };
  const applications = await withSignatures(simulateStackOnThreads(loaded.state, profile, options));

  let presets: ApplicationReport[] | undefined;
  if (args.svg !== undefined) {
    const sources = loadPolicySources(loaded.repoRoot);
    const stack = parseYamlSource({ path: "(preset comparison)", text: presetStackYaml(PRESETS) }).doc;
    const compiled = compileStack({ stackName: "simulate", stack, ...sources });
    if (compiled.state === undefined) {
      for (const d of compiled.diagnostics) console.error(formatDiagnostic(d));
      console.error("fakit simulate: the presets do not compile; no chart written");
      return 1;
    }
    presets = await withSignatures(simulateStackOnThreads(compiled.state, profile, options));
    const svg = renderTradeoffChart({
      title: `Revocation lag against refused openings: profile ${profile.name}`,
      subtitle: `four presets, ${args.devices} devices x ${args.days} days each, seed ${args.seed} (fakit simulate)`,
      points: presets.map((r) => ({
        preset: r.preset,
        refusedShare: r.shares.refused,
        observedLagP99: r.revocationLag.p99,
        tamperedLagP99: r.revocationLag.withPowerOff.p99,
        planLag: r.revocationLag.planSeconds,
      })),
    });
    writeFileSync(args.svg, svg);
  }

  if (args.json) {
    console.log(JSON.stringify({ ...header, applications, ...(presets === undefined ? {} : { presets }) }, null, 2));
  } else {
    const lines = [
      `fakit simulate: stack ${args.stack}, profile ${profile.name}, ${args.device === undefined ? `${args.devices} devices` : `device ${args.device}`} x ${args.days} days per application, seed ${args.seed}`,
    ];
    for (const r of applications) lines.push("", ...renderApplication(r, header));
    if (presets !== undefined) {
      lines.push(
        "",
        `the four presets under ${profile.name} (defects: unexplained refusals / outside policy / signature disagreements):`,
      );
      lines.push(...renderPresetTable(presets), "", `chart written to ${args.svg}`);
    }
    console.log(lines.join("\n"));
  }
  return [...applications, ...(presets ?? [])].some(hasDefect) ? 1 : 0;
}
