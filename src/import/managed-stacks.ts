/**
 * The file edge of `fakit import`'s ownership check: which tenants (and their applications) each stack file of
 * the project already manages, by FusionAuth id, with the keys the operator gave them. A stack names a tenant by
 * an adopted `id`, or the kit derives it from the stack name and the key (src/fusionauth/ids.ts); the dev,
 * staging and prod stacks of an environment take their tenants from the shared `stacks/kit.yaml`, each with its
 * own derived ids, so each is compiled as `plan` would compile it.
 */

import { basename } from "node:path";
import { tenantId } from "../fusionauth/ids";
import { isPlainObject as isMapping } from "../lib/plain-object";
import {
  compileStackFile,
  displayPath,
  listYaml,
  type PolicySources,
  readYamlFile,
  STACKS_DIR,
  stackNameOf,
} from "../stack/load";

/** A tenant a stack file manages. */
export interface ManagedTenant {
  /** The stack's name (`Pulumi.<stack>.yaml`). */
  stack: string;
  /** The stack file, as messages show it. */
  file: string;
  key: string;
  id: string;
  applications: { key: string; id: string }[];
}

/**
 * The tenants every `stacks/Pulumi.*.yaml` of the repository manages. A stack that does not compile still
 * counts with the tenants its own list names (an adopted `id`, or the id derived from its `key`).
 */
export function managedTenants(repoRoot: string, sources: PolicySources): ManagedTenant[] {
  const out: ManagedTenant[] = [];
  for (const file of listYaml(`${repoRoot}/${STACKS_DIR}`)) {
    const stack = stackNameOf(basename(file));
    if (stack === undefined) continue;
    const shown = displayPath(repoRoot, file);
    const { state } = compileStackFile(repoRoot, file, sources);
    if (state !== undefined) {
      for (const t of state.tenants)
        out.push({
          stack,
          file: shown,
          key: t.key,
          id: t.id,
          applications: t.applications.map((a) => ({ key: a.key, id: a.id })),
        });
      continue;
    }
    const config = readYamlFile(repoRoot, file).doc.value;
    const tenants =
      isMapping(config) && isMapping(config.config) ? config.config["fusionauth-offline-kit:tenants"] : [];
    for (const t of Array.isArray(tenants) ? tenants : []) {
      if (!isMapping(t) || typeof t.key !== "string") continue;
      const id = typeof t.id === "string" ? t.id : tenantId(stack, t.key);
      out.push({ stack, file: shown, key: t.key, id, applications: [] });
    }
  }
  return out;
}
