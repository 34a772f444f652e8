// Profiles and stacks for the simulator's tests, read by the kit's own loaders.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseYamlSource } from "../../src/diagnostics/yaml-source";
import { readProfile, type SimulationProfile } from "../../src/simulate/profile";
import { readYamlFile } from "../../src/stack/load";
import { REPO_ROOT } from "../../src/toolchain/pulumi-cli";

export const SCHEMA = JSON.parse(
  readFileSync(join(REPO_ROOT, "policies", "schema", "simulation.schema.json"), "utf8"),
) as object;

/** A profile file of the repository (`simulations/x.yaml` or a test fixture), validated. */
export function profileAt(path: string): SimulationProfile {
  const { doc } = readYamlFile(REPO_ROOT, join(REPO_ROOT, path));
  const r = readProfile(doc, SCHEMA);
  if (r.profile === undefined) throw new Error(r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
  return r.profile;
}

/** The diagnostics of a profile given as text, as `path:line:col: CODE message`. */
export function profileProblems(text: string, path = "simulations/broken.yaml"): string[] {
  const { doc, diagnostics } = parseYamlSource({ path, text });
  const r = readProfile(doc, SCHEMA, "broken");
  return [...diagnostics, ...r.diagnostics].map((d) => `${d.file}:${d.line}:${d.column}: ${d.code} ${d.message}`);
}

/** A `high` tenant rotating daily, so that a simulated fortnight holds many rotations and retentions. */
export const DAILY_HIGH_STACK = `config:
  fusionauth-offline-kit:url: https://drill.example.com
  fusionauth-offline-kit:tenants:
    - key: drill
      name: Drill
      issuer: https://drill.example.com
      preset: high
      overrides:
        keys:
          rotationPeriod: 1d
      applications:
        - key: app
          name: App
          redirectUris: ["com.example.drill:/oauth2/callback"]
`;
