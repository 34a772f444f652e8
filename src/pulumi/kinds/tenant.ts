/**
 * The tenant kind: a FusionAuth tenant the kit creates or adopts, of which it manages the fields of
 * `MANAGED_LAYOUTS.tenant` (shape: `tenantShape` in fusionauth/objects.ts; id: `tenantId` in fusionauth/ids.ts).
 * A tenant's component registers it (components/tenant.ts).
 *
 * @see https://fusionauth.io/docs/apis/tenants
 */
import * as pulumi from "@pulumi/pulumi";
import type { JsonObject } from "../../fusionauth/managed-fields";
import { MANAGED_LAYOUTS } from "../../fusionauth/objects";
import { providerFor } from "../providers/active";
import { type ManagedObjectInputs, managedObjectProvider } from "../providers/managed-object";
import { defineKind, type ResourceInputs } from "./kind";

type Obj = Record<string, unknown>;

export const tenantProvider = managedObjectProvider({
  layouts: MANAGED_LAYOUTS.tenant,
  retrieve: async (port, id) => (await port.retrieveTenant(id)) as Obj | undefined,
  create: async (port, inputs, body) => (await port.createTenant(inputs.objectId, body)).object as Obj,
  update: async (port, id, body) => (await port.updateTenant(id, body)) as Obj,
  remove: (port, id, label) => port.deleteTenant(id, label),
});

export const tenantKind = defineKind({
  name: "tenant",
  type: "Tenant",
  permissions: { "/api/tenant": ["GET", "POST", "PUT", "DELETE"] },
  provider: tenantProvider,
});

/** A tenant the kit creates or adopts. */
export class Tenant extends pulumi.dynamic.Resource {
  declare readonly objectId: pulumi.Output<string>;
  declare readonly shape: pulumi.Output<JsonObject>;

  constructor(
    name: string,
    args: ResourceInputs<Omit<ManagedObjectInputs, "tenantId">>,
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(providerFor(tenantKind.name), name, { ...args, original: undefined }, opts, "fusionauth", tenantKind.type);
  }
}
