/**
 * Simulation profiles (`simulations/<name>.yaml`): how a fleet of devices lives. Validated in two passes like
 * presets: the JSON Schema (`policies/schema/simulation.schema.json`, ajv, every error located), then the
 * values no schema can judge (a 95th percentile below its median, a maximum below its minimum, a zero spell),
 * reported as `KIT_PROFILE_IMPOSSIBLE` at the value to change. Pure: the edge hands in the parsed document.
 */
import type { Diagnostic } from "../diagnostics/diagnostic";
import { checkAgainstSchema } from "../diagnostics/schema-check";
import { type ParsedDocument, toPointer } from "../diagnostics/yaml-source";
import { parseDuration } from "../lib/duration";
import type { DurationDistribution } from "./random";

/** A validated profile; every duration in seconds. */
export interface SimulationProfile {
  name: string;
  description: string;
  connectivity: { online: DurationDistribution; offline: DurationDistribution; syncFailure: number };
  usage: { opensPerDay: number };
  updates: { releaseEverySeconds: number; reachDevice: DurationDistribution };
  clock: { skewedShare: number; maxSkewSeconds: number; rollbacksPerYear: number; rollbackBySeconds: number };
  incidents: { stolenPerYear: number; reportedAfter: DurationDistribution; keyCompromisesPerYear: number };
  pipeline: { deployEverySeconds: number };
}

type RawDistribution = {
  fixed?: string;
  exponential?: { mean: string };
  lognormal?: { median: string; p95: string };
  pareto?: { min: string; alpha: number; max: string };
};

interface RawProfile {
  name: string;
  description: string;
  connectivity: { online: RawDistribution; offline: RawDistribution; syncFailure: number };
  usage: { opensPerDay: number };
  updates: { releaseEvery: string; reachDevice: RawDistribution };
  clock: { skewedShare: number; maxSkew: string; rollbacksPerYear: number; rollbackBy: string };
  incidents: { stolenPerYear: number; reportedAfter: RawDistribution; keyCompromisesPerYear: number };
  pipeline: { deployEvery: string };
}

/**
 * Checks and converts a parsed profile. `expectedName` is the file name without `.yaml`.
 * @returns the profile, or `undefined` with every problem found.
 */
export function readProfile(
  doc: ParsedDocument,
  schema: object,
  expectedName?: string,
): { profile?: SimulationProfile; diagnostics: Diagnostic[] } {
  if (doc.value === undefined) return { diagnostics: [] };
  const schemaErrors = checkAgainstSchema(doc, schema);
  if (schemaErrors.length > 0) return { diagnostics: schemaErrors };
  const raw = doc.value as RawProfile;
  const diagnostics: Diagnostic[] = [];
  const impossible = (path: (string | number)[], message: string) => {
    const pointer = toPointer(path);
    diagnostics.push({
      severity: "error",
      code: "KIT_PROFILE_IMPOSSIBLE",
      message,
      file: doc.path,
      pointer,
      ...doc.locate(pointer),
    });
  };
  const field = (path: (string | number)[]) => path.join(".");
  // The schema has checked the grammar, so a duration always parses here.
  const secs = (text: string) => parseDuration(text) as number;
  const positive = (path: (string | number)[], text: string): number => {
    const s = secs(text);
    if (s === 0) impossible(path, `${field(path)} must be longer than 0s`);
    return s;
  };
  const distribution = (path: (string | number)[], d: RawDistribution): DurationDistribution => {
    if (d.fixed !== undefined) return { kind: "fixed", value: positive([...path, "fixed"], d.fixed) };
    if (d.exponential !== undefined)
      return { kind: "exponential", mean: positive([...path, "exponential", "mean"], d.exponential.mean) };
    if (d.lognormal !== undefined) {
      const median = positive([...path, "lognormal", "median"], d.lognormal.median);
      const p95 = positive([...path, "lognormal", "p95"], d.lognormal.p95);
      if (p95 < median)
        impossible(
          [...path, "lognormal", "p95"],
          `${field([...path, "lognormal", "p95"])} (${d.lognormal.p95}) is below the median (${d.lognormal.median}); a 95th percentile is at least the median`,
        );
      return { kind: "lognormal", median, p95: Math.max(p95, median) };
    }
    const p = d.pareto as NonNullable<RawDistribution["pareto"]>;
    const min = positive([...path, "pareto", "min"], p.min);
    const max = secs(p.max);
    if (max < min)
      impossible(
        [...path, "pareto", "max"],
        `${field([...path, "pareto", "max"])} (${p.max}) is below pareto.min (${p.min}); the cap must be at least the minimum`,
      );
    return { kind: "pareto", min, alpha: p.alpha, max: Math.max(max, min) };
  };

  const profile: SimulationProfile = {
    name: raw.name,
    description: raw.description,
    connectivity: {
      online: distribution(["connectivity", "online"], raw.connectivity.online),
      offline: distribution(["connectivity", "offline"], raw.connectivity.offline),
      syncFailure: raw.connectivity.syncFailure,
    },
    usage: { opensPerDay: raw.usage.opensPerDay },
    updates: {
      releaseEverySeconds: positive(["updates", "releaseEvery"], raw.updates.releaseEvery),
      reachDevice: distribution(["updates", "reachDevice"], raw.updates.reachDevice),
    },
    clock: {
      skewedShare: raw.clock.skewedShare,
      maxSkewSeconds: secs(raw.clock.maxSkew),
      rollbacksPerYear: raw.clock.rollbacksPerYear,
      rollbackBySeconds: secs(raw.clock.rollbackBy),
    },
    incidents: {
      stolenPerYear: raw.incidents.stolenPerYear,
      reportedAfter: distribution(["incidents", "reportedAfter"], raw.incidents.reportedAfter),
      keyCompromisesPerYear: raw.incidents.keyCompromisesPerYear,
    },
    pipeline: { deployEverySeconds: positive(["pipeline", "deployEvery"], raw.pipeline.deployEvery) },
  };
  if (raw.clock.skewedShare > 0 && profile.clock.maxSkewSeconds === 0)
    impossible(
      ["clock", "maxSkew"],
      "clock.maxSkew is 0s but clock.skewedShare is above 0; give the skew or set the share to 0",
    );
  if (raw.clock.rollbacksPerYear > 0 && profile.clock.rollbackBySeconds === 0)
    impossible(
      ["clock", "rollbackBy"],
      "clock.rollbackBy is 0s but clock.rollbacksPerYear is above 0; a rollback must move the clock",
    );
  if (expectedName !== undefined && raw.name !== expectedName)
    impossible(["name"], `name "${raw.name}" must equal the file name "${expectedName}"`);
  return diagnostics.length > 0 ? { diagnostics } : { profile, diagnostics };
}
