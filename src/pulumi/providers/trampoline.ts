/**
 * Trampoline providers (the awsx pattern). Pulumi serializes a dynamic provider's code into every resource's
 * state (`__provider`, in its inputs and its outputs) and runs that copy for `read` and `delete`. A trampoline
 * captures nothing but the path of its implementation module and the export's name: each resource's state
 * holds about 1 KB twice instead of the kit's code (24 KB twice), and a fix to a provider reaches every existing
 * stack on its next run.
 *
 * The engine's dynamic provider always calls `configure` before anything else, once per process, so
 * `configure` is where the implementation is loaded: it finds the Pulumi project from the provider process's
 * working directory (the engine starts it in the program's directory) up to the nearest `Pulumi.yaml`, and
 * hands over to attach.js there, which loads the implementation from the precompiled bundle and puts its
 * methods in place. A stack thus keeps working when its checkout moves.
 *
 * Pulumi serializes what `configure` captures, by value: three strings. Comments inside it would be serialized
 * too, so it carries none. test/pulumi/trampoline.int.test.ts checks the size.
 */
import type * as pulumi from "@pulumi/pulumi";

type Methods = Required<Omit<pulumi.dynamic.ResourceProvider, "check">>;

/** The provider-process half, relative to the Pulumi project root. */
const ATTACH = "src/pulumi/providers/attach.js";

/**
 * A provider that loads export `exportName` of `modulePath` (a `.ts` file relative to the Pulumi project root)
 * when the engine configures it, and from then on is that implementation (methods bound to it).
 */
export function trampoline(modulePath: string, exportName: string): Methods {
  // The other methods are this same function until attach.js replaces them: the engine always calls configure
  // first, and one function serializes once.
  async function configure(this: Record<string, unknown>, req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    const path = require("node:path") as typeof import("node:path");
    let root = process.cwd();
    while (!require("node:fs").existsSync(path.join(root, "Pulumi.yaml")) && path.dirname(root) !== root)
      root = path.dirname(root);
    return require(path.join(root, ATTACH)).attach(this, root, modulePath, exportName, req);
  }
  const placeholder = configure as unknown as () => never;
  return {
    configure,
    diff: placeholder,
    create: placeholder,
    read: placeholder,
    update: placeholder,
    delete: placeholder,
  };
}
