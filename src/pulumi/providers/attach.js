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
 * The kit's providers by the name today's trampolines carry: the implementation module (relative to the Pulumi
 * project root) and its export.
 */
const PROVIDERS = {
  signingKey: ["src/pulumi/providers/signing-key.ts", "signingKeyProvider"],
  tenant: ["src/pulumi/providers/managed-object.ts", "tenantProvider"],
  application: ["src/pulumi/providers/managed-object.ts", "applicationProvider"],
};

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

/**
 * What today's trampolines call.
 * @param {Record<string, unknown>} trampoline the deserialized provider object the engine holds
 * @param {string} root the Pulumi project directory
 * @param {keyof typeof PROVIDERS} name the provider's name
 * @param {unknown} req the engine's configure request
 */
function attachProvider(trampoline, root, name, req) {
  const entry = PROVIDERS[name];
  if (entry === undefined) throw new Error(`no provider named ${name}`);
  return attach(trampoline, root, entry[0], entry[1], req);
}

// `attach` is what the trampolines of earlier kit versions, still in older states, call with a module path and
// an export name: keep it, and keep those paths working.
module.exports = { attach, attachProvider, PROVIDERS };
