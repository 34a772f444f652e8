// @ts-check
/**
 * Runs a TypeScript entry of the kit from a CommonJS bundle that esbuild compiles once and that is reused while
 * none of its inputs changed. Both the Pulumi program (src/pulumi/main.js, the providers' attach.js) and the
 * `fakit` CLI (bin/fakit.js) start this way. Compiling at every run cost the program about 2 s of CPU with
 * ts-node (0.7 s with type checks off), and the CLI 0.1-0.2 s with tsx (loading it, starting esbuild's service,
 * transpiling each module); a bundle loads in the time Node.js reads one file. Types are checked by
 * `npm run typecheck`, as for the rest of the code.
 *
 * The cache is `node_modules/.cache/fusionauth-offline-kit` of the checkout. Per entry (named after its absolute
 * path) a manifest lists the inputs (path, size, mtime) and names the bundle, whose file name carries a hash of
 * its content. A run stats the inputs and rebuilds when any differs, so an edited preset schema, provider or
 * command never runs stale. Two runs at once with a stale cache both build; each file is written to a temporary
 * name and renamed, and a manifest only ever names a complete bundle built from the inputs it lists, so no run
 * reads half a bundle or another build's bundle. When the cache cannot be written, the bundle runs from memory.
 * Bundles load through V8's code cache (code-cache.js), which skips most of their compile.
 * A build that fails (a syntax error) throws a PrecompileError naming each error's file, line and column; the
 * stale bundle is never run. Plain JavaScript on purpose: it is what runs before anything is compiled.
 */
const fs = require("node:fs");
const path = require("node:path");
const { writeAtomically } = require("./write-atomically");

const ROOT = path.resolve(__dirname, "..", "..");
const CACHE = path.join(ROOT, "node_modules", ".cache", "fusionauth-offline-kit");
/** Superseded bundles older than this are removed; younger ones may still be about to be read by a run. */
const PRUNE_AFTER_MS = 10 * 60_000;

/**
 * A build of an entry failed; `message` lists esbuild's errors as `file:line:col: text`, one a line. Its `code`
 * is in the kit's list (docs/errors.md), but it cannot extend `KitError`: it is thrown before any TypeScript of
 * the kit is compiled, so bin/fakit.js reports it itself (exit 70).
 */
class PrecompileError extends Error {
  code = "KIT_SOURCE_COMPILE_FAILED";

  /**
   * @param {string} entry
   * @param {{ text: string, location: { file: string, line: number, column: number } | null }[]} errors
   */
  constructor(entry, errors) {
    const lines = errors.map((e) =>
      e.location === null ? e.text : `${e.location.file}:${e.location.line}:${e.location.column + 1}: ${e.text}`,
    );
    super(`cannot compile ${path.relative(ROOT, entry)}:\n${lines.join("\n")}`);
    this.name = "PrecompileError";
  }
}

/** @param {string} file */
function stamp(file) {
  const s = fs.statSync(file);
  return `${s.size}:${s.mtimeMs}`;
}

const esbuildVersion = () => require("esbuild/package.json").version;

/**
 * esbuild options a bundle is built with beyond the defaults below; part of what a manifest must match.
 * @typedef {{ packages?: "external" | "bundle", alias?: Record<string, string>, external?: string[] }} BundleKind
 */

/** @param {BundleKind} kind */
const kindKey = (kind) => (Object.keys(kind).length === 0 ? "" : JSON.stringify(kind));

/**
 * The bundle file the manifest names when the manifest still matches every input and the bundle is there, else
 * undefined.
 * @param {string} manifestFile
 * @param {BundleKind} kind
 * @returns {string | undefined}
 */
