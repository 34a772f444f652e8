#!/usr/bin/env node
// Entry point of the `fakit` CLI. The kit ships TypeScript sources; tsx runs them without a build step.

require("tsx/cjs");
require("../src/cli/main.ts")
  .main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      // Only kit bugs reach here: user mistakes are reported by the commands themselves.
      console.error(err?.stack ?? String(err));
      process.exitCode = 70;
    },
  );
