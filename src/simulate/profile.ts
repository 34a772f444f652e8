/**
 * Simulation profiles (`simulations/<name>.yaml`): how a fleet of devices lives. Validated in two passes like
 * presets: the JSON Schema (`policies/schema/simulation.schema.json`, ajv, every error located), then the
 * values no schema can judge (a 95th percentile below its median, a maximum below its minimum, a zero spell),
 * reported as `KIT_PROFILE_IMPOSSIBLE` at the value to change, and the bounds that keep a run finite in time and
 * memory ({@link PROFILE_BOUNDS}) as `KIT_PROFILE_OUT_OF_BOUNDS`. Pure: the edge hands in the parsed document.
 */
import type { Diagnostic } from "../diagnostics/diagnostic";
import { checkAgainstSchema } from "../diagnostics/schema-check";
import { type ParsedDocument, toPointer } from "../diagnostics/yaml-source";
import { parseDuration } from "../lib/duration";
import type { DurationDistribution } from "./random";

/**
 * What a profile may ask of the simulator (docs/simulate.md, "Bounds"). A device's work is its events: openings,
 * online and offline spells, clock rollbacks and installs, so their expected number per device-day bounds a run's
 * time; each release keeps a bundle in memory for the whole run, so the release interval bounds its memory. The
 * CLI bounds devices x days ({@link MAX_DEVICE_DAYS}).
 */
export const PROFILE_BOUNDS = {
  /** Expected events per device and day, at most (the 1,000 openings a day the schema allows, and more). */
  eventsPerDeviceDay: 2_000,
  /** `updates.releaseEvery`, at least: one release a day. */
  releaseEveryMinSeconds: 86_400,
  /**
   * `incidents.keyCompromisesPerYear`, at most: each is replayed (a pipeline run, a revoked key every later bundle
   * lists, forged tokens at every device's openings), so one a month.
   */
  keyCompromisesPerYear: 12,
} as const;

/** Devices of one run, at most: each stolen one is kept until the end, for the revocation lag's percentiles. */
export const MAX_DEVICES = 100_000;

/** Devices times simulated days of one run, at most: 10,000 device-years. */
export const MAX_DEVICE_DAYS = 3_650_000;

/**
 * A distribution's length as the event count sees it: the fixed value, the mean, the median or the minimum. Each
 * is at most the mean, so the count it gives is at least the expected one.
 */
function typicalSeconds(d: DurationDistribution): number {
  if (d.kind === "fixed") return d.value;
  if (d.kind === "exponential") return d.mean;
  if (d.kind === "lognormal") return d.median;
  return d.min;
}

/** The expected events per device-day of a profile, by the field that causes them. */
export function eventsPerDeviceDay(
  p: SimulationProfile,
): { field: (string | number)[]; label: string; perDay: number }[] {
  const on = typicalSeconds(p.connectivity.online);
  const off = typicalSeconds(p.connectivity.offline);
  return [
    { field: ["usage", "opensPerDay"], label: "openings", perDay: p.usage.opensPerDay },
    {
      field: ["connectivity", on <= off ? "online" : "offline"],
      label: "online and offline spells",
      perDay: (2 * 86_400) / Math.max(1, on + off),
    },
    { field: ["clock", "rollbacksPerYear"], label: "clock rollbacks", perDay: p.clock.rollbacksPerYear / 365.25 },
    {
      field: ["updates", "releaseEvery"],
      label: "installs",
      perDay: 86_400 / Math.max(1, p.updates.releaseEverySeconds),
    },
  ];
}

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

/** Records a problem at the field `path` names. */
type Report = (path: (string | number)[], message: string) => void;

/** A {@link Report} that adds a located `code` diagnostic to `diagnostics`. */
function reporter(doc: ParsedDocument, code: Diagnostic["code"], diagnostics: Diagnostic[]): Report {
  return (path, message) => {
    const pointer = toPointer(path);
    diagnostics.push({
      severity: "error",
      code,
      message,
      file: doc.path,
      pointer,
      ...doc.locate(pointer),
    });
  };
}

const field = (path: (string | number)[]) => path.join(".");
// The schema has checked the grammar, so a duration always parses here.
const secs = (text: string) => parseDuration(text) as number;

/** A duration that must be longer than zero, in seconds. */
function positive(path: (string | number)[], text: string, impossible: Report): number {
  const s = secs(text);
  if (s === 0) impossible(path, `${field(path)} must be longer than 0s`);
  return s;
}

