// @ts-check
/**
 * The provider-process half of a trampoline (trampoline.ts): loads the kit's resource kinds from the precompiled
 * bundle of kinds/registry.ts and puts the named kind's provider methods, bound to it, in place of the
 * trampoline's placeholders. Plain JavaScript: it runs in the provider process before anything is compiled, and
 * it is not serialized into the state, so the trampoline stays small and a change here reaches existing stacks.
 */
const path = require("node:path");
const { load } = require("../../toolchain/precompiled");

const METHODS = ["diff", "create", "read", "update", "delete"];

/** The registry of resource kinds, relative to the Pulumi project root: its `IMPLEMENTATIONS` by provider name. */
const REGISTRY = "src/pulumi/kinds/registry.ts";

/**
 * What the trampolines of earlier kit versions, still in older states, name (module path and export): the
 * provider each now is. Frozen: new kinds only ever use {@link attachProvider}.
 * @type {Record<string, string>}
 */
const EARLIER = {
  "src/pulumi/providers/signing-key.ts#signingKeyProvider": "signingKey",
  "src/pulumi/providers/managed-object.ts#tenantProvider": "tenant",
  "src/pulumi/providers/managed-object.ts#applicationProvider": "application",
};

/**
 * @param {Record<string, unknown>} trampoline the deserialized provider object the engine holds
 * @param {any} impl the implementation
 * @param {unknown} req the engine's configure request
 */
function bind(trampoline, impl, req) {
  for (const m of METHODS) trampoline[m] = impl[m].bind(impl);
  return impl.configure(req);
}

/**
 * What today's trampolines call.
 * @param {Record<string, unknown>} trampoline the deserialized provider object the engine holds
 * @param {string} root the Pulumi project directory
 * @param {string} name the provider's name (a kind's `name`)
 * @param {unknown} req the engine's configure request
 */
function attachProvider(trampoline, root, name, req) {
  const implementations = load(path.join(root, REGISTRY)).IMPLEMENTATIONS;
  if (!Object.hasOwn(implementations, name)) throw new Error(`no provider named ${name}`);
  return bind(trampoline, implementations[name], req);
}

/**
 * What the trampolines of earlier kit versions call, with the module path and export name of their day.
 * @param {Record<string, unknown>} trampoline the deserialized provider object the engine holds
 * @param {string} root the Pulumi project directory
 * @param {string} modulePath the implementation, relative to `root`
 * @param {string} exportName the export holding the provider object
 * @param {unknown} req the engine's configure request
 */
function attach(trampoline, root, modulePath, exportName, req) {
  const name = EARLIER[`${modulePath}#${exportName}`];
  if (name === undefined) throw new Error(`${modulePath} has no provider named ${exportName}`);
  return attachProvider(trampoline, root, name, req);
}

/**
 * Loads the resource kinds' bundle now, so that the engine's first `Check` does not wait for it. The provider's
 * host calls this as its process starts (src/toolchain/hosts/provider.js); a trampoline's `configure` then finds
 * the bundle loaded.
 * @param {string} root the Pulumi project directory
 */
function preloadKinds(root) {
  load(path.join(root, REGISTRY));
}

module.exports = { attach, attachProvider, preloadKinds, REGISTRY };
