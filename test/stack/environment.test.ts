// Environments: tenants defined once in a shared file, per-stack URL, key and settings on top.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../src/diagnostics/diagnostic";
import { parseYamlSource } from "../../src/diagnostics/yaml-source";
import { diffEnvironments } from "../../src/plan/environment-diff";
import { compileStack } from "../../src/stack/compile";
import { loadPolicySources } from "../../src/stack/load";
import { REPO } from "../policy/policy-fixture";

const sources = loadPolicySources(REPO);
const shipped = (file: string) => readFileSync(join(REPO, "stacks", file), "utf8");

function compileWith(stackName: string, stackText: string, sharedText: string) {
  const stack = parseYamlSource({ path: `stacks/Pulumi.${stackName}.yaml`, text: stackText }).doc;
  const shared = parseYamlSource({ path: "stacks/kit.yaml", text: sharedText }).doc;
  const r = compileStack({ stackName, stack, shared, ...sources });
  return { state: r.state, lines: r.diagnostics.map(formatDiagnostic) };
}

const SHARED = `tenants:
  - key: crew
    name: Crew ({stack})
    issuer: "{url}/{stack}/crew"
    preset: field
    overrides:
      offline:
        checkIn: 7d
    applications:
      - key: app
        name: App
        redirectUris: ["com.example:/cb"]
`;

const stackYaml = (settings = "") => `config:
  fusionauth-offline-kit:url: https://auth.example.com/
  fusionauth-offline-kit:shared: kit.yaml
${settings}`;

describe("a stack composed with its shared file", () => {
  it("takes the shared tenants, fills {stack} and {url}, and layers its own settings on top", () => {
    const { state, lines } = compileWith(
      "dev",
      stackYaml(`  fusionauth-offline-kit:tenantSettings:
    crew:
      overrides:
        accessToken:
          ttl: 10m
      applications:
        app:
          redirectUris: ["com.example.debug:/cb"]
`),
      SHARED,
    );
    expect(lines).toEqual([]);
    const crew = state?.tenants[0];
    expect(crew?.name).toBe("Crew (dev)");
    expect(crew?.issuer).toBe("https://auth.example.com/dev/crew");
    // The stack's override and the shared one both apply, leaf by leaf.
    expect(crew?.policy.accessToken.ttlSeconds).toBe(600);
    expect(crew?.policy.offline.checkInSeconds).toBe(7 * 86_400);
    expect(crew?.overrides.map((o) => `${o.path} ${o.file}:${o.line}`)).toEqual([
      "accessToken.ttl stacks/Pulumi.dev.yaml:8",
      "offline.checkIn stacks/kit.yaml:8",
    ]);
    expect(crew?.applications[0]?.redirectUris).toEqual(["com.example.debug:/cb"]);
  });

  it("gives each stack its own ids, so several environments can share one FusionAuth", () => {
    const dev = compileWith("dev", stackYaml(), SHARED).state;
    const prod = compileWith("prod", stackYaml(), SHARED).state;
    expect(dev?.tenants[0]?.id).not.toBe(prod?.tenants[0]?.id);
    expect(dev?.tenants[0]?.applications[0]?.id).not.toBe(prod?.tenants[0]?.applications[0]?.id);
  });

  it("reports a problem of the shared file at its line in the shared file", () => {
    const { lines } = compileWith("dev", stackYaml(), SHARED.replace("preset: field", "preset: feild"));
    expect(lines).toEqual([
      'stacks/kit.yaml:5:13: KIT_PRESET_UNKNOWN preset "feild" does not exist (known: critical, field, high, standard)',
    ]);
  });

  it("reports a problem of the stack's settings at its line in the stack file", () => {
    const { lines } = compileWith(
      "prod",
      stackYaml(`  fusionauth-offline-kit:tenantSettings:
    crew:
      overrides:
        offline:
          checkIn: 90d
`),
      SHARED,
    );
    expect(lines[0]).toBe(
      "stacks/Pulumi.prod.yaml:8:20: KIT_FLOOR_MAX offline.checkIn (90d) exceeds the field level's maximum of 30d (rule offline.checkIn.max); change it or add a waiver with a reason",
    );
  });

  it.each([
    {
      name: "a tenant the shared file does not have",
      settings: "  fusionauth-offline-kit:tenantSettings:\n    crow: {}\n",
      want: 'stacks/Pulumi.dev.yaml:5:5: KIT_SHARED_UNKNOWN_TENANT the shared file has no tenant "crow"; did you mean "crew"?',
    },
    {
      name: "an application the tenant does not have",
      settings: "  fusionauth-offline-kit:tenantSettings:\n    crew:\n      applications:\n        ap: {}\n",
      want: 'stacks/Pulumi.dev.yaml:7:9: KIT_SHARED_UNKNOWN_TENANT tenant "crew" of the shared file has no application "ap"; did you mean "app"?',
    },
    {
      name: "tenants of its own as well",
      settings: "  fusionauth-offline-kit:tenants: []\n",
      want: "stacks/Pulumi.dev.yaml:4:3: KIT_SHARED_CONFLICT a stack takes its tenants from fusionauth-offline-kit:shared or lists them in fusionauth-offline-kit:tenants, not both; put per-stack differences in fusionauth-offline-kit:tenantSettings",
    },
  ])("refuses $name", ({ settings, want }) => {
    expect(compileWith("dev", stackYaml(settings), SHARED).lines).toEqual([want]);
  });

  it("refuses tenantSettings in a stack without a shared file", () => {
    const stack = parseYamlSource({
      path: "stacks/Pulumi.x.yaml",
      text: "config:\n  fusionauth-offline-kit:url: https://a.example\n  fusionauth-offline-kit:tenantSettings: {}\n",
    }).doc;
    const r = compileStack({ stackName: "x", stack, ...sources });
    expect(r.diagnostics.map((d) => d.code)).toEqual(["KIT_SHARED_MISSING"]);
  });
});

