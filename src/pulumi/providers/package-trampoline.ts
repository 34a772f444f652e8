/**
 * The trampolines of the installed package (`fusionauth-offline-kit-pulumi`, packages/pulumi): the same idea as
 * trampoline.ts, but a program that installed the package has no `src/pulumi/providers/attach.js` of a checkout.
 * The provider process starts in the program's directory, so `configure` resolves the package from there and
 * hands over to its compiled providers (package-providers.ts). Serialized by value: it carries no comments.
 */
import type * as pulumi from "@pulumi/pulumi";

/** The name the package is published under (packages/pulumi/package.json). */
export const PACKAGE_NAME = "fusionauth-offline-kit-pulumi";

/** A provider that becomes the installed package's implementation `name` when the engine configures it. */
export function packageTrampoline(name: string): pulumi.dynamic.ResourceProvider {
  async function configure(this: object, req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    const { createRequire } = require("node:module") as typeof import("node:module");
    const from = createRequire(require("node:path").join(process.cwd(), "program.js"));
    return from("fusionauth-offline-kit-pulumi/providers").attachProvider(this, name, req);
  }
  return { configure } as unknown as pulumi.dynamic.ResourceProvider;
}
