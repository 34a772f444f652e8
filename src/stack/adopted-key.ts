/**
 * A tenant's `keys.adopted`: the key an adopted tenant signs with today, kept as the kit's current generation
 * until `rotateFrom` (written by `fakit import`, so that the first `up` after an import creates no key).
 * @see ../../docs/policy.md (fakit import)
 */
import { parseInstant } from "../lib/instant";
import type { AdoptedKeyDeclaration } from "../rotation/deferral";
import type { AdoptedKey as RawAdoptedKey } from "./config.generated";
import type { ReportError } from "./revoked-keys";

/**
 * The compiled declaration, null without a block, or errors through `error`: `KIT_ADOPTED_KEY_NOT_ADOPTED` (the
 * tenant has no `id`: the kit would create it, so there is no key of its own to adopt) and
 * `KIT_ADOPTED_KEY_ROTATE_FROM_INVALID` (not a real time; the schema has already checked the form).
 * @param pointer the JSON pointer of `keys.adopted`, optionally of one of its members.
 */
export function compileAdoptedKey(
  raw: RawAdoptedKey | undefined,
  tenantKey: string,
  tenantAdopted: boolean,
  pointer: (member?: string) => string,
  error: ReportError,
): AdoptedKeyDeclaration | null {
  if (raw === undefined) return null;
  if (!tenantAdopted) {
    error(
      pointer(),
      "KIT_ADOPTED_KEY_NOT_ADOPTED",
      `tenant "${tenantKey}" has keys.adopted but no id: only a tenant that existed before the kit (adopted by its id) has a key to adopt; add the tenant's id or delete keys.adopted`,
    );
    return null;
  }
  const rotateFrom = parseInstant(raw.rotateFrom);
  if (rotateFrom === undefined) {
    error(
      pointer("rotateFrom"),
      "KIT_ADOPTED_KEY_ROTATE_FROM_INVALID",
      `keys.adopted.rotateFrom "${raw.rotateFrom}" is not a real time`,
    );
    return null;
  }
  return { id: raw.id.toLowerCase(), rotateFrom };
}
