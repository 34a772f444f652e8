/**
 * Reads what FusionAuth holds for a tenant's keys and turns it into the rotation schedule's observed input: the
 * kit's keys (recognised by their deterministic ids and the record in their names), their creation times as
 * FusionAuth reports them, which key signs, and a pre-existing key of an adopted tenant. Used by the Pulumi
 * program before it registers resources, and by `fakit bundle` after `up`; only GET calls.
 */

import type { FusionAuthPort, Key } from "../fusionauth/client-port";
import { keyId } from "../fusionauth/ids";
import { parseKeyName } from "./key-record";
import type { AdoptedKey, ObservedKey, ObservedRotation } from "./schedule";

export interface TenantKeysQuery {
  stack: string;
  tenantKey: string;
  tenantId: string;
  /** True for a tenant that existed before the kit: its own signing key is kept until a kit key takes over. */
  adopted: boolean;
  /** Keys as `GET /api/key` answered (fetch once for all tenants). */
  keys: readonly Key[];
}

/** The observed rotation of one tenant. */
export async function observeRotation(port: FusionAuthPort, q: TenantKeysQuery): Promise<ObservedRotation> {
  const kitKeys: ObservedKey[] = [];
  for (const key of q.keys) {
    const record = key.name === undefined ? undefined : parseKeyName(key.name);
    if (record === undefined || record.stack !== q.stack || record.tenantKey !== q.tenantKey) continue;
    // Only a key at the id the kit derives for that generation counts: a look-alike name is not ours.
    if (key.id !== keyId(q.stack, q.tenantKey, record.generation)) continue;
    const observed: ObservedKey = {
      id: key.id,
      generation: record.generation,
      insertInstant: Math.ceil((key.insertInstant ?? 0) / 1000),
    };
    if (key.kid !== undefined) observed.kid = key.kid;
    if (record.activatedAt !== undefined) observed.activatedAt = record.activatedAt;
    if (record.retiredAt !== undefined) observed.retiredAt = record.retiredAt;
    kitKeys.push(observed);
  }
  kitKeys.sort((a, b) => a.generation - b.generation);

  const tenant = await port.retrieveTenant(q.tenantId);
  const signingId = tenant?.jwtConfiguration?.accessTokenKeyId;
  const signing = kitKeys.find((k) => k.id === signingId);
  const result: ObservedRotation = { keys: kitKeys };
  if (signing !== undefined) result.signingGeneration = signing.generation;

  // A tenant that existed before the kit signs with a key of its own: keep it until a kit key takes over.
  const adoptedId = !q.adopted
    ? undefined
    : signing === undefined
      ? signingId
      : previousAdoptedKey(tenant?.jwtConfiguration?.accessTokenVerificationKeyIds, kitKeys);
  const adoptedKey = q.keys.find((k) => k.id === adoptedId);
  // An HMAC key (FusionAuth's default before 1.50) cannot be verified by a device: nothing offline depends on
  // it, so the kit's first key signs at once instead of waiting for the lead.
  const verifiable = adoptedKey === undefined || !(adoptedKey.algorithm ?? "").startsWith("HS");
  if (adoptedId !== undefined && tenant !== undefined && verifiable) {
    const key = adoptedKey;
    const adopted: AdoptedKey = { id: adoptedId };
    if (key?.kid !== undefined) adopted.kid = key.kid;
    // The adopted key stopped signing when the first kit key started.
    const firstActivation = Math.min(...kitKeys.map((k) => k.activatedAt ?? Number.POSITIVE_INFINITY));
    if (signing !== undefined && Number.isFinite(firstActivation)) adopted.retiredAt = firstActivation;
    result.adopted = adopted;
  }
  return result;
}

/** A non-kit key still listed for verification: the adopted tenant's former signing key during its retention. */
function previousAdoptedKey(
  verificationIds: string[] | undefined,
  kitKeys: readonly ObservedKey[],
): string | undefined {
  const kitIds = new Set(kitKeys.map((k) => k.id));
  return (verificationIds ?? []).find((id) => !kitIds.has(id));
}

/** The observed rotation of every tenant of a stack, by tenant key (one `GET /api/key`, one GET per tenant). */
export async function observeStack(
  state: { stack: string; tenants: readonly { key: string; id: string; adopted: boolean }[] },
  port: FusionAuthPort,
): Promise<Map<string, ObservedRotation>> {
  const keys = await port.retrieveKeys();
  const out = new Map<string, ObservedRotation>();
  for (const tenant of state.tenants) {
    out.set(
      tenant.key,
      await observeRotation(port, {
        stack: state.stack,
        tenantKey: tenant.key,
        tenantId: tenant.id,
        adopted: tenant.adopted,
        keys,
      }),
    );
  }
  return out;
}
