// @ts-check
// The dynamic provider's process, bundled by fast-start.js: `@pulumi/pulumi/cmd/dynamic-provider`, what the
// engine starts once per run (through the shim of scripts/ensure-pulumi), with the SDK and gRPC in one file.
require("./provide-sdk").provideSdk();
// The engine starts this process early (src/pulumi/start-provider.js), before the program registers anything;
// the resource kinds' implementations load now, not at the first `Check`, which would wait for them.
require("./preload-kinds").preloadKinds(process.cwd());
require("@pulumi/pulumi/cmd/dynamic-provider");
