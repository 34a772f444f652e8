/**
 * Effective policies and desired states compiled by the kit's own loader from the shipped presets, for tests
 * that need one (no hand-copied numbers).
 */

import { parseYamlSource } from "../../src/diagnostics/yaml-source";
import type { EffectivePolicy } from "../../src/policy/types";
import { compileStack } from "../../src/stack/compile";
import type { DesiredState } from "../../src/stack/desired-state";
import { loadPolicySources } from "../../src/stack/load";
import { REPO_ROOT } from "../../src/toolchain/pulumi-cli";

/** Compiles stack YAML text against the shipped presets; throws with the diagnostics if it is invalid. */
export function compileStackText(text: string, stackName = "test"): DesiredState {
  const sources = loadPolicySources(REPO_ROOT);
  const { doc } = parseYamlSource({ path: `stacks/Pulumi.${stackName}.yaml`, text });
  const result = compileStack({
    stackName,
    stack: doc,
    presets: sources.presets,
    levels: sources.levels,
    schemas: sources.schemas,
  });
  if (result.state === undefined) throw new Error(result.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
  return result.state;
}

/** The effective policy of a shipped preset. */
export function testPolicy(preset: string): EffectivePolicy {
  const state = compileStackText(`config:
  fusionauth-offline-kit:url: http://localhost:9011
  fusionauth-offline-kit:tenants:
    - key: t
      name: T
      issuer: https://t.example
      preset: ${preset}
      applications:
        - key: app
          name: App
          redirectUris: ["com.example:/cb"]
`);
  return (state.tenants[0] as DesiredState["tenants"][number]).policy;
}
