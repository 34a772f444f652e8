// @ts-check
// The dynamic provider's process, bundled by fast-start.js: `@pulumi/pulumi/cmd/dynamic-provider`, what the
// engine starts once per run (through the shim of scripts/ensure-pulumi), with the SDK and gRPC in one file.
require("./provide-sdk").provideSdk();
require("@pulumi/pulumi/cmd/dynamic-provider");
