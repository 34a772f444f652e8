import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../src/toolchain/pulumi-cli";
import { profileAt, profileProblems } from "./profiles";

const VALID = `name: broken
description: A profile to break.
connectivity:
  online:
    lognormal: { median: 30m, p95: 4h }
  offline:
    pareto: { min: 2h, alpha: 1.1, max: 21d }
  syncFailure: 0.05
usage:
  opensPerDay: 6
updates:
  releaseEvery: 14d
  reachDevice:
    lognormal: { median: 3d, p95: 30d }
clock:
  skewedShare: 0.05
  maxSkew: 4m
  rollbacksPerYear: 0.5
  rollbackBy: 2d
incidents:
  stolenPerYear: 0.05
  reportedAfter:
    fixed: 12h
  keyCompromisesPerYear: 0.2
pipeline:
  deployEvery: 15m
`;

describe("simulation profiles", () => {
  const shipped = readdirSync(join(REPO_ROOT, "simulations")).filter((f) => f.endsWith(".yaml"));

  it("ships office, commuter, field-crew and air-gapped-week", () => {
    expect(shipped.sort()).toEqual(["air-gapped-week.yaml", "commuter.yaml", "field-crew.yaml", "office.yaml"]);
  });

  it.each(shipped)("%s is valid", (file) => {
    const p = profileAt(`simulations/${file}`);
    expect(p.name).toBe(file.replace(/\.yaml$/, ""));
  });

  it("reads durations in seconds and keeps the distribution's shape", () => {
    const p = profileAt("simulations/field-crew.yaml");
    expect(p.connectivity.offline).toEqual({ kind: "pareto", min: 7_200, alpha: 1.1, max: 21 * 86_400 });
    expect(p.pipeline.deployEverySeconds).toBe(900);
  });

  it("accepts the valid base text", () => {
    expect(profileProblems(VALID)).toEqual([]);
  });

  it.each([
    {
      name: "a misspelt field, with a hint",
      text: VALID.replace("opensPerDay", "opensPerDya"),
      want: [
        'simulations/broken.yaml:9:1: KIT_MISSING_KEY missing required key "opensPerDay" in usage',
        'simulations/broken.yaml:10:3: KIT_UNKNOWN_KEY unknown key "opensPerDya" in usage; did you mean "opensPerDay"?',
      ],
    },
    {
      name: "a share above 1",
      text: VALID.replace("syncFailure: 0.05", "syncFailure: 1.5"),
      want: ["simulations/broken.yaml:8:16: KIT_SCHEMA_RANGE connectivity.syncFailure must be <= 1"],
    },
    {
      name: "a duration that is not one",
      text: VALID.replace("deployEvery: 15m", "deployEvery: quarter-hour"),
      want: [
        'simulations/broken.yaml:26:16: KIT_DURATION_INVALID pipeline.deployEvery: "quarter-hour" is not a duration; write whole numbers with units d, h, m, s in that order, e.g. 90s, 15m, 1h30m, 7d',
      ],
    },
    {
      name: "a 95th percentile below the median",
      text: VALID.replace("lognormal: { median: 30m, p95: 4h }", "lognormal: { median: 30m, p95: 10m }"),
      want: [
        "simulations/broken.yaml:5:36: KIT_PROFILE_IMPOSSIBLE connectivity.online.lognormal.p95 (10m) is below the median (30m); a 95th percentile is at least the median",
      ],
    },
    {
      name: "a heavy tail capped below its minimum",
      text: VALID.replace("max: 21d", "max: 1h"),
      want: [
        "simulations/broken.yaml:7:41: KIT_PROFILE_IMPOSSIBLE connectivity.offline.pareto.max (1h) is below pareto.min (2h); the cap must be at least the minimum",
      ],
    },
    {
      name: "a pipeline that never runs",
      text: VALID.replace("deployEvery: 15m", "deployEvery: 0s"),
      want: ["simulations/broken.yaml:26:16: KIT_PROFILE_IMPOSSIBLE pipeline.deployEvery must be longer than 0s"],
    },
    {
      name: "two distributions at once",
      text: VALID.replace("    fixed: 12h", "    fixed: 12h\n    exponential: { mean: 1h }"),
      want: [
        "simulations/broken.yaml:23:5: KIT_SCHEMA_INVALID incidents.reportedAfter must NOT have more than 1 properties",
      ],
    },
    // #24: each of these ran past 90 s for one device-day, or took 23 s and 831 MB, before the bounds.
    {
      name: "clock rollbacks far beyond the events a device-day may hold",
      text: VALID.replace("rollbacksPerYear: 0.5", "rollbacksPerYear: 1e12"),
      want: [
        "simulations/broken.yaml:18:21: KIT_PROFILE_OUT_OF_BOUNDS the profile makes about 2,737,850,812 events per device and day (openings 6, online and offline spells 19, clock rollbacks 2,737,850,787, installs 0.071), above the bound of 2000; lower clock.rollbacksPerYear",
      ],
    },
    {
      name: "online spells of a second",
      text: VALID.replace("lognormal: { median: 30m, p95: 4h }", "fixed: 1s").replace(
        "pareto: { min: 2h, alpha: 1.1, max: 21d }",
        "fixed: 1s",
      ),
      want: [
        "simulations/broken.yaml:5:5: KIT_PROFILE_OUT_OF_BOUNDS the profile makes about 86,406 events per device and day (openings 6, online and offline spells 86,400, clock rollbacks 0.0014, installs 0.071), above the bound of 2000; lower connectivity.online",
      ],
    },
    {
      name: "a release every second",
      text: VALID.replace("releaseEvery: 14d", "releaseEvery: 1s"),
      want: [
        "simulations/broken.yaml:12:17: KIT_PROFILE_OUT_OF_BOUNDS the profile makes about 86,425 events per device and day (openings 6, online and offline spells 19, clock rollbacks 0.0014, installs 86,400), above the bound of 2000; lower updates.releaseEvery",
        "simulations/broken.yaml:12:17: KIT_PROFILE_OUT_OF_BOUNDS updates.releaseEvery (1s) is below the bound of 1d: every release keeps its bundle for the whole run; release at most daily",
      ],
    },
    {
      name: "key compromises drawn one by one, without end",
      text: VALID.replace("keyCompromisesPerYear: 0.2", "keyCompromisesPerYear: 1e12"),
      want: [
        "simulations/broken.yaml:24:26: KIT_PROFILE_OUT_OF_BOUNDS incidents.keyCompromisesPerYear (1000000000000) is above the bound of 12: each compromise is replayed, and every later bundle lists its key; at most one a month",
      ],
    },
  ])("locates $name", ({ text, want }) => {
    expect(profileProblems(text)).toEqual(want);
  });
});