function freshBundle(manifestFile, kind) {
  try {
    /** @type {{ esbuild: string, kind?: string, bundle: string, inputs: Record<string, string> }} */
    const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
    if (manifest.esbuild !== esbuildVersion() || typeof manifest.bundle !== "string") return undefined;
    if ((manifest.kind ?? "") !== kindKey(kind)) return undefined;
    if (!Object.entries(manifest.inputs).every(([file, s]) => stamp(file) === s)) return undefined;
    const bundle = path.join(CACHE, manifest.bundle);
    return fs.existsSync(bundle) ? bundle : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Compiles `entry` (a file under the checkout) into one CommonJS file, writes it and its manifest, and returns the
 * bundle's path (and its code when it could not be written). By default npm packages are left as `require`s;
 * `kind` can bundle them too (src/toolchain/fast-start.js).
 * @param {string} entry
 * @param {string} name the entry's name in the cache
 * @param {string} manifestFile
 * @param {BundleKind} kind
 * @returns {{ file: string, code?: string }}
 */
function build(entry, name, manifestFile, kind) {
  const esbuild = require("esbuild");
  const started = Date.now();
  /** @type {import("esbuild").BuildResult<{ write: false, metafile: true }>} */
  let result;
  try {
    result = esbuild.buildSync({
      entryPoints: [entry],
      absWorkingDir: ROOT,
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node20",
      packages: "external",
      ...kind,
      write: false,
      metafile: true,
      logLevel: "silent",
    });
  } catch (err) {
    const errors = /** @type {{ errors?: ConstructorParameters<typeof PrecompileError>[1] }} */ (err).errors;
    if (errors === undefined || errors.length === 0) throw err;
    throw new PrecompileError(entry, errors);
  }
  const finished = Date.now();
  const code = result.outputFiles[0]?.text ?? "";
  const hash = require("node:crypto").createHash("sha256").update(code).digest("hex").slice(0, 16);
  const bundleName = `${name}.${hash}.js`;
  const bundleFile = path.join(CACHE, bundleName);
  /** @type {Record<string, string>} */
  const inputs = {};
  let editedDuringBuild = false;
  for (const f of Object.keys(result.metafile.inputs)) {
    const abs = path.resolve(ROOT, f);
    const s = fs.statSync(abs);
    // Saved while esbuild ran: the bundle may hold the old text under the new stamp, so it is not recorded as
    // fresh and the next run builds again.
    if (s.mtimeMs >= started && s.mtimeMs <= finished) editedDuringBuild = true;
    inputs[abs] = `${s.size}:${s.mtimeMs}`;
  }
  try {
    fs.mkdirSync(CACHE, { recursive: true });
    writeAtomically(bundleFile, code);
  } catch {
    // A checkout the user cannot write to (an install owned by root, a read-only file system): run the bundle
    // without caching it, compiled again at the next run.
    return { code, file: bundleFile };
  }
  try {
    if (!editedDuringBuild)
      writeAtomically(
        manifestFile,
        JSON.stringify({ esbuild: esbuildVersion(), kind: kindKey(kind), bundle: bundleName, inputs }),
      );
    pruneSuperseded(name, bundleName);
  } catch {
    // The bundle is written and runs; without its manifest the next run builds again.
  }
  return { file: bundleFile };
}

/**
 * Removes this entry's older bundles once no run can still be about to load them.
 * @param {string} name
 * @param {string} keep
 */
function pruneSuperseded(name, keep) {
  for (const f of fs.readdirSync(CACHE)) {
    // Bundles, their code caches (code-cache.js), and the temporary files of runs that were killed while writing.
    if (f === keep || (f.startsWith(keep) && f.endsWith(".v8cache"))) continue;
    if (!f.startsWith(`${name}.`) || !/\.(js|tmp|v8cache)$/.test(f)) continue;
    const file = path.join(CACHE, f);
    try {
      if (Date.now() - fs.statSync(file).mtimeMs > PRUNE_AFTER_MS) fs.rmSync(file, { force: true });
    } catch {
      // Another run pruned it first.
    }
  }
}

/**
 * The exports of `entry`, from its bundle (compiled first when missing or stale).
 * @param {string} entry absolute path of a `.ts` file of the checkout
 * @returns {any}
 * @throws {PrecompileError} when the entry or a module it imports does not compile
 */
function load(entry) {
  // npm packages stay outside the bundle, loaded by Node.js as modules: the SDK serializes a dynamic provider's
  // closure by value except for what it finds in Node.js's module cache, which it names by `require`; bundled,
  // the FusionAuth client a provider captures would be serialized whole (and fail on its native functions).
  const built = bundle(entry);
  return require("./code-cache").requireWithCodeCache(built.file, { code: built.code }).exports;
}

/**
 * The bundle of `entry`, fresh: its file, and its code when it could not be written to the cache.
 * @param {string} entry absolute path of a file of the checkout
 * @param {BundleKind} [kind] esbuild options beyond the defaults (bundled packages, aliases)
 * @returns {{ file: string, code?: string }}
 * @throws {PrecompileError} when the entry or a module it imports does not compile
 */
function bundle(entry, kind = {}) {
  // Keyed by the entry's absolute path: checkouts (or copies of src/) sharing a node_modules never share a bundle.
  const hash = require("node:crypto").createHash("sha256").update(entry).digest("hex").slice(0, 16);
  const name = `${path.basename(entry, path.extname(entry))}-${hash}`;
  const manifestFile = path.join(CACHE, `${name}.json`);
  const cached = freshBundle(manifestFile, kind);
  return cached !== undefined ? { file: cached } : build(entry, name, manifestFile, kind);
}

module.exports = { load, bundle, PrecompileError };
