/**
 * The stack's `apiKeys`: the kit's own least-privilege keys `pulumi up` makes (src/pulumi/kinds/api-key.ts),
 * checked here, with the rest of the stack, so that `fakit validate`, `fakit plan` and `up` reject a bad
 * declaration before anything is applied. The kind's file cannot declare these checks itself: it imports Pulumi,
 * and this pure layer must not import it (biome.json, "Pure core").
 * @see ../../docs/least-privilege.md
 */
import { didYouMean } from "../diagnostics/suggest";
import type { ApiKey as RawApiKey } from "./config.generated";
import type { DeclaredKind } from "./declared-kind";

/** One of the kit's own API keys the stack declares (`apiKeys`). */
export interface ApiKeyDeclaration {
  role: "import" | "revoke";
  /** `<role>`, or `<role>/<tenant key>` for a key locked to a tenant: its name in messages and stack outputs. */
  label: string;
  /** The tenant the key is locked to; absent: a key of every tenant. */
  tenant?: { key: string; id: string };
}

/**
 * The stack's `apiKeys`: the declared keys with their tenants resolved, in the stack's order, or errors through
 * `error`:
 * `KIT_DECLARATION_INVALID` (the import key locked to a tenant: it reads every tenant), `KIT_UNKNOWN_REFERENCE`
 * (`tenant` names no tenant of the stack) and `KIT_DUPLICATE_KEY` (a role, or a role and tenant, declared twice:
 * it would be one FusionAuth key). The schema has already checked the roles and the tenant's form.
 */
export const apiKeys: DeclaredKind<RawApiKey, ApiKeyDeclaration> = {
  config: "apiKeys",
  compile: (raw, { tenants, pointer, error }) => {
    const out: ApiKeyDeclaration[] = [];
    const seen = new Set<string>();
    (raw ?? []).forEach((declared, i) => {
      const label = declared.tenant === undefined ? declared.role : `${declared.role}/${declared.tenant}`;
      if (declared.role === "import" && declared.tenant !== undefined) {
        error(
          pointer(i, "tenant"),
          "KIT_DECLARATION_INVALID",
          `apiKeys[${i}].tenant: the import key cannot be locked to a tenant (fakit import reads every tenant); delete tenant`,
        );
        return;
      }
      const tenant = tenants.find((t) => t.key === declared.tenant);
      if (declared.tenant !== undefined && tenant === undefined) {
        const keys = tenants.map((t) => t.key);
        error(
          pointer(i, "tenant"),
          "KIT_UNKNOWN_REFERENCE",
          `apiKeys[${i}].tenant "${declared.tenant}" is no tenant of this stack (${keys.join(", ")}): name one of them, or delete tenant for a key of every tenant${didYouMean(declared.tenant, keys)}`,
        );
        return;
      }
      if (seen.has(label)) {
        error(
          pointer(i),
          "KIT_DUPLICATE_KEY",
          `apiKeys[${i}]: the ${label} key is declared twice; each role (and tenant) makes one FusionAuth key: delete one of them`,
        );
        return;
      }
      seen.add(label);
      out.push({ role: declared.role, label, ...(tenant === undefined ? {} : { tenant: { ...tenant } }) });
    });
    return out;
  },
};
