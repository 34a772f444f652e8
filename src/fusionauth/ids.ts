/**
 * Deterministic ids of the FusionAuth objects the kit creates: UUIDv5 of the project, the stack and the stable keys,
 * so that a create retried or replayed after a crash finds its own object instead of making a twin.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9562#section-5.5 (UUID version 5)
 */
import { v5 as uuidv5 } from "uuid";

/** The Pulumi project name, part of every derived id. */
export const PROJECT_NAME = "fusionauth-offline-kit";

/** Fixed namespace of the kit's UUIDv5 ids. Never change it: every deployed object's id depends on it. */
export const KIT_ID_NAMESPACE = "6f1d3c1e-5b0a-4c47-9e4f-3a8d2b7c9e10";

function derive(...parts: readonly (string | number)[]): string {
  return uuidv5([PROJECT_NAME, ...parts].join("/"), KIT_ID_NAMESPACE);
}

/** Id of a tenant the kit creates. */
export function tenantId(stack: string, tenantKey: string): string {
  return derive(stack, "tenant", tenantKey);
}

/** Id of an application the kit creates (also its OAuth client id). */
export function applicationId(stack: string, tenantKey: string, appKey: string): string {
  return derive(stack, "tenant", tenantKey, "application", appKey);
}

/** Id of a tenant's signing key of the given generation (g0, g1, ...). */
export function keyId(stack: string, tenantKey: string, generation: number): string {
  if (!Number.isSafeInteger(generation) || generation < 0)
    throw new RangeError(`key generation must be a whole number >= 0, got ${generation}`);
  return derive(stack, "tenant", tenantKey, "key", generation);
}
