import { KitError } from "../lib/errors";

/**
 * The time a run applies the rotation schedule at: `FAKIT_NOW` (ISO 8601) when set, which is how tests and
 * rehearsals move through time, else the wall clock.
 */
export function runTime(env: NodeJS.ProcessEnv = process.env): number {
  const override = env.FAKIT_NOW;
  if (override === undefined || override === "") return Math.floor(Date.now() / 1000);
  const ms = Date.parse(override);
  if (Number.isNaN(ms)) throw new KitError("KIT_NOW_INVALID", `FAKIT_NOW must be an ISO 8601 time, got "${override}"`);
  return Math.floor(ms / 1000);
}
