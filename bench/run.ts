/**
 * `npm run bench [-- --quick] [-- --sizes 1,10 --runs 3 --json FILE]`: the kit's figures as its users feel them,
 * printed as tables. Every figure is the median of its runs with the minimum and maximum. Traffic goes only to
 * the in-process emulator on 127.0.0.1; every child process has a timeout, and the whole run a deadline.
 * See docs/performance.md for what each figure means.
 */
import { writeFileSync } from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { ensurePulumi } from "../src/toolchain/pulumi-cli";
import { benchCliCommands, type CliStepRuns } from "./cli-commands";
import { benchEmulatorPersistence, formatPersistence, type PersistenceRun } from "./emulator-persistence";
import {
  atMost,
  EARLIER_LIMIT,
  EARLIER_SECONDS,
  type GoalRow,
  LIMITS,
  RATIO_GOALS,
  reported,
  SECONDS_GOALS,
} from "./lib/goals";
import { runCommand } from "./lib/process";
import { stackShape } from "./lib/stack-yaml";
import { formatSummary, summarize } from "./lib/stats";
import { type FloorRun, type KitRun, PHASES, type Phase, runFloorOnce, runKitOnce } from "./pulumi-phases";
import { benchSimulate, SIMULATE_GOAL_SECONDS, type SimulateRuns } from "./simulate";
import { benchVerify, type VerifyRuns, verifyRows } from "./verify-throughput";

interface Plan {
  /** Where to write the raw results as JSON, if anywhere. */
  json?: string;
  sizes: { applications: number; runs: number }[];
  cliApplications: number;
  cliRuns: number;
  verifyRuns: number;
  verificationsPerRun: number;
  deadlineMs: number;
  quick: boolean;
}

function planFrom(argv: string[]): Plan {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: "boolean", default: false },
      sizes: { type: "string" },
      runs: { type: "string" },
      json: { type: "string" },
      "max-minutes": { type: "string" },
    },
  });
  const json = values.json;
  const quick = values.quick === true;
  const sizes = (values.sizes ?? (quick ? "1,10" : "1,10,100,1000")).split(",").map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 1000))
    throw new Error("--sizes takes whole numbers 1..1000");
  const runs = values.runs === undefined ? undefined : Number(values.runs);
  if (runs !== undefined && !(Number.isInteger(runs) && runs >= 1 && runs <= 20)) throw new Error("--runs takes 1..20");
  return {
    ...(json !== undefined ? { json } : {}),
    sizes: sizes.map((applications) => ({
      applications,
      // 1,000 applications take minutes per run: always once.
      runs: applications >= 1000 ? 1 : (runs ?? (quick ? 1 : applications >= 100 ? 3 : 5)),
    })),
    cliApplications: 500,
    cliRuns: runs ?? (quick ? 1 : 5),
    verifyRuns: runs ?? (quick ? 1 : 7),
    verificationsPerRun: quick ? 1000 : 5000,
    deadlineMs: Number(values["max-minutes"] ?? (quick ? 15 : 45)) * 60_000,
    quick,
  };
}

