// Builds the installable verifier into dist/ (npm run build:verifier, or `node build.mjs [outDir]`):
// - dist/esm: ES modules (index, internal, pure-js), shared chunks, for bundlers and Node's import;
// - dist/cjs: CommonJS (index, internal), for Node's require;
// - dist/native: the React Native build (the `react-native` export condition), whose crypto falls back to the
//   pure-JS backend where the engine has no WebCrypto (Hermes);
// - dist/types: declarations (tsc).
// Dependencies stay imports (an app shares its own copies); nothing of Node is used.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const esbuild = require("esbuild");
const out = path.resolve(process.argv[2] ?? path.join(here, "dist"));
const src = (f) => path.join(here, "src", f);

rmSync(out, { recursive: true, force: true });
const common = { bundle: true, packages: "external", target: "es2020", platform: "neutral", logLevel: "warning" };
await esbuild.build({
  ...common,
  entryPoints: [src("index.ts"), src("internal.ts"), src("pure-js.ts")],
  format: "esm",
  splitting: true,
  outdir: path.join(out, "esm"),
});
await esbuild.build({
  ...common,
  entryPoints: [src("index.ts"), src("internal.ts")],
  format: "cjs",
  outdir: path.join(out, "cjs"),
});
/** Swaps ./crypto/fallback for ./crypto/fallback.native (the pure-JS backend) in the React Native build. */
const nativeFallback = {
  name: "native-fallback",
  setup(build) {
    build.onResolve({ filter: /\/fallback$/ }, (args) => ({ path: path.join(args.resolveDir, "fallback.native.ts") }));
  },
};
await esbuild.build({
  ...common,
  entryPoints: [src("index.ts"), src("internal.ts")],
  format: "esm",
  splitting: true,
  outdir: path.join(out, "native"),
  plugins: [nativeFallback],
});
writeFileSync(path.join(out, "esm/package.json"), '{"type":"module"}\n');
writeFileSync(path.join(out, "native/package.json"), '{"type":"module"}\n');
writeFileSync(path.join(out, "cjs/package.json"), '{"type":"commonjs"}\n');
mkdirSync(path.join(out, "types"), { recursive: true });
execFileSync(
  process.execPath,
  [require.resolve("typescript/bin/tsc"), "-p", path.join(here, "tsconfig.json"), "--outDir", path.join(out, "types")],
  { stdio: "inherit" },
);
