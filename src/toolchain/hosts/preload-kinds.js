// @ts-check
/**
 * Loads the kit's resource kinds into the dynamic provider's process before it serves the engine. A trampoline
 * provider (src/pulumi/providers/trampoline.ts) loads them at its `configure`, which the dynamic provider calls
 * at the engine's first `Check`: the engine and the program then waited for that load on every run. The project is
 * found as the trampoline finds it, from the process's working directory up to the nearest Pulumi.yaml, and its
 * own providers/attach.js does the loading, so both load the same bundle once.
 */
const fs = require("node:fs");
const path = require("node:path");

/**
 * attach.js of the Pulumi project holding `cwd`, or undefined outside a kit project. The walk is findKitRoot's
 * (src/toolchain/kit-root.ts), written again because the hosts are plain JavaScript that must bundle without any
 * TypeScript (test/toolchain/fast-start.int.test.ts starts them from a copy holding only the .js files).
 */
function attachModuleOf(cwd) {
  let root = cwd;
  while (!fs.existsSync(path.join(root, "Pulumi.yaml")) && path.dirname(root) !== root) root = path.dirname(root);
  const attach = path.join(root, "src", "pulumi", "providers", "attach.js");
  return fs.existsSync(attach) ? { root, attach } : undefined;
}

/**
 * @param {string} cwd the process's working directory, where the engine starts the provider
 */
function preloadKinds(cwd) {
  const found = attachModuleOf(cwd);
  if (found === undefined) return;
  try {
    require(found.attach).preloadKinds(found.root);
  } catch {
    // The first `Check` loads the kinds again and reports what is wrong, as without this.
  }
}

module.exports = { preloadKinds };
