// @ts-check
/**
 * Writes a cache file so that no reader ever sees half of it: to a temporary name in the same folder (the
 * writer's pid in it, so two runs writing at once never share one), then renamed into place. The caches of the
 * toolchain (bundles and their manifests, V8's code cache, the compiled validators, the parsed and serialized
 * functions) all write this way; a failure is thrown for the caller to treat as "not cached". Plain JavaScript:
 * it runs before anything is compiled.
 */
const fs = require("node:fs");

/**
 * @param {string} file
 * @param {string | NodeJS.ArrayBufferView} data
 */
function writeAtomically(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

module.exports = { writeAtomically };
