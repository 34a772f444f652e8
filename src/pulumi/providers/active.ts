/**
 * Which providers the kit's resources use: the checkout's trampolines (the kit's own program) or the installed
 * package's (packages/pulumi). One trampoline per provider name and run, so Pulumi serializes each once.
 */
import type * as pulumi from "@pulumi/pulumi";
import { PACKAGE_NAME, packageTrampoline } from "./package-trampoline";
import { describeProvider } from "./serializable";
import { trampoline } from "./trampoline";

let mode: "checkout" | typeof PACKAGE_NAME = "checkout";
const made = new Map<string, pulumi.dynamic.ResourceProvider>();

/**
 * Makes the resources created from now on use the installed package's providers: the package's entry calls it
 * (packages/pulumi), the kit's own program never does.
 */
export function usePackageProviders(): void {
  mode = PACKAGE_NAME;
  made.clear();
}

/** Which providers the resources use: `checkout` or the {@link PACKAGE_NAME} package. */
export function activeProviders(): "checkout" | typeof PACKAGE_NAME {
  return mode;
}

/** The provider named `name` (a resource kind's `name`, see kinds/registry.ts) of the active set. */
export function providerFor(name: string): pulumi.dynamic.ResourceProvider {
  let provider = made.get(name);
  if (provider === undefined) {
    provider = mode === "checkout" ? trampoline(name) : packageTrampoline(name);
    // All its functions capture: the name, and the set it belongs to. The program's host then keeps its
    // serialized text between runs (src/toolchain/hosts/serialized-providers.js).
    describeProvider(provider, { mode, name });
    made.set(name, provider);
  }
  return provider;
}
