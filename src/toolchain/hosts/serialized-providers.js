// @ts-check
/**
 * Keeps the serialized text of the kit's trampoline providers between runs, and opens the SDK's inspector session
 * only when something is still serialized. To register a dynamic resource, `@pulumi/pulumi` serializes its
 * provider (`() => provider`, by the closure serializer of `runtime/closure/serializeClosure`): it reads the
 * variables each function captures through an inspector session that `cmd/run` opens at start (`Debugger.enable`,
 * one event per script loaded), then walks Node.js's global objects. That cost the program's process about 0.1 s
 * of CPU before its first registration at every run, for the three or four trampolines (src/pulumi/providers/),
 * whose text never changes: each captures nothing but its provider's name.
 *
 * The kit says what a trampoline captures when it makes one (src/pulumi/providers/serializable.ts puts the
 * provider in a process-wide registry with that description, under the same symbol as here). The serialized text is then a function of the
 * description, the text of the provider's functions, the arguments and the SDK's and Node.js's versions (the last
 * decides which names are Node.js globals), so it is kept in a file named by a hash of all of them, in the folder
 * of the bundle that runs this (the checkout's cache, see src/toolchain/precompiled.js). Any other function, and
 * a provider the kit did not describe, is serialized by the SDK as before. A file that cannot be read or written
 * is no cache.
 */
const fs = require("node:fs");
const path = require("node:path");
const crypto = require("node:crypto");
const { writeAtomically } = require("../write-atomically");

/** Bumped when the file's layout changes. */
const FORMAT = "serialized-provider-1";

/** Where the kit describes its trampolines: provider object to what its functions capture (a string). */
const REGISTRY = Symbol.for("fusionauth-offline-kit.serializable-providers");

/** The SDK's text of the function it serializes for a dynamic provider (`pulumi.dynamic.Resource`). */
const PROVIDER_THUNK = "() => provider";

/** @typedef {{ text: string, exportName: string, containsSecrets: boolean }} SerializedFunction */
/** @typedef {(func: Function, args?: Record<string, unknown>) => Promise<SerializedFunction>} Serialize */

/**
 * The description the kit registered for the provider `func` returns, or undefined for any other function.
 * @param {Function} func
 * @returns {{ provider: Record<string, unknown>, captured: string } | undefined}
 */
function describedProvider(func) {
  /** @type {WeakMap<object, string> | undefined} */
  const registry = /** @type {any} */ (globalThis)[REGISTRY];
  // Only the SDK's own thunk is called here: it returns the provider and does nothing else.
  if (registry === undefined || String(func) !== PROVIDER_THUNK) return undefined;
  const provider = func();
  if (typeof provider !== "object" || provider === null) return undefined;
  const captured = registry.get(provider);
  return captured === undefined ? undefined : { provider, captured };
}

/**
 * @param {{ provider: Record<string, unknown>, captured: string }} described
 * @param {Record<string, unknown>} args
 * @param {string} versions
 */
function keyOf(described, args, versions) {
  const functions = Object.entries(described.provider)
    .filter(([, v]) => typeof v === "function")
    .map(([k, v]) => `${k}=${String(v)}`);
  const parts = [FORMAT, versions, described.captured, JSON.stringify(args), ...functions];
  return crypto.createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, 32);
}

/**
 * Replaces `serializeClosure.serializeFunction` (the SDK's module, as bundled in this process) with one that
 * reuses the text of a described provider serialized at an earlier run, and `v8Hooks.isInitializedAsync` with one
 * that leaves the inspector session to its first use.
 * @param {{ serializeFunction: Serialize }} serializeClosure
 * @param {{ isInitializedAsync: () => Promise<void> }} v8Hooks
 * @param {string} dir
 * @param {() => string} versionsOf what besides the provider decides the text (SDK, Node.js), read once
 */
function keepSerializedProviders(serializeClosure, v8Hooks, dir, versionsOf) {
  const serialize = serializeClosure.serializeFunction;
  /** @type {string | undefined} */
  let versions;
  serializeClosure.serializeFunction = async (func, args = {}) => {
    const described = describedProvider(func);
    if (described === undefined) return serialize(func, args);
    versions ??= versionsOf();
    const file = path.join(dir, `serialized-provider-${keyOf(described, args, versions)}.json`);
    try {
      const kept = JSON.parse(fs.readFileSync(file, "utf8"));
      if (typeof kept.text === "string" && typeof kept.exportName === "string" && kept.containsSecrets === false)
        return kept;
    } catch {
      // Not serialized yet (or a file from elsewhere): serialize it.
    }
    const serialized = await serialize(func, args);
    if (!serialized.containsSecrets) {
      try {
        writeAtomically(file, JSON.stringify(serialized));
      } catch {
        // A cache folder that cannot be written: serialized again next time.
      }
    }
    return serialized;
  };
  // `cmd/run` opens the session before it runs the program; the closure serializer opens it on first use anyway
  // (V8 reports every script already loaded when the debugger is enabled, so the script map is the same).
  v8Hooks.isInitializedAsync = async () => undefined;
}

module.exports = { keepSerializedProviders, REGISTRY, PROVIDER_THUNK };
