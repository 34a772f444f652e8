/**
 * Trampoline providers (the awsx pattern). Pulumi serializes a dynamic provider's code into every resource's
 * state (`__provider`) and runs that copy for `read` and `delete`. A trampoline captures nothing but the path of
 * its implementation module and the export's name, and loads the module in the provider process: each
 * resource's state holds about 1 KB instead of the kit's code (24 KB), and a fix to a provider reaches every
 * existing stack on its next run.
 *
 * The engine's dynamic provider always calls `configure` before anything else, once per process, so
 * `configure` is where the implementation is loaded; it then puts the implementation's methods in place of the
 * placeholders. The path is relative to the Pulumi project and resolved at that time: from the provider
 * process's working directory (the engine starts it in the program's directory) up to the nearest `Pulumi.yaml`.
 * A stack thus keeps working when its checkout moves. The implementation is TypeScript, loaded from the same
 * cached bundle as the program (src/pulumi/precompiled.js): no compiler in the provider process either.
 *
 * Pulumi serializes what the methods capture, by value: `configure` captures two strings, the placeholder
 * nothing; comments inside them are serialized too, so they carry none. Keep it that way
 * (test/pulumi/trampoline.int.test.ts checks the size).
 */
import type * as pulumi from "@pulumi/pulumi";

type Methods = Required<Omit<pulumi.dynamic.ResourceProvider, "check">>;

/**
 * A provider that loads export `exportName` of `modulePath` (a `.ts` file relative to the Pulumi project root)
 * when the engine configures it, and from then on is that implementation (methods bound to it).
 */
export function trampoline(modulePath: string, exportName: string): Methods {
  // A placeholder the engine never calls: `configure` runs first and replaces it. One function for all five, so
  // Pulumi serializes it once.
  function placeholder(): never {
    throw new Error("a FusionAuth provider was called before configure");
  }
  return {
    async configure(req) {
      const path = require("node:path") as typeof import("node:path");
      const fs = require("node:fs") as typeof import("node:fs");
      let root = process.cwd();
      while (!fs.existsSync(path.join(root, "Pulumi.yaml")) && path.dirname(root) !== root) root = path.dirname(root);
      const file = path.join(root, modulePath);
      const impl: Methods = require(path.join(root, "src", "pulumi", "precompiled.js")).load(file)[exportName];
      for (const m of ["diff", "create", "read", "update", "delete"] as const) {
        (this as Record<string, unknown>)[m] = impl[m].bind(impl);
      }
      return impl.configure(req);
    },
    diff: placeholder,
    create: placeholder,
    read: placeholder,
    update: placeholder,
    delete: placeholder,
  };
}
