// @ts-check
/**
 * Runs a CommonJS bundle through V8's code cache: the first run compiles it as `require` would and saves V8's
 * compiled code beside it (`<bundle>.<hash>.<node version>-<arch>.v8cache`); later runs hand that to V8, which then skips
 * parsing and compiling what the cache holds. Node.js 22 does this itself (`module.enableCompileCache`); Node.js 20,
 * which the kit supports, only through `vm.Script`'s `cachedData`, used here.
 *
 * V8 checks a cache against the source, its own version and its flags and rejects one that does not match; the
 * code then compiles as without a cache, and a new cache is written. A cache that cannot be read or written is no
 * cache: the bundle runs all the same. The cache is written once, right after the bundle's top level ran, so it
 * holds the functions that start-up compiled; the file name carries the Node.js version so that two versions
 * sharing a checkout do not overwrite each other's.
 */
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const { writeAtomically } = require("./write-atomically");
const Module = /** @type {any} */ (require("node:module"));

/**
 * Where the code cache of `source`, run as `file`, goes: beside it, or in `dir` (for a file of node_modules).
 * V8 checks only the length of the source against a cache, so the name carries a hash of the source (about 5 ms
 * for the SDK's bundle): a file rewritten in place never runs another's code.
 * @param {string} file
 * @param {Buffer | string} source
 * @param {string} [dir]
 */
function cacheFileOf(file, source, dir) {
  const hash = require("node:crypto").createHash("sha1").update(source).digest("hex").slice(0, 16);
  const base = dir === undefined ? file : path.join(dir, `module-${path.basename(file)}`);
  return `${base}.${hash}.${process.version}-${process.arch}.v8cache`;
}

/**
 * Loads `file` (or `code` under its name, when it could not be written) as a CommonJS module, with V8's code cache.
 * @param {string} file absolute path of the module
 * @param {{ code?: string, cacheDir?: string }} [options] its text, when it is not on disk; where its cache goes,
 *   when not beside it
 * @returns {{ exports: any, cache: "used" | "written" | "rejected" | "none" }} the module's exports and what
 *   happened to the code cache (for the tests and the bench)
 */
function requireWithCodeCache(file, options = {}) {
  const { code, cacheDir } = options;
  // Loaded before in this process (two providers from one bundle): the same module, as `require` gives.
  const loaded = Module._cache[file];
  if (loaded !== undefined) return { exports: loaded.exports, cache: "none" };
  const bytes = code === undefined ? fs.readFileSync(file) : undefined;
  const source = code ?? String(bytes);
  // FAKIT_CODE_CACHE=0 compiles without the cache (to measure what it saves).
  const off = process.env.FAKIT_CODE_CACHE === "0";
  const cacheFile = bytes === undefined || off ? undefined : cacheFileOf(file, bytes, cacheDir);
  /** @type {Buffer | undefined} */
  let cachedData;
  if (cacheFile !== undefined) {
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      // None yet.
    }
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const m = new Module(file, module);
  m.filename = file;
  m.paths = Module._nodeModulePaths(path.dirname(file));
  Module._cache[file] = m;
  try {
    script.runInThisContext().call(m.exports, m.exports, Module.createRequire(file), m, file, path.dirname(file));
  } catch (err) {
    delete Module._cache[file];
    throw err;
  }
  m.loaded = true;
  if (cachedData !== undefined && !script.cachedDataRejected) return { exports: m.exports, cache: "used" };
  if (cacheFile === undefined) return { exports: m.exports, cache: "none" };
  try {
    writeAtomically(cacheFile, script.createCachedData());
  } catch {
    // A cache folder that cannot be written: the next run compiles again.
    return { exports: m.exports, cache: "none" };
  }
  return { exports: m.exports, cache: cachedData === undefined ? "written" : "rejected" };
}

module.exports = { requireWithCodeCache, cacheFileOf };
