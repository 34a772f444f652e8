// @ts-check
/**
 * Runs a TypeScript entry of the kit from a CommonJS bundle that esbuild compiles once and that is reused while
 * none of its inputs changed. Pulumi used to compile the program with ts-node at every run, type checks
 * included: about 2 s of CPU before the first resource, and still 0.7 s with type checks off (loading the
 * TypeScript compiler, transpiling 30 files). A bundle loads in the time Node.js reads one file. Types are
 * checked by `npm run typecheck`, as for the rest of the code.
 *
 * The bundle and a manifest of its inputs (path, size, mtime) live in `node_modules/.cache/fusionauth-offline-kit`
 * of the checkout, named after the entry's absolute path. A run stats the inputs (about 30 files) and rebuilds when any differs, so an edited preset
 * schema or provider never runs stale. Both files are written to a temporary name and renamed, so two runs at
 * once never read half a bundle. Plain JavaScript on purpose: it is what runs before anything is compiled.
 */
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..", "..");
const CACHE = path.join(ROOT, "node_modules", ".cache", "fusionauth-offline-kit");

/**
 * @param {string} file
 * @param {string} text
 */
function writeAtomically(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** @param {string} file */
function stamp(file) {
  const s = fs.statSync(file);
  return `${s.size}:${s.mtimeMs}`;
}

/**
 * The bundle of `entry` when its manifest still matches every input, else undefined.
 * @param {string} manifestFile
 * @returns {boolean}
 */
function fresh(manifestFile) {
  try {
    /** @type {{ esbuild: string, inputs: Record<string, string> }} */
    const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
    if (manifest.esbuild !== require("esbuild/package.json").version) return false;
    return Object.entries(manifest.inputs).every(([file, s]) => stamp(file) === s);
  } catch {
    return false;
  }
}

/**
 * Compiles `entry` (a `.ts` file under the checkout) into one CommonJS file, npm packages left as `require`s.
 * @param {string} entry
 * @param {string} bundleFile
 * @param {string} manifestFile
 */
function build(entry, bundleFile, manifestFile) {
  const esbuild = require("esbuild");
  const result = esbuild.buildSync({
    entryPoints: [entry],
    absWorkingDir: ROOT,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    packages: "external",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const code = result.outputFiles[0]?.text ?? "";
  const inputs = Object.fromEntries(
    Object.keys(result.metafile.inputs).map((f) => {
      const abs = path.resolve(ROOT, f);
      return [abs, stamp(abs)];
    }),
  );
  fs.mkdirSync(CACHE, { recursive: true });
  writeAtomically(bundleFile, code);
  writeAtomically(manifestFile, JSON.stringify({ esbuild: require("esbuild/package.json").version, inputs }));
}

/**
 * The exports of `entry`, from its bundle (compiled first when missing or stale).
 * @param {string} entry absolute path of a `.ts` file of the checkout
 * @returns {any}
 */
function load(entry) {
  // Keyed by the entry's absolute path: checkouts (or copies of src/) sharing a node_modules never share a bundle.
  const hash = require("node:crypto").createHash("sha256").update(entry).digest("hex").slice(0, 16);
  const name = `${path.basename(entry, ".ts")}-${hash}`;
  const bundleFile = path.join(CACHE, `${name}.js`);
  const manifestFile = path.join(CACHE, `${name}.json`);
  if (!fresh(manifestFile) || !fs.existsSync(bundleFile)) build(entry, bundleFile, manifestFile);
  return require(bundleFile);
}

module.exports = { load };
