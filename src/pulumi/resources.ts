/**
 * The kit's Pulumi resources. Each is a dynamic resource over one trampoline provider (module-level, so Pulumi
 * serializes each provider once per run): the state holds the trampoline, about 1 KB, and the provider process
 * loads the implementation its kind declares (see providers/trampoline.ts and kinds/registry.ts).
 */
import type * as pulumi from "@pulumi/pulumi";
import { KINDS, type ProviderName } from "./kinds/registry";
import { packageTrampoline } from "./providers/package-trampoline";
import { trampoline } from "./providers/trampoline";

export { Application } from "./kinds/application";
export { SigningKey } from "./kinds/signing-key";
export { Tenant } from "./kinds/tenant";
export { activeProviders, usePackageProviders } from "./providers/active";

type ProviderSet = Record<ProviderName, pulumi.dynamic.ResourceProvider>;

/**
 * The providers of a checkout's program, one per kind, as serialized into the state (see providers/attach.js for
 * their implementations). Stacks made by the kit's own program hold exactly these: never rename a kind.
 */
export const PROVIDERS = Object.fromEntries(KINDS.map((k) => [k.name, trampoline(k.name)])) as ProviderSet;

/** The providers of a program that installed the package (see providers/package-trampoline.ts). */
export const PACKAGE_PROVIDERS = Object.fromEntries(
  KINDS.map((k) => [k.name, packageTrampoline(k.name)]),
) as ProviderSet;
