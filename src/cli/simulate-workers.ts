/**
 * Runs a fleet simulation on several threads: each application's devices are split into contiguous ranges, each
 * range runs in a worker thread, and the tallies are merged in device order. Devices are independent and their
 * random streams depend only on the seed and their number, so the figures equal those of one thread.
 */
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { emptyTally, type FleetTally, mergeTally } from "../simulate/device";
import {
  type ApplicationRun,
  applicationRun,
  type FleetOptions,
  prepareApplication,
  runDevices,
} from "../simulate/fleet";
import type { SimulationProfile } from "../simulate/profile";
import type { DesiredState } from "../stack/desired-state";
import { REPO_ROOT } from "../toolchain/kit-root";
import type { WorkerJob } from "./simulate-worker";

const PRECOMPILED = join(REPO_ROOT, "src", "toolchain", "precompiled.js");
const WORKER_ENTRY = join(REPO_ROOT, "src", "cli", "simulate-worker.ts");

/** Below this many devices per application, threads cost more than they save. */
const MIN_DEVICES_FOR_THREADS = 500;

function runWorker(job: WorkerJob): Promise<FleetTally> {
  // The worker is TypeScript: it runs from a precompiled bundle of its own, as bin/fakit.js runs the main thread.
  // Paths from REPO_ROOT, not __dirname: this module itself may run from the CLI's bundle in node_modules/.cache.
  const boot = `require(${JSON.stringify(PRECOMPILED)}).load(${JSON.stringify(WORKER_ENTRY)});`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(boot, { eval: true, workerData: job });
    worker.once("message", (tally: FleetTally) => resolve(tally));
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (code !== 0) reject(new Error(`simulation worker stopped with exit code ${code}`));
    });
  });
}

/** Simulates every application of a stack on up to `threads` threads (default: the machine's parallelism). */
export async function simulateStackOnThreads(
  state: DesiredState,
  profile: SimulationProfile,
  options: FleetOptions,
  threads = availableParallelism(),
): Promise<ApplicationRun[]> {
  const runs: ApplicationRun[] = [];
  for (const [ti, tenant] of state.tenants.entries()) {
    for (const [ai, application] of tenant.applications.entries()) {
      const prepared = prepareApplication(tenant, application, profile, options);
      const n = Math.max(1, Math.min(threads, Math.floor(options.devices / MIN_DEVICES_FOR_THREADS)));
      if (n === 1 || options.device !== undefined || options.retentionRule !== undefined) {
        runs.push(applicationRun(prepared, runDevices(prepared)));
        continue;
      }
      const size = Math.ceil(options.devices / n);
      const jobs = Array.from({ length: n }, (_, k) =>
        runWorker({
          state,
          tenant: ti,
          application: ai,
          profile,
          options: { ...options, range: { from: k * size, to: Math.min(options.devices, (k + 1) * size) } },
        }),
      );
      const tallies = await Promise.all(jobs);
      const maxExamples = prepared.world.maxExamples;
      runs.push(
        applicationRun(
          prepared,
          tallies.reduce((a, b) => mergeTally(a, b, maxExamples), emptyTally()),
        ),
      );
    }
  }
  return runs;
}
