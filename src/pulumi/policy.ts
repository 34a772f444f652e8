/**
 * What the kit's policy pack (packages/pulumi/policy-pack) checks on a stack that uses `OfflineAuthTenant`: the
 * tenant as FusionAuth will get it, not only as it was declared. The settings FusionAuth holds are read back from
 * the tenant resource's inputs (a `transforms` option, say, may have changed them after the component validated
 * its declaration) and put over the declaration's overrides; the result is compiled as `fakit validate` compiles a
 * stack file, so a floor or invariant it breaks without a waiver comes back with the same code and message,
 * located by component and field path.
 */

import { liveSettings } from "../import/map";
import { isPlainObject as isObject } from "../lib/plain-object";
import { findRepoRoot, loadPolicySources } from "../stack/load";
import { compileDeclaredTenant, type DeclaredTenant, formatComponentDiagnostic } from "./components/declared";

export { APPLICATION_TYPE, TENANT_TYPE } from "./components/tenant";
/** The FusionAuth tenant resources the components register. */
export const TENANT_RESOURCE_TYPE = "pulumi-nodejs:dynamic/fusionauth:Tenant";

type Json = { [key: string]: unknown };

/** `{"accessToken.ttl": "2h"}` as `{accessToken: {ttl: "2h"}}`, over `base`. */
function overlay(base: Json, settings: ReadonlyMap<string, string | boolean>): Json {
  // A plain copy: the policy SDK hands over objects structuredClone refuses.
  const out = JSON.parse(JSON.stringify(base)) as Json;
  for (const [path, value] of settings) {
    const parts = path.split(".");
    let node = out;
    for (const part of parts.slice(0, -1)) {
      if (!isObject(node[part])) node[part] = {};
      node = node[part] as Json;
    }
    node[parts[parts.length - 1] as string] = value;
  }
  return out;
}

/**
 * Every error of one tenant component as FusionAuth would hold it: `name` and `declaration` are the component's
 * name and inputs, `tenantShape` the `shape` input of its FusionAuth tenant resource (undefined: only the
 * declaration is checked). `url` only fills the compiled state; `stack` names the ids.
 */
export function tenantViolations(input: {
  name: string;
  declaration: Json;
  tenantShape?: Json;
  stack?: string;
  url?: string;
}): string[] {
  const root = findRepoRoot(__dirname);
  if (root === undefined) throw new Error(`cannot find policies/presets above ${__dirname}`);
  const jwt = input.tenantShape?.jwtConfiguration as Parameters<typeof liveSettings>[0] & Json;
  const held = liveSettings(jwt, jwt?.refreshTokenRevocationPolicy as Parameters<typeof liveSettings>[1], []);
  const declared = input.declaration as unknown as DeclaredTenant;
  const effective = {
    ...declared,
    key: input.name,
    overrides: overlay(isObject(declared.overrides) ? (declared.overrides as unknown as Json) : {}, held),
  } as unknown as DeclaredTenant;
  const result = compileDeclaredTenant({
    name: input.name,
    stackName: input.stack ?? "policy",
    url: input.url ?? "https://fusionauth.invalid",
    tenant: effective,
    sources: loadPolicySources(root),
  });
  return result.diagnostics.filter((d) => d.severity === "error").map(formatComponentDiagnostic);
}