/** A duration distribution in seconds; a percentile or cap below its median or minimum is raised to it. */
function distribution(path: (string | number)[], d: RawDistribution, impossible: Report): DurationDistribution {
  if (d.fixed !== undefined) return { kind: "fixed", value: positive([...path, "fixed"], d.fixed, impossible) };
  if (d.exponential !== undefined)
    return { kind: "exponential", mean: positive([...path, "exponential", "mean"], d.exponential.mean, impossible) };
  if (d.lognormal !== undefined) {
    const median = positive([...path, "lognormal", "median"], d.lognormal.median, impossible);
    const p95 = positive([...path, "lognormal", "p95"], d.lognormal.p95, impossible);
    if (p95 < median)
      impossible(
        [...path, "lognormal", "p95"],
        `${field([...path, "lognormal", "p95"])} (${d.lognormal.p95}) is below the median (${d.lognormal.median}); a 95th percentile is at least the median`,
      );
    return { kind: "lognormal", median, p95: Math.max(p95, median) };
  }
  const p = d.pareto as NonNullable<RawDistribution["pareto"]>;
  const min = positive([...path, "pareto", "min"], p.min, impossible);
  const max = secs(p.max);
  if (max < min)
    impossible(
      [...path, "pareto", "max"],
      `${field([...path, "pareto", "max"])} (${p.max}) is below pareto.min (${p.min}); the cap must be at least the minimum`,
    );
  return { kind: "pareto", min, alpha: p.alpha, max: Math.max(max, min) };
}

/** The profile with its durations in seconds, reporting the values no distribution can have. */
function convertProfile(raw: RawProfile, impossible: Report): SimulationProfile {
  return {
    name: raw.name,
    description: raw.description,
    connectivity: {
      online: distribution(["connectivity", "online"], raw.connectivity.online, impossible),
      offline: distribution(["connectivity", "offline"], raw.connectivity.offline, impossible),
      syncFailure: raw.connectivity.syncFailure,
    },
    usage: { opensPerDay: raw.usage.opensPerDay },
    updates: {
      releaseEverySeconds: positive(["updates", "releaseEvery"], raw.updates.releaseEvery, impossible),
      reachDevice: distribution(["updates", "reachDevice"], raw.updates.reachDevice, impossible),
    },
    clock: {
      skewedShare: raw.clock.skewedShare,
      maxSkewSeconds: secs(raw.clock.maxSkew),
      rollbacksPerYear: raw.clock.rollbacksPerYear,
      rollbackBySeconds: secs(raw.clock.rollbackBy),
    },
    incidents: {
      stolenPerYear: raw.incidents.stolenPerYear,
      reportedAfter: distribution(["incidents", "reportedAfter"], raw.incidents.reportedAfter, impossible),
      keyCompromisesPerYear: raw.incidents.keyCompromisesPerYear,
    },
    pipeline: { deployEverySeconds: positive(["pipeline", "deployEvery"], raw.pipeline.deployEvery, impossible) },
  };
}

/** A share of skewed clocks with no skew, or rollbacks that move the clock by nothing. */
function checkClock(raw: RawProfile, profile: SimulationProfile, impossible: Report): void {
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
}

/** What the profile asks beyond {@link PROFILE_BOUNDS}. */
function checkBounds(raw: RawProfile, profile: SimulationProfile, outOfBounds: Report): void {
  const events = eventsPerDeviceDay(profile);
  const total = events.reduce((sum, e) => sum + e.perDay, 0);
  if (total > PROFILE_BOUNDS.eventsPerDeviceDay) {
    const top = events.reduce((a, b) => (b.perDay > a.perDay ? b : a));
    const parts = events.map((e) => `${e.label} ${formatCount(e.perDay)}`).join(", ");
    outOfBounds(
      top.field,
      `the profile makes about ${formatCount(total)} events per device and day (${parts}), above the bound of ${PROFILE_BOUNDS.eventsPerDeviceDay}; lower ${field(top.field)}`,
    );
  }
  if (profile.updates.releaseEverySeconds < PROFILE_BOUNDS.releaseEveryMinSeconds)
    outOfBounds(
      ["updates", "releaseEvery"],
      `updates.releaseEvery (${raw.updates.releaseEvery}) is below the bound of 1d: every release keeps its bundle for the whole run; release at most daily`,
    );
  if (raw.incidents.keyCompromisesPerYear > PROFILE_BOUNDS.keyCompromisesPerYear)
    outOfBounds(
      ["incidents", "keyCompromisesPerYear"],
      `incidents.keyCompromisesPerYear (${raw.incidents.keyCompromisesPerYear}) is above the bound of ${PROFILE_BOUNDS.keyCompromisesPerYear}: each compromise is replayed, and every later bundle lists its key; at most one a month`,
    );
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
  const impossible = reporter(doc, "KIT_PROFILE_IMPOSSIBLE", diagnostics);
  const profile = convertProfile(raw, impossible);
  checkClock(raw, profile, impossible);
  if (diagnostics.length === 0) checkBounds(raw, profile, reporter(doc, "KIT_PROFILE_OUT_OF_BOUNDS", diagnostics));
  if (expectedName !== undefined && raw.name !== expectedName)
    impossible(["name"], `name "${raw.name}" must equal the file name "${expectedName}"`);
  return diagnostics.length > 0 ? { diagnostics } : { profile, diagnostics };
}

/** A count for a message: whole numbers with separators, small ones with two significant digits. */
function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return n >= 100 ? Math.round(n).toLocaleString("en-US") : String(Number(n.toPrecision(2)));
}
