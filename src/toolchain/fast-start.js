// @ts-check
/**
 * Starts the two Node.js processes of a `pulumi` run from one cached bundle each, instead of the SDK's module
 * graph. Preloaded (`node --require`) into the program's process (`@pulumi/pulumi/cmd/run`, through `nodeargs` in
 * Pulumi.yaml) and into the dynamic provider's (`@pulumi/pulumi/cmd/dynamic-provider`, through the shim of
 * scripts/ensure-pulumi). Loading `@pulumi/pulumi` read about 770 files, among them the npm client the SDK uses
 * to package a function's dependencies (arborist, pacote, sigstore) and the TypeScript compiler: about 0.6 s of
 * CPU in each process before it did anything. Here the same entry point runs from a bundle of it, the SDK and gRPC
 * (hosts/program.js, hosts/provider.js) that esbuild builds once into the checkout's cache and rebuilds when any of
 * its input files changes (precompiled.js), with those two packages loaded on first use (lazy/), through V8's code
 * cache (code-cache.js). The entry point's own file is then marked as loaded, so Node.js does not run it again.
 *
 * It changes nothing when it is not sure to run the same code: another entry point, an SDK other than the
 * checkout's (the program's `node_modules` elsewhere), tracing on (`TRACEPARENT`: the SDK instruments gRPC by
 * hooking `require`, which a bundle bypasses), `FAKIT_BUNDLED_SDK=0`, or a bundle that cannot be built. The
 * process then loads the SDK as installed, as without this file.
 */
const path = require("node:path");
const Module = /** @type {any} */ (require("node:module"));

const ROOT = path.resolve(__dirname, "..", "..");

/** The SDK's entry points, relative to its package folder, and the bundle that replaces each. */
const HOSTS = {
  [path.join("cmd", "run", "index.js")]: path.join(__dirname, "hosts", "program.js"),
  [path.join("cmd", "dynamic-provider", "index.js")]: path.join(__dirname, "hosts", "provider.js"),
};

/**
 * How the hosts are bundled: npm packages included, the three the SDK loads eagerly but a run rarely uses loaded
 * on first use instead.
 * @type {import("./precompiled").BundleKind}
 */
const HOST_BUNDLE = {
  packages: "bundle",
  alias: {
    typescript: path.join(__dirname, "lazy", "typescript.js"),
    "@npmcli/arborist": path.join(__dirname, "lazy", "arborist.js"),
    "@opentelemetry/instrumentation-grpc": path.join(__dirname, "lazy", "otel-grpc.js"),
  },
};

/**
 * The host bundle that stands in for the process's entry point `main`, or undefined when none does.
 * @param {string | undefined} main `process.argv[1]`
 * @returns {{ mainFile: string, host: string } | undefined}
 */
function hostFor(main) {
  if (main === undefined || process.env.FAKIT_BUNDLED_SDK === "0" || process.env.TRACEPARENT) return undefined;
  try {
    const mainFile = require.resolve(main);
    const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [ROOT] }));
    const host = HOSTS[path.relative(sdk, mainFile)];
    return host === undefined ? undefined : { mainFile, host };
  } catch {
    return undefined;
  }
}

/**
 * Runs the process's entry point from its bundle, if it has one.
 * @returns {"bundled" | "as installed"}
 */
function start() {
  const found = hostFor(process.argv[1]);
  if (found === undefined) return "as installed";
  /** @type {{ file: string, code?: string }} */
  let built;
  try {
    built = require("./precompiled").bundle(found.host, HOST_BUNDLE);
  } catch {
    // No esbuild, a broken install: the SDK as installed runs the same code, only slower.
    return "as installed";
  }
  // The SDK sets this V8 flag when it loads (to read function locations); V8 checks flags against the code cache,
  // so it is set before the bundle compiles, and the cache written matches the next run's.
  require("node:v8").setFlagsFromString("--allow-natives-syntax");
  const stub = new Module(found.mainFile, null);
  stub.filename = found.mainFile;
  stub.loaded = true;
  Module._cache[found.mainFile] = stub;
  require("./code-cache").requireWithCodeCache(built.file, { code: built.code });
  return "bundled";
}

start();
