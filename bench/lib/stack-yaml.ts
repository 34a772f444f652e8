/**
 * Stack files of any size for the benchmarks, built from the shipped presets: N applications spread round-robin
 * over up to four tenants (one per preset), every fifth application of the `standard` tenant on the `field`
 * preset of its own (so FusionAuth holds a jwtConfiguration for it, as in the `example` stack).
 */
import { stringify } from "yaml";

const TENANT_PRESETS = ["standard", "high", "field", "critical"] as const;

export interface BenchStackShape {
  applications: number;
  /** Tenants used (1 for a single application, else up to 4). */
  tenants: number;
}

export function stackShape(applications: number): BenchStackShape {
  return { applications, tenants: Math.min(applications, TENANT_PRESETS.length) };
}

/** `stacks/Pulumi.<stack>.yaml` text for `applications` applications against `url`. */
export function benchStackYaml(applications: number, url: string): string {
  const { tenants: count } = stackShape(applications);
  const tenants = TENANT_PRESETS.slice(0, count).map((preset, t) => ({
    key: `t${t}-${preset}`,
    name: `Bench ${preset}`,
    issuer: `${url}/t${t}`,
    preset,
    applications: [] as Record<string, unknown>[],
  }));
  for (let i = 0; i < applications; i++) {
    const tenant = tenants[i % count] as (typeof tenants)[number];
    const app: Record<string, unknown> = {
      key: `app-${i}`,
      name: `Bench App ${i}`,
      redirectUris: [`com.example.bench${i}:/oauth2/callback`],
    };
    if (tenant.preset === "standard" && tenant.applications.length % 5 === 4) app.preset = "field";
    tenant.applications.push(app);
  }
  return stringify({
    config: { "fusionauth-offline-kit:url": url, "fusionauth-offline-kit:tenants": tenants },
  });
}
