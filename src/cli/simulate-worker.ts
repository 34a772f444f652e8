/**
 * A worker thread of `fakit simulate`: runs one share of an application's devices and posts their tally back.
 * Started by simulate-workers.ts; the device streams depend only on the seed and the device number, so the
 * merged result equals a run on one thread.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type FleetOptions, prepareApplication, runDevices } from "../simulate/fleet";
import type { SimulationProfile } from "../simulate/profile";
import type { DesiredState } from "../stack/desired-state";

export interface WorkerJob {
  state: DesiredState;
  tenant: number;
  application: number;
  profile: SimulationProfile;
  options: FleetOptions;
}

const job = workerData as WorkerJob;
const tenant = job.state.tenants[job.tenant];
const application = tenant?.applications[job.application];
if (tenant === undefined || application === undefined) throw new Error("no such application");
parentPort?.postMessage(runDevices(prepareApplication(tenant, application, job.profile, job.options)));
