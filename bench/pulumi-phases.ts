/**
 * `pulumi up` (create), `pulumi preview` and a no-op `pulumi up` of the kit's program against the emulator, at
 * a given number of applications, next to the engine floor: the same number of do-nothing dynamic resources.
 * Every run starts from an empty FusionAuth and an empty state; the emulator's counters give the HTTP calls of
 * each phase.
 */
import { startEmulator } from "../src/emulator";
import { createKitProject, type KitProject } from "../testkit/helpers/kit-project";
import { type PeakMemory, watchPeakMemory } from "./lib/peak-memory";
import { assertOk } from "./lib/process";
import { benchStackYaml } from "./lib/stack-yaml";
import { type BenchStack, createBenchStack, createFloorProject, inspectState } from "./lib/workspace";

const API_KEY = "bench-local-api-key";
/** The run's time for the program and the emulator's frozen clock: figures never depend on the date. */
export const BENCH_NOW = "2026-11-29T12:00:00Z";

export type Phase = "create" | "preview" | "noop";
export const PHASES: Phase[] = ["create", "preview", "noop"];

const ARGS: Record<Phase, string[]> = {
  create: ["up", "--yes", "--skip-preview"],
  preview: ["preview"],
  noop: ["up", "--yes", "--skip-preview"],
};

export interface PhaseRun {
  ms: number;
  reads: number;
  writes: number;
  /** Memory, CPU and lifetime of the run's processes. */
  processes: PeakMemory;
}

export interface KitRun {
  phases: Record<Phase, PhaseRun>;
  /** Dynamic resources (keys, tenants, applications) the stack holds. */
  resources: number;
  /** Size of the exported state after the runs. */
  stateBytes: number;
  /** The largest serialized provider (`__provider`) of one resource, in bytes. */
  providerBytes: number;
  memory: PeakMemory;
}

export interface FloorRun {
  phases: Record<Phase, Pick<PhaseRun, "ms" | "processes">>;
  stateBytes: number;
  providerBytes: number;
  memory: PeakMemory;
}

let serial = 0;
const stackName = (prefix: string) => `${prefix}-${process.pid}-${++serial}`;

/** Ten minutes per command, more for big stacks: the local backend rewrites the whole state at every step. */
const timeoutFor = (resources: number) => Math.max(10, Math.ceil(resources / 50)) * 60_000;

async function runPhase(
  stack: BenchStack,
  phase: Phase,
  resources: number,
): Promise<{ ms: number; memory: PeakMemory }> {
  let watcher: ReturnType<typeof watchPeakMemory> | undefined;
  const r = await stack.pulumi(ARGS[phase], {
    timeoutMs: timeoutFor(resources),
    onSpawn: (pid) => {
      watcher = watchPeakMemory(pid);
    },
  });
  const memory = watcher?.stop() ?? {};
  assertOk(`pulumi ${phase} of ${stack.name}`, r);
  return { ms: r.ms, memory };
}

/** One kit run at `applications`: create, preview, no-op, each timed and counted. */
export async function runKitOnce(binDir: string, applications: number): Promise<KitRun> {
  const emu = await startEmulator({ apiKeys: [API_KEY], now: new Date(BENCH_NOW) });
  let project: KitProject | undefined;
  let stack: BenchStack | undefined;
  try {
    project = createKitProject();
    const name = stackName("bench");
    project.writeStack(name, benchStackYaml(applications, emu.url));
    stack = await createBenchStack({
      binDir,
      dir: project.dir,
      name,
      env: { FAKIT_NOW: BENCH_NOW },
      secrets: { "fusionauth-offline-kit:apiKey": API_KEY },
    });
    const phases = {} as Record<Phase, PhaseRun>;
    let memory: PeakMemory = {};
    for (const phase of PHASES) {
      emu.counters.reset();
      const r = await runPhase(stack, phase, applications);
      const c = emu.counters.snapshot();
      phases[phase] = { ms: r.ms, reads: c.reads, writes: c.writes, processes: r.memory };
      if (phase === "create") memory = r.memory;
    }
    return { phases, ...(await inspectState(stack)), memory };
  } finally {
    stack?.dispose();
    project?.dispose();
    await emu.close();
  }
}

/** One floor run with `resources` do-nothing dynamic resources. */
export async function runFloorOnce(binDir: string, resources: number): Promise<FloorRun> {
  const project = createFloorProject();
  let stack: BenchStack | undefined;
  try {
    stack = await createBenchStack({
      binDir,
      dir: project.dir,
      name: stackName("floor"),
      config: { count: String(resources) },
    });
    const phases = {} as Record<Phase, Pick<PhaseRun, "ms" | "processes">>;
    let memory: PeakMemory = {};
    for (const phase of PHASES) {
      const r = await runPhase(stack, phase, resources);
      phases[phase] = { ms: r.ms, processes: r.memory };
      if (phase === "create") memory = r.memory;
    }
    const state = await inspectState(stack);
    if (state.resources !== resources)
      throw new Error(`the floor holds ${state.resources} resources, expected ${resources}`);
    return { phases, stateBytes: state.stateBytes, providerBytes: state.providerBytes, memory };
  } finally {
    stack?.dispose();
    project.dispose();
  }
}