const secs = (ms: number[]) => formatSummary(summarize(ms.map((m) => m / 1000)), "s", 2);
const mib = (v: (number | undefined)[]) => {
  const xs = v.filter((x): x is number => x !== undefined);
  return xs.length === 0 ? "n/a" : formatSummary(summarize(xs), "MiB", 0);
};
const cpuOf = (v: (number | undefined)[]) => {
  const xs = v.filter((x): x is number => x !== undefined);
  return xs.length === 0 ? "n/a" : `${summarize(xs).median.toFixed(2)} s`;
};
const kib = (bytes: number | undefined) => (bytes === undefined ? "n/a" : `${Math.round(bytes / 1024)} KiB`);
const count = (xs: number[]) => {
  const s = summarize(xs);
  return s.min === s.max ? String(s.median) : `${s.median} (${s.min}–${s.max})`;
};

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(" | ")} |`;
  return [line(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

/** What one bench run measured; each part is absent when the deadline came first. */
interface Results {
  pulumi: PulumiResult[];
  cli: CliStepRuns[];
  verify?: VerifyRuns;
  emulator?: PersistenceRun;
  simulate?: SimulateRuns;
}

type Log = (s: string) => void;

/** Kit and floor in turns, size by size: a failed or timed-out run costs its own size's later runs only. */
async function measurePulumi(
  plan: Plan,
  binDir: string,
  overDeadline: () => boolean,
  problems: string[],
  log: Log,
): Promise<PulumiResult[]> {
  const results: PulumiResult[] = [];
  for (const size of plan.sizes) {
    const entry: PulumiResult = { applications: size.applications, kit: [], floor: [] };
    results.push(entry);
    for (let i = 0; i < size.runs && !overDeadline(); i++) {
      const run = `pulumi, ${size.applications} application(s), run ${i + 1}/${size.runs}`;
      log(`${run}: kit`);
      try {
        const kit = await runKitOnce(binDir, size.applications);
        log(`${run}: floor (${kit.resources} resources)`);
        const floor = await runFloorOnce(binDir, kit.resources);
        entry.kit.push(kit);
        entry.floor.push(floor);
        if (kit.phases.noop.writes > 0)
          problems.push(`no-op up at ${size.applications} apps made ${kit.phases.noop.writes} writes`);
      } catch (err) {
        // A run that fails or times out (1,000 applications on a busy machine) costs its figures, not the others.
        problems.push(`${size.applications} applications, run ${i + 1}: ${(err as Error).message.split("\n")[0]}`);
        break;
      }
    }
  }
  return results;
}

/** Everything the bench measures, in order, until the deadline. */
async function measure(plan: Plan, binDir: string, problems: string[], log: Log): Promise<Results> {
  const started = Date.now();
  const overDeadline = () => Date.now() - started > plan.deadlineMs;
  const results: Results = { pulumi: await measurePulumi(plan, binDir, overDeadline, problems, log), cli: [] };
  if (!overDeadline()) {
    log(`fakit validate, plan, bundle with ${plan.cliApplications} applications`);
    results.cli = await benchCliCommands(binDir, plan.cliApplications, plan.cliRuns);
  }
  if (!overDeadline()) {
    log("offline verifications");
    results.verify = await benchVerify(plan.verifyRuns, plan.verificationsPerRun);
  }
  if (!overDeadline()) {
    log("emulator persistence, write-heavy run");
    results.emulator = await benchEmulatorPersistence(plan.quick ? 1000 : 3000);
    if (results.emulator.rejected.bytes > 0)
      problems.push(`rejected emulator requests wrote ${results.emulator.rejected.bytes} bytes`);
  }
  if (!overDeadline()) {
    log("fleet simulation (field-crew, 10,000 device-years)");
    results.simulate = await benchSimulate(plan.verifyRuns > 1 ? 3 : 1);
  }
  if (overDeadline())
    problems.push(`stopped at the ${plan.deadlineMs / 60_000}-minute deadline; some figures are missing`);
  return results;
}

/** The kit and the floor, phase by phase and size by size, with the HTTP calls the kit made. */
function pulumiTable(results: PulumiResult[]): string {
  const rows: string[][] = [];
  for (const r of results) {
    if (r.kit.length === 0) continue;
    const shape = stackShape(r.applications);
    for (const phase of PHASES) {
      const kitMs = r.kit.map((k) => k.phases[phase].ms);
      const floorMs = r.floor.map((f) => f.phases[phase].ms);
      const ratio = summarize(kitMs).median / summarize(floorMs).median;
      rows.push([
        `${r.applications} (${shape.tenants} tenant${shape.tenants === 1 ? "" : "s"})`,
        String(r.kit[0]?.resources ?? ""),
        PHASE_NAMES[phase],
        String(r.kit.length),
        secs(kitMs),
        secs(floorMs),
        `${ratio.toFixed(2)}x`,
        count(r.kit.map((k) => k.phases[phase].reads)),
        count(r.kit.map((k) => k.phases[phase].writes)),
      ]);
    }
  }
  return table(["apps", "resources", "phase", "runs", "kit", "floor", "kit/floor", "HTTP reads", "HTTP writes"], rows);
}

/** Peak memory and CPU of the program and the provider during the create, and the state's size after. */
function memoryTable(results: PulumiResult[]): string {
  return table(
    [
      "apps",
      "kit program",
      "kit provider",
      "floor program",
      "floor provider",
      "kit CPU program / provider",
      "floor CPU program / provider",
      "state kit / floor",
    ],
    results
      .filter((r) => r.kit.length > 0)
      .map((r) => [
        String(r.applications),
        mib(r.kit.map((k) => k.memory.programMiB)),
        mib(r.kit.map((k) => k.memory.providerMiB)),
        mib(r.floor.map((f) => f.memory.programMiB)),
        mib(r.floor.map((f) => f.memory.providerMiB)),
        `${cpuOf(r.kit.map((k) => k.memory.programCpuS))} / ${cpuOf(r.kit.map((k) => k.memory.providerCpuS))}`,
        `${cpuOf(r.floor.map((f) => f.memory.programCpuS))} / ${cpuOf(r.floor.map((f) => f.memory.providerCpuS))}`,
        `${kib(r.kit[0]?.stateBytes)} / ${kib(r.floor[0]?.stateBytes)}`,
      ]),
  );
}

/**
 * What a run found: `problems` make the bench exit 1 (a no-op that wrote, a command that failed, sampled decisions
 * that disagree); `misses` are speed goals this run missed, printed but not an exit status, since a shared or
 * noisy machine misses them without anything being wrong.
 */
interface Findings {
  problems: string[];
  misses: string[];
}

/** The sections after the Pulumi figures: the CLI, the verifier, the emulator, the fleet simulation. */
function otherSections(plan: Plan, results: Results, { problems, misses }: Findings): string[] {
  const out: string[] = [];
  const { cli, verify, emulator, simulate } = results;
  if (cli.length > 0) {
    out.push(`\n## fakit CLI on a stack of ${plan.cliApplications} applications (wall time, process start included)\n`);
    out.push(
      table(
        ["command", "runs", "time", "HTTP reads"],
        cli.map((c) => [
          c.command,
          String(c.ms.length),
          c.skipped ?? secs(c.ms),
          c.reads === undefined ? "" : String(c.reads),
        ]),
      ),
    );
    for (const c of cli)
      if (c.skipped !== undefined && !c.skipped.includes("not there yet")) problems.push(`${c.command}: ${c.skipped}`);
  }
  if (verify !== undefined) {
    out.push(
      `\n## Offline verification (ES256, ${verify.tokens} tokens, ${verify.verificationsPerRun} verifications per run)\n`,
    );
    const { rows, misses: missed } = verifyRows(verify);
    out.push(table(["verifier", "runs", "verifications/s", "vs jose"], rows));
    misses.push(...missed);
  }
  if (emulator !== undefined) {
    out.push(`\n## Emulator with a data file: ${emulator.count} application creates, one after another\n`);
    out.push(formatPersistence(emulator).join("\n"));
  }
  if (simulate !== undefined) out.push(...simulateSection(simulate, { problems, misses }));
  return out;
}

