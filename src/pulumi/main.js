// Pulumi's entry (Pulumi.yaml `main`): the program of index.ts, run from a precompiled bundle (see
// src/toolchain/precompiled.js).
//
// Pulumi's run command installs source-map-support, which maps every stack frame through source maps each time an
// Error's stack is read, and the SDK reads one (at unlimited depth) for every resource it registers, to record
// where it was declared. The bundle has no source map, so the lookups found nothing and cost about 0.4 s of CPU
// per run at 100 applications. V8's own formatting gives the same positions for the bundle's frames.
Error.prepareStackTrace = undefined;
const path = require("node:path");
// The provider's process starts while the program below loads and validates (start-provider.js).
require("./start-provider").startProviderProcess();
module.exports = require("../toolchain/precompiled").load(path.join(__dirname, "index.ts"));
