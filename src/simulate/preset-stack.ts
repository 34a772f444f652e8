/**
 * The stack the chart compares presets with: one tenant per preset, one application each. Compiled by the
 * kit's own stack compiler, so each preset's policy is exactly what a real stack using it would get.
 */

/** The YAML text of a stack with one tenant per preset. */
export function presetStackYaml(presets: readonly string[]): string {
  const tenants = presets.map(
    (p) => `    - key: ${p}
      name: ${p} preset
      issuer: https://simulate.invalid/${p}
      preset: ${p}
      applications:
        - key: app
          name: App on ${p}
          redirectUris: ["com.example.simulate:/oauth2/callback"]`,
  );
  return `config:\n  fusionauth-offline-kit:url: https://simulate.invalid\n  fusionauth-offline-kit:tenants:\n${tenants.join("\n")}\n`;
}
