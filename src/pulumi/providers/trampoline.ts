/**
 * Trampoline providers (the awsx pattern). Pulumi serializes a dynamic provider's code into every resource's
 * state (`__provider`, in its inputs and its outputs) and runs that copy for `read` and `delete`. A trampoline
 * captures nothing but its provider's name: each resource's state holds a few hundred bytes twice instead of the
 * kit's code (24 KB twice), and a fix to a provider reaches every existing stack on its next run.
 *
 * The engine's dynamic provider deserializes a provider and calls its `configure` before it calls anything else
 * on it (`getProvider` in @pulumi/pulumi's dynamic-provider host), once per process, so the trampoline is only
 * `configure`: it finds the Pulumi project from the provider process's working directory (the engine starts it
 * in the program's directory) up to the nearest `Pulumi.yaml`, and hands over to attach.js there, which loads
 * the implementation from the precompiled bundle and puts its methods on the provider object. A stack thus keeps
 * working when its checkout moves.
 *
 * Pulumi serializes what `configure` captures, by value: one string. Comments inside it would be serialized
 * too, so it carries none. test/pulumi/trampoline.int.test.ts checks the size.
 */
import type * as pulumi from "@pulumi/pulumi";

/**
 * A provider that becomes the implementation of the resource kind named `name` (kinds/registry.ts) when the
 * engine configures it.
 */
export function trampoline(name: string): pulumi.dynamic.ResourceProvider {
  async function configure(this: object, req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    const { dirname, join } = require("node:path") as typeof import("node:path");
    let root = process.cwd();
    while (!require("node:fs").existsSync(join(root, "Pulumi.yaml")) && dirname(root) !== root) root = dirname(root);
    return require(join(root, "src/pulumi/providers/attach.js")).attachProvider(this, root, name, req);
  }
  // `create` and the others are put in place by attach.js during `configure`, which the host always calls first.
  return { configure } as unknown as pulumi.dynamic.ResourceProvider;
}
