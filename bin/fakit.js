#!/usr/bin/env node
// Entry point of the `fakit` CLI. The kit ships TypeScript sources; they run from a bundle that esbuild compiles
// on the first run and after each edit (src/toolchain/precompiled.js), so a run pays no TypeScript compile.

const path = require("node:path");
const { load, PrecompileError } = require("../src/toolchain/precompiled");

/** Only kit bugs reach here: kit errors are reported by `main` (src/cli/exit-status.ts). */
function fail(err) {
  // A source of the kit that does not compile (an edited checkout): esbuild's located errors, no stack.
  console.error(err instanceof PrecompileError ? `fakit: ${err.code} ${err.message}` : (err?.stack ?? String(err)));
  process.exitCode = 70;
}

// `fakit plan --json | head`: the reader went away. Later output is dropped and the command ends with its own
// exit status, where Node.js would end it with an unhandled EPIPE and a stack trace.
process.stdout.on("error", (err) => {
  if (err.code !== "EPIPE") throw err;
});

let cli;
try {
  cli = load(path.join(__dirname, "..", "src", "cli", "main.ts"));
} catch (err) {
  fail(err);
}
cli?.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, fail);
