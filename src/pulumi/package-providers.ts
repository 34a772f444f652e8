/**
 * The provider-process half of the package's trampolines (providers/package-trampoline.ts): puts the methods of
 * the named implementation, bound to it, in place of the trampoline's placeholders. The package exports it as
 * `fusionauth-offline-kit-pulumi/providers`.
 */
import type * as pulumi from "@pulumi/pulumi";
import { IMPLEMENTATIONS, type ProviderName } from "./kinds/registry";

const METHODS = ["diff", "create", "read", "update", "delete"] as const;

/** Called by a package trampoline's `configure` in the provider process. */
export function attachProvider(
  trampoline: Record<string, unknown>,
  name: ProviderName,
  req: pulumi.dynamic.ConfigureRequest,
): Promise<void> | void {
  const impl = Object.hasOwn(IMPLEMENTATIONS, name) ? IMPLEMENTATIONS[name] : undefined;
  if (impl === undefined) throw new Error(`no provider named ${name}`);
  for (const m of METHODS) {
    const method = impl[m] as ((...args: unknown[]) => unknown) | undefined;
    if (method !== undefined) trampoline[m] = method.bind(impl);
  }
  return impl.configure?.(req);
}