function simulateSection(simulate: SimulateRuns, { problems, misses }: Findings): string[] {
  const wall = summarize(simulate.seconds);
  if (wall.median > SIMULATE_GOAL_SECONDS)
    misses.push(`fleet simulation took ${wall.median.toFixed(2)} s, over its ${SIMULATE_GOAL_SECONDS} s goal`);
  if (simulate.mismatches > 0) problems.push(`fleet simulation: ${simulate.mismatches} sampled decisions disagree`);
  return [
    `\n## Fleet simulation (\`fakit simulate\`, field-crew profile, field preset, time rules on every opening)\n`,
    table(
      ["device-years", "openings", "runs", "wall", "CPU", "goal", "sampled signatures"],
      [
        [
          simulate.deviceYears.toFixed(0),
          String(simulate.openings),
          String(wall.runs),
          formatSummary(wall, "s", 2),
          formatSummary(summarize(simulate.cpuSeconds), "s", 2),
          `<= ${SIMULATE_GOAL_SECONDS} s`,
          `${simulate.signaturesChecked} per run, ${simulate.mismatches} disagreements`,
        ],
      ],
    ),
  ];
}

/** The whole report, section by section; adds to `findings` what a section finds wrong or missed. */
function report(plan: Plan, results: Results, pulumiVersion: string, findings: Findings): string {
  const out: string[] = [];
  out.push(`# fusionauth-offline-kit benchmarks, ${new Date().toISOString().slice(0, 10)}`);
  out.push(
    `${os.cpus().length} x ${os.cpus()[0]?.model.trim() ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
      `node ${process.version}, pulumi ${pulumiVersion}; median (min–max) of the runs shown.`,
  );
  out.push(
    "\n## Pulumi against the emulator, next to the engine floor (same number of do-nothing dynamic resources)\n",
  );
  out.push(pulumiTable(results.pulumi));
  out.push(...againstEarlier(results.pulumi));
  out.push(
    "\n## Peak memory (RSS high-water mark) and CPU time of the processes during `pulumi up` (create); state size after\n",
  );
  out.push(memoryTable(results.pulumi));
  out.push(...otherSections(plan, results, findings));
  out.push(...breakdown(results.pulumi));
  out.push("\n## Goals (kit/floor medians of this run)\n");
  out.push(
    table(
      ["figure", "this run", "goal", "verdict"],
      goals(results.pulumi, results.cli).map((g) => [g.figure, g.value, g.goal, g.verdict]),
    ),
  );
  for (const m of findings.misses) out.push(`\n-- goal missed: ${m}`);
  for (const p of findings.problems) out.push(`\n!! ${p}`);
  return out.join("\n");
}

async function main(): Promise<number> {
  const plan = planFrom(process.argv.slice(2));
  const started = Date.now();
  const log: Log = (s) => process.stderr.write(`bench: ${s}\n`);
  const binDir = await ensurePulumi({ onProgress: (l) => process.stderr.write(l) });
  const pulumiVersion = (await runCommand(`${binDir}/pulumi`, ["version"])).stdout.trim();
  const findings: Findings = { problems: [], misses: [] };
  const { problems, misses } = findings;
  const results = await measure(plan, binDir, problems, log);
  console.log(report(plan, results, pulumiVersion, findings));
  if (plan.json !== undefined) {
    const { pulumi: pulumiResults, cli, verify, emulator, simulate } = results;
    const raw = {
      date: new Date().toISOString(),
      plan,
      pulumiResults,
      cli,
      verify,
      emulator,
      simulate,
      problems,
      misses,
    };
    writeFileSync(plan.json, JSON.stringify(raw, null, 2));
  }
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return problems.length > 0 ? 1 : 0;
}

type PulumiResult = { applications: number; kit: KitRun[]; floor: FloorRun[] };

const medianOf = (xs: (number | undefined)[]) => {
  const v = xs.filter((x): x is number => x !== undefined);
  return v.length === 0 ? undefined : summarize(v).median;
};

/**
 * Where a no-op `up` spends its time, kit and floor side by side: the whole command, how long the Node.js
 * language host, the program and the dynamic provider lived. The rest of the wall time is the CLI itself
 * (start-up, reading and writing the state, the engine's steps).
 */
function breakdown(results: PulumiResult[]): string[] {
  const rows: string[][] = [];
  const ms = (v: number | undefined) => (v === undefined ? "n/a" : `${(v / 1000).toFixed(2)} s`);
  for (const r of results) {
    for (const [who, runs] of [
      ["kit", r.kit],
      ["floor", r.floor],
    ] as const) {
      if (runs.length === 0) continue;
      const p = runs.map((x) => x.phases.noop.processes);
      const total = medianOf(runs.map((x) => x.phases.noop.ms));
      const host = medianOf(p.map((x) => x.languageHostAliveMs));
      rows.push([
        String(r.applications),
        who,
        ms(total),
        ms(total === undefined || host === undefined ? undefined : total - host),
        ms(host),
        ms(medianOf(p.map((x) => x.programAliveMs))),
        `${cpuOf(p.map((x) => x.programCpuS))}`,
        ms(medianOf(p.map((x) => x.providerAliveMs))),
        `${cpuOf(p.map((x) => x.providerCpuS))}`,
      ]);
    }
  }
  if (rows.length === 0) return [];
  return [
    "\n## Where a no-op `up` spends its time (process lifetimes; the program and the provider overlap)\n",
    table(
      [
        "apps",
        "",
        "whole command",
        "CLI outside the host",
        "language host alive",
        "program alive",
        "program CPU",
        "provider alive",
        "provider CPU",
      ],
      rows,
    ),
  ];
}

/** The kit's medians of this run next to its own figures when issue 27 began (EARLIER_SECONDS), and the floor's. */
function againstEarlier(results: PulumiResult[]): string[] {
  const rows: string[][] = [];
  for (const r of results) {
    const earlier = EARLIER_SECONDS[r.applications];
    if (earlier === undefined || r.kit.length === 0) continue;
    for (const phase of PHASES) {
      const now = summarize(r.kit.map((k) => k.phases[phase].ms)).median / 1000;
      const floor = summarize(r.floor.map((f) => f.phases[phase].ms)).median / 1000;
      rows.push([
        String(r.applications),
        PHASE_NAMES[phase],
        `${earlier[phase].toFixed(2)} s`,
        `${now.toFixed(2)} s`,
        `${(now / earlier[phase]).toFixed(2)}x`,
        Number.isNaN(floor) ? "n/a" : `${floor.toFixed(2)} s`,
      ]);
    }
  }
  if (rows.length === 0) return [];
  return [
    "\n## The kit against its own earlier figures (issue 27's start) and the floor of this run\n",
    table(["apps", "phase", "kit earlier", "kit now", "now/earlier", "floor now"], rows),
  ];
}

const PHASE_NAMES = { create: "up (create)", preview: "preview", noop: "no-op up" } as const;

/** Every goal of docs/performance.md next to this run's figure. */
function goals(results: PulumiResult[], cli: CliStepRuns[]): GoalRow[] {
  const out: GoalRow[] = [];
  const at = (n: number) => results.find((r) => r.applications === n && r.kit.length > 0 && r.floor.length > 0);
  const phaseName = PHASE_NAMES;
  const medianS = (runs: { phases: Record<Phase, { ms: number }> }[], phase: Phase) =>
    runs.length === 0 ? undefined : summarize(runs.map((k) => k.phases[phase].ms)).median / 1000;
  for (const [phase, g] of Object.entries(SECONDS_GOALS) as [Phase, (typeof SECONDS_GOALS)[Phase]][]) {
    for (const n of g.applications) {
      const r = at(n);
      const floor = r === undefined ? undefined : medianS(r.floor, phase);
      const row = atMost(`${phaseName[phase]} at ${n} application(s), kit`, r && medianS(r.kit, phase), g.limit, " s");
      out.push(floor === undefined ? row : { ...row, value: `${row.value} (floor ${floor.toFixed(2)} s)` });
    }
  }
  for (const n of EARLIER_LIMIT.applications) {
    const r = at(n);
    const earlier = EARLIER_SECONDS[n];
    for (const phase of PHASES) {
      const now = r && medianS(r.kit, phase);
      const ratio = now === undefined || earlier === undefined ? undefined : now / earlier[phase];
      out.push(atMost(`${phaseName[phase]} at ${n} applications, kit now/earlier`, ratio, EARLIER_LIMIT.ratio, "x"));
    }
  }
  for (const [phase, g] of Object.entries(RATIO_GOALS) as [
    keyof typeof RATIO_GOALS,
    (typeof RATIO_GOALS)[keyof typeof RATIO_GOALS],
  ][]) {
    for (const n of g.applications) {
      const r = at(n);
      const ratio = r
        ? summarize(r.kit.map((k) => k.phases[phase].ms)).median /
          summarize(r.floor.map((f) => f.phases[phase].ms)).median
        : undefined;
      out.push(atMost(`${phaseName[phase]} at ${n} application(s), kit/floor`, ratio, g.limit, "x"));
    }
  }
  const hundred = at(100);
  out.push(
    atMost(
      "state at 100 applications, kit/floor",
      hundred ? (hundred.kit[0]?.stateBytes ?? Number.NaN) / (hundred.floor[0]?.stateBytes ?? Number.NaN) : undefined,
      LIMITS.stateRatio,
      "x",
    ),
  );
  const providerBytes = medianOf(results.flatMap((r) => r.kit.map((k) => k.providerBytes)));
  out.push(atMost("serialized provider per resource", providerBytes, LIMITS.providerBytes, " B", 0));
  const perResource = (r: PulumiResult | undefined) =>
    r ? summarize(r.kit.map((k) => k.phases.create.ms / k.resources)).median : undefined;
  const thousand = at(1000);
  const growth = thousand && hundred ? (perResource(thousand) as number) / (perResource(hundred) as number) : undefined;
  out.push(atMost("create cost per resource, 1,000 against 100 applications", growth, LIMITS.perResourceGrowth, "x"));
  out.push(
    thousand
      ? reported(
          "peak memory of the program at 1,000 applications (create)",
          mib(thousand.kit.map((k) => k.memory.programMiB)),
        )
      : {
          figure: "peak memory of the program at 1,000 applications",
          value: "n/a",
          goal: "reported",
          verdict: "not measured (--sizes 1000)",
        },
  );
  const cliS = (step: string) => {
    const c = cli.find((x) => x.step === step);
    return c === undefined || c.ms.length === 0 ? undefined : summarize(c.ms).median / 1000;
  };
  out.push(atMost("fakit bundle, 500 applications", cliS("bundle"), LIMITS.bundleS, " s"));
  out.push(atMost("fakit validate, 500 applications", cliS("validate"), LIMITS.validateS, " s"));
  out.push(atMost("fakit plan --json, 500 applications", cliS("plan"), LIMITS.planS, " s"));
  return out;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    console.error(`bench: ${err.message}`);
    process.exitCode = 1;
  },
);
