/**
 * The kit's Pulumi resources. Each is a dynamic resource over one trampoline provider (module-level, so Pulumi
 * serializes each provider once per run): the state holds the trampoline, about 1 KB, and the provider process
 * loads the implementation named here (see providers/trampoline.ts). The program itself never loads the
 * implementations.
 */
import * as pulumi from "@pulumi/pulumi";
import type { JsonObject } from "../fusionauth/managed-fields";
import type { ManagedObjectInputs } from "./providers/managed-object";
import { PACKAGE_NAME, packageTrampoline } from "./providers/package-trampoline";
import type { SigningKeyInputs } from "./providers/signing-key";
import { type ProviderName, trampoline } from "./providers/trampoline";

type ProviderSet = Record<ProviderName, pulumi.dynamic.ResourceProvider>;

/**
 * The three providers of a checkout's program, as serialized into the state (see providers/attach.js for their
 * implementations). Stacks made by the kit's own program hold exactly these: never change them.
 */
export const PROVIDERS: ProviderSet = {
  signingKey: trampoline("signingKey"),
  tenant: trampoline("tenant"),
  application: trampoline("application"),
};

/** The providers of a program that installed the package (see providers/package-trampoline.ts). */
export const PACKAGE_PROVIDERS: ProviderSet = {
  signingKey: packageTrampoline("signingKey"),
  tenant: packageTrampoline("tenant"),
  application: packageTrampoline("application"),
};

let active: ProviderSet = PROVIDERS;

/**
 * Makes the resources created from now on use the installed package's providers: the package's entry calls it
 * (packages/pulumi), the kit's own program never does.
 */
export function usePackageProviders(): void {
  active = PACKAGE_PROVIDERS;
}

/** Which providers the resources use: `checkout` or the {@link PACKAGE_NAME} package. */
export function activeProviders(): "checkout" | typeof PACKAGE_NAME {
  return active === PROVIDERS ? "checkout" : PACKAGE_NAME;
}

type Inputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

/** A signing key generated inside FusionAuth. */
export class SigningKey extends pulumi.dynamic.Resource {
  declare readonly keyId: pulumi.Output<string>;
  declare readonly kid: pulumi.Output<string>;
  declare readonly algorithm: pulumi.Output<string>;
  /** Creation time in FusionAuth, epoch ms. */
  declare readonly insertInstant: pulumi.Output<number>;

  constructor(name: string, args: Inputs<SigningKeyInputs>, opts?: pulumi.CustomResourceOptions) {
    super(
      active.signingKey,
      name,
      { ...args, kid: undefined, insertInstant: undefined },
      opts,
      "fusionauth",
      "SigningKey",
    );
  }
}

/** A tenant the kit creates or adopts. */
export class Tenant extends pulumi.dynamic.Resource {
  declare readonly objectId: pulumi.Output<string>;
  declare readonly shape: pulumi.Output<JsonObject>;

  constructor(name: string, args: Inputs<Omit<ManagedObjectInputs, "tenantId">>, opts?: pulumi.CustomResourceOptions) {
    super(active.tenant, name, { ...args, original: undefined }, opts, "fusionauth", "Tenant");
  }
}

/** An application (a public native OAuth client) the kit creates or adopts. */
export class Application extends pulumi.dynamic.Resource {
  declare readonly objectId: pulumi.Output<string>;
  declare readonly shape: pulumi.Output<JsonObject>;

  constructor(name: string, args: Inputs<ManagedObjectInputs>, opts?: pulumi.CustomResourceOptions) {
    super(active.application, name, { ...args, original: undefined }, opts, "fusionauth", "Application");
  }
}