describe("the shipped dev, staging and prod stacks", () => {
  const state = (name: string) => compileWith(name, shipped(`Pulumi.${name}.yaml`), shipped("kit.yaml")).state;

  it("compile from stacks/kit.yaml", () => {
    for (const name of ["dev", "staging", "prod"]) {
      expect(state(name)?.tenants.map((t) => t.key)).toEqual(["field-ops", "clinic"]);
    }
  });

  it("differ between staging and prod only in names, issuers and prod's clinic check-in (and its retention)", () => {
    const staging = state("staging");
    const prod = state("prod");
    if (staging === undefined || prod === undefined) throw new Error("does not compile");
    const rows = diffEnvironments(staging, prod).filter((r) => r.setting !== "name" && r.setting !== "issuer");
    expect(rows).toEqual([
      // Retention is derived as max(A + G, C) + S, so the shorter check-in shortens it too.
      { where: "tenant clinic", setting: "keys.retention", a: "1h5m", b: "50m" },
      { where: "tenant clinic", setting: "offline.checkIn", a: "1h", b: "45m" },
      { where: "application clinic/ward-app", setting: "offline.checkIn", a: "1h", b: "45m" },
    ]);
  });
});

describe("a shared file that cannot be used", () => {
  const compileAlone = (text: string, shared?: string) => {
    const stack = parseYamlSource({ path: "stacks/Pulumi.dev.yaml", text }).doc;
    const sharedDoc = shared === undefined ? undefined : parseYamlSource({ path: "stacks/kit.yaml", text: shared }).doc;
    return compileStack({ stackName: "dev", stack, shared: sharedDoc, ...sources }).diagnostics.map(formatDiagnostic);
  };

  it("is named at the stack's line when it could not be read, without a second 'tenants missing' error", () => {
    expect(compileAlone(stackYaml())).toEqual([
      "stacks/Pulumi.dev.yaml:3:34: KIT_SHARED_INVALID the shared file kit.yaml could not be read; its own error says why",
    ]);
  });

  it("must be a file beside the stacks", () => {
    expect(compileAlone(stackYaml().replace("kit.yaml", "../kit.yaml"), SHARED)).toEqual([
      'stacks/Pulumi.dev.yaml:3:34: KIT_SHARED_INVALID fusionauth-offline-kit:shared must name a YAML file beside the stack files (e.g. kit.yaml: letters, digits, ".", "_", "-"; not a Pulumi.* stack file), got "../kit.yaml"',
    ]);
  });

  it("holds only tenants", () => {
    expect(compileAlone(stackYaml(), `${SHARED}url: https://x.example\n`)).toEqual([
      'stacks/kit.yaml:13:1: KIT_SHARED_INVALID a shared file holds only `tenants:`; "url" belongs in a stack file',
    ]);
  });
});
