/**
 * The rotation of every tenant of a stack at one time: the schedule's input (policy, epoch, time, observed keys)
 * assembled once, here, for the Pulumi program, `fakit bundle` and `fakit plan`.
 */

import { ROTATION_EPOCH_SECONDS } from "../rotation/epoch";
import { type ObservedRotation, planRotation, type RotationInput, type RotationState } from "../rotation/schedule";
import type { DesiredState, TenantState } from "./desired-state";

/** One tenant's rotation input and the state the schedule answers for it. */
export interface TenantRotation {
  tenant: TenantState;
  input: RotationInput;
  rotation: RotationState;
  /** True when the keys were observed in FusionAuth; false: as if the tenant were first deployed at `at`. */
  observed: boolean;
}

/**
 * The schedule's input for one tenant at `at`. Unobserved (`plan` without `--live`), a tenant starts with no kit
 * key, signing with the key its `keys.adopted` declares, if any: what FusionAuth holds right after an import.
 */
export function rotationInputOf(tenant: TenantState, at: number, observed?: ObservedRotation): RotationInput {
  const declared = tenant.adoptedKey;
  return {
    policy: tenant.policy,
    epoch: ROTATION_EPOCH_SECONDS,
    at,
    observed: observed ?? (declared === null ? { keys: [] } : { keys: [], adopted: { id: declared.id } }),
    revoked: tenant.revokedKeys.map((r) => r.generation),
    ...(declared === null ? {} : { adoptedKey: declared }),
  };
}

/** The rotation of every tenant of `state` at `at`, in the stack's tenant order. */
export function planStackRotation(
  state: Pick<DesiredState, "tenants">,
  at: number,
  observedByTenant: ReadonlyMap<string, ObservedRotation> = new Map(),
): TenantRotation[] {
  return state.tenants.map((tenant) => {
    const observed = observedByTenant.get(tenant.key);
    const input = rotationInputOf(tenant, at, observed);
    return { tenant, input, rotation: planRotation(input), observed: observed !== undefined };
  });
}
