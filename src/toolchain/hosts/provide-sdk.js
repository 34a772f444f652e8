// @ts-check
/**
 * Makes `require("@pulumi/pulumi")` anywhere in the process (the program's own bundle, a provider) return the copy
 * of the SDK bundled into this host, not a second copy loaded from node_modules: one SDK holds the process's
 * settings, its connection to the engine and its resource registrations. The entry in Node.js's module cache is
 * made at the path Node.js resolves the package to, and loads the bundled SDK on first use.
 */
const path = require("node:path");
const Module = /** @type {any} */ (require("node:module"));

function provideSdk() {
  const file = require.resolve("@pulumi/pulumi");
  if (Module._cache[file] !== undefined) return;
  const m = new Module(file, null);
  m.filename = file;
  m.paths = Module._nodeModulePaths(path.dirname(file));
  m.loaded = true;
  /** @type {unknown} */
  let sdk;
  Object.defineProperty(m, "exports", {
    get: () => {
      sdk ??= require("@pulumi/pulumi");
      return sdk;
    },
  });
  Module._cache[file] = m;
}

module.exports = { provideSdk };
