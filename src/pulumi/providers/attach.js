// @ts-check
/**
 * The provider-process half of a trampoline (trampoline.ts): loads the implementation from the precompiled
 * bundle and puts its methods, bound to it, in place of the trampoline's placeholders. Plain JavaScript: it runs
 * in the provider process before anything is compiled, and it is not serialized into the state, so the
 * trampoline stays small and a change here reaches existing stacks.
 */
const path = require("node:path");
const { load } = require("../../toolchain/precompiled");

const METHODS = ["diff", "create", "read", "update", "delete"];

/**
 * @param {Record<string, unknown>} trampoline the deserialized provider object the engine holds
 * @param {string} root the Pulumi project directory
 * @param {string} modulePath the implementation, relative to `root`
 * @param {string} exportName the export holding the provider object
 * @param {unknown} req the engine's configure request
 */
function attach(trampoline, root, modulePath, exportName, req) {
  const impl = load(path.join(root, modulePath))[exportName];
  if (impl === undefined) throw new Error(`${modulePath} has no provider named ${exportName}`);
  for (const m of METHODS) trampoline[m] = impl[m].bind(impl);
  return impl.configure(req);
}

module.exports = { attach };
