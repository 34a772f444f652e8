// `fakit simulate` spawned as a process: validation before anything runs, JSON figures, the chart, exit codes.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fakit, scratchRepo } from "./cli-fixture";

const STACK = `config:
  fusionauth-offline-kit:url: https://auth.example.com
  fusionauth-offline-kit:tenants:
    - key: crew
      name: Crew
      issuer: https://auth.example.com/crew
      preset: field
      applications:
        - key: app
          name: App
          redirectUris: ["com.example.crew:/oauth2/callback"]
`;

describe("fakit simulate", () => {
  it("refuses an invalid stack before anything runs, with located errors", () => {
    const dir = scratchRepo({ "stacks/Pulumi.bad.yaml": STACK.replace("preset: field", "preset: feild") });
    const r = fakit(["simulate", "--stack", "bad", "--profile", "simulations/none.yaml"], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(
      'stacks/Pulumi.bad.yaml:7:15: KIT_PRESET_UNKNOWN preset "feild" does not exist (known: critical, field, high, standard)',
    );
    expect(r.stderr).toContain('fakit simulate: stack "bad" is invalid (1 error); nothing simulated');
  });

  it("refuses a profile with a wrong field, at its line and column", () => {
    const dir = scratchRepo({ "stacks/Pulumi.crew.yaml": STACK });
    mkdirSync(join(dir, "simulations"));
    const text = readFileSync(join(__dirname, "..", "..", "simulations", "field-crew.yaml"), "utf8");
    writeFileSync(join(dir, "simulations", "field-crew.yaml"), text.replace("syncFailure: 0.05", "syncFailures: 0.05"));
    const r = fakit(["simulate", "--stack", "crew", "--profile", "simulations/field-crew.yaml"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^simulations\/field-crew\.yaml:\d+:3: KIT_UNKNOWN_KEY unknown key "syncFailures" in connectivity; did you mean "syncFailure"\?$/m,
    );
    expect(r.stderr).toContain("fakit simulate: profile simulations/field-crew.yaml is invalid");
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it("prints the same JSON figures for the same seed, and writes the preset chart", { timeout: 60_000 }, () => {
    const dir = scratchRepo({ "stacks/Pulumi.crew.yaml": STACK });
    mkdirSync(join(dir, "simulations"));
    const profile = readFileSync(join(__dirname, "..", "..", "simulations", "office.yaml"), "utf8");
    writeFileSync(join(dir, "simulations", "office.yaml"), profile);
    const args = ["simulate", "--stack", "crew", "--profile", "simulations/office.yaml", "--devices", "20"];
    const r = fakit([...args, "--days", "60", "--seed", "3", "--json", "--svg", "chart.svg"], dir);
    expect(r.stderr).toBe("");
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ stack: "crew", profile: "office", devices: 20, days: 60, seed: 3 });
    expect(doc.applications).toHaveLength(1);
    const app = doc.applications[0];
    expect(app.shares.full + app.shares.degraded + app.shares.refused).toBeCloseTo(1, 12);
    expect(app.unexplainedRefusals.count).toBe(0);
    expect(app.signatures.mismatches).toBe(0);
    expect(doc.presets.map((p: { preset: string }) => p.preset)).toEqual(["critical", "high", "standard", "field"]);
    const svg = readFileSync(join(dir, "chart.svg"), "utf8");
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    for (const label of ["share of app openings refused", "revocation lag (log scale)", "Legend", "critical", "field"])
      expect(svg).toContain(label);
    // With the session's clock trust nothing is accepted outside the policy, so the run exits 0.
    expect(app.acceptedOutsidePolicy.count).toBe(0);
    expect(r.code).toBe(0);

    const again = fakit([...args, "--days", "60", "--seed", "3", "--json"], dir);
    expect(JSON.parse(again.stdout).applications).toEqual(doc.applications);
  });

  it("rejects a bad count as a usage error", () => {
    const r = fakit(["simulate", "--stack", "example", "--profile", "simulations/office.yaml", "--devices", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("fakit simulate: --devices needs a whole number from 1 to 100000, got 0");
  });

  // #24: the largest accepted run is bounded (its memory is measured in docs/simulate.md, "Bounds").
  it("refuses more than 10,000 device-years in one run as a usage error", () => {
    const args = ["simulate", "--stack", "example", "--profile", "simulations/office.yaml"];
    const r = fakit([...args, "--devices", "100000", "--days", "3650"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "fakit simulate: --devices 100000 x --days 3650 is 365,000,000 device-days, above the bound of 3,650,000 (10,000 device-years); lower one of them",
    );
    const many = fakit([...args, "--devices", "1000000", "--days", "1"]);
    expect(many.code).toBe(2);
    expect(many.stderr).toContain("--devices needs a whole number from 1 to 100000, got 1000000");
  });

  it("refuses a profile beyond its bounds at the field to change, and no longer says keys cannot be revoked", {
    timeout: 60_000,
  }, () => {
    const dir = scratchRepo({ "stacks/Pulumi.crew.yaml": STACK });
    mkdirSync(join(dir, "simulations"));
    const text = readFileSync(join(__dirname, "..", "..", "simulations", "office.yaml"), "utf8");
    writeFileSync(join(dir, "simulations", "office.yaml"), text);
    writeFileSync(
      join(dir, "simulations", "busy.yaml"),
      text.replace("name: office", "name: busy").replace(/rollbacksPerYear: [\d.]+/, "rollbacksPerYear: 1e12"),
    );
    const base = ["simulate", "--stack", "crew", "--devices", "2", "--days", "3"];
    const busy = fakit([...base, "--profile", "simulations/busy.yaml"], dir);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(
      /^simulations\/busy\.yaml:\d+:\d+: KIT_PROFILE_OUT_OF_BOUNDS the profile makes about [\d,]+ events per device and day .* lower clock\.rollbacksPerYear$/m,
    );
    const office = fakit([...base, "--profile", "simulations/office.yaml"], dir);
    expect(office.stderr).toBe("");
    expect(office.stdout).toMatch(/key compromises? drawn/);
    expect(office.stdout).not.toContain("a stack cannot declare a revoked key yet");
  });
});
