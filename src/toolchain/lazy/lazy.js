// @ts-check
/**
 * A module that is loaded on first use. The bundles of fast-start.js alias three packages the SDK loads at start-up to
 * these stand-ins: `typescript` (typescript.js; 9 MB, which the SDK needs only to serialize a function: once per
 * dynamic provider in the program's process, never in the provider's), `@npmcli/arborist` (arborist.js; with pacote,
 * sigstore and the npm registry client, needed only to package a function's dependencies, which the kit never does) and
 * `@opentelemetry/instrumentation-grpc` (otel-grpc.js; needed only by a program run with `pulumi --tracing`). The
 * stand-in is a proxy that loads the real package from node_modules on the first property read;
 * `typescript` through V8's code cache (code-cache.js), kept in the bundle's folder: 0.08 s of CPU instead of 0.23 s.
 */
const { requireWithCodeCache } = require("../code-cache");

/**
 * @param {string} id the package
 * @param {{ codeCache?: boolean }} [options] load its main file through V8's code cache
 * @returns {any}
 */
function lazy(id, options = {}) {
  /** @type {any} */
  let real;
  const load = () => {
    // A variable, not a literal: esbuild leaves these to Node.js, which finds the package in node_modules. The
    // bundle runs from the cache folder (`__dirname`), where the package's code cache goes too.
    real ??= options.codeCache
      ? requireWithCodeCache(require.resolve(id), { cacheDir: __dirname }).exports
      : require(id);
    return real;
  };
  return new Proxy(
    {},
    {
      // `__esModule` keeps TypeScript's `__importStar` from copying every export (loading the package) at once.
      get: (_, key) => (key === "__esModule" ? true : load()[key]),
      has: (_, key) => key in load(),
      ownKeys: () => Reflect.ownKeys(load()),
      getOwnPropertyDescriptor: (_, key) => {
        const d = Object.getOwnPropertyDescriptor(load(), key);
        return d === undefined ? undefined : { ...d, configurable: true };
      },
    },
  );
}

module.exports = { lazy };
