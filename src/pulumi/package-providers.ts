/**
 * The provider-process half of the package's trampolines (providers/package-trampoline.ts): puts the methods of
 * the named implementation, bound to it, in place of the trampoline's placeholders. The package exports it as
 * `fusionauth-offline-kit-pulumi/providers`.
 */
import type * as pulumi from "@pulumi/pulumi";
import { applicationProvider, tenantProvider } from "./providers/managed-object";
import { signingKeyProvider } from "./providers/signing-key";
import type { ProviderName } from "./providers/trampoline";

const IMPLEMENTATIONS: Record<ProviderName, pulumi.dynamic.ResourceProvider> = {
  signingKey: signingKeyProvider,
  tenant: tenantProvider,
  application: applicationProvider,
};

const METHODS = ["diff", "create", "read", "update", "delete"] as const;

/** Called by a package trampoline's `configure` in the provider process. */
export function attachProvider(
  trampoline: Record<string, unknown>,
  name: ProviderName,
  req: pulumi.dynamic.ConfigureRequest,
): Promise<void> | void {
  const impl = IMPLEMENTATIONS[name];
  if (impl === undefined) throw new Error(`no provider named ${name}`);
  for (const m of METHODS) {
    const method = impl[m] as ((...args: unknown[]) => unknown) | undefined;
    if (method !== undefined) trampoline[m] = method.bind(impl);
  }
  return impl.configure?.(req);
}
