/**
 * The application kind: a public native OAuth client the kit creates or adopts inside a tenant, of which it
 * manages the fields of `MANAGED_LAYOUTS.application` (shape: `applicationShape` in fusionauth/objects.ts; id:
 * `applicationId` in fusionauth/ids.ts). A tenant's component registers it (components/tenant.ts).
 *
 * @see https://fusionauth.io/docs/apis/applications
 */
import * as pulumi from "@pulumi/pulumi";
import type { JsonObject } from "../../fusionauth/managed-fields";
import { MANAGED_LAYOUTS } from "../../fusionauth/objects";
import { providerFor } from "../providers/active";
import { type ManagedObjectInputs, managedObjectProvider } from "../providers/managed-object";
import { defineKind, type ResourceInputs } from "./kind";

type Obj = Record<string, unknown>;

export const applicationProvider = managedObjectProvider({
  layouts: MANAGED_LAYOUTS.application,
  retrieve: async (port, id) => (await port.retrieveApplication(id)) as Obj | undefined,
  create: async (port, inputs, body) =>
    (await port.createApplication(inputs.objectId, inputs.tenantId ?? "", body)).object as Obj,
  update: async (port, id, body) => (await port.updateApplication(id, body)) as Obj,
  remove: (port, id, label) => port.deleteApplication(id, label),
});

export const applicationKind = defineKind({
  name: "application",
  type: "Application",
  // Delete is `?hardDelete=true`.
  permissions: { "/api/application": ["GET", "POST", "PUT", "DELETE"] },
  provider: applicationProvider,
});

/** An application (a public native OAuth client) the kit creates or adopts. */
export class Application extends pulumi.dynamic.Resource {
  declare readonly objectId: pulumi.Output<string>;
  declare readonly shape: pulumi.Output<JsonObject>;

  constructor(name: string, args: ResourceInputs<ManagedObjectInputs>, opts?: pulumi.CustomResourceOptions) {
    super(
      providerFor(applicationKind.name),
      name,
      { ...args, original: undefined },
      opts,
      "fusionauth",
      applicationKind.type,
    );
  }
}
