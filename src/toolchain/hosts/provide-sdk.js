// @ts-check
/**
 * Makes `require("@pulumi/pulumi")` anywhere in the process (the program's own bundle, a provider) return the copy
 * of the SDK bundled into this host, not a second copy loaded from node_modules: one SDK holds the process's
 * settings, its connection to the engine and its resource registrations. The entry in Node.js's module cache is
 * made at the path Node.js resolves the package to, and loads the bundled SDK on first use.
 *
 * The same for the SDK's own modules the kit imports by path (`@pulumi/pulumi/runtime/settings`, which the
 * tenant component imports): required from node_modules, that one module loaded about 150 files of the installed
 * SDK beside the bundled one (0.1-0.15 s of CPU).
 */
const path = require("node:path");
const Module = /** @type {any} */ (require("node:module"));

/**
 * @param {string} id what the kit requires
 * @param {() => unknown} bundled the bundled module (a `require` of a literal, which esbuild bundles)
 */
function provide(id, bundled) {
  const file = require.resolve(id);
  if (Module._cache[file] !== undefined) return;
  const m = new Module(file, null);
  m.filename = file;
  m.paths = Module._nodeModulePaths(path.dirname(file));
  m.loaded = true;
  /** @type {unknown} */
  let exports;
  Object.defineProperty(m, "exports", {
    get: () => {
      exports ??= bundled();
      return exports;
    },
  });
  Module._cache[file] = m;
}

function provideSdk() {
  provide("@pulumi/pulumi", () => require("@pulumi/pulumi"));
  provide("@pulumi/pulumi/runtime/settings", () => require("@pulumi/pulumi/runtime/settings"));
}

module.exports = { provideSdk };
