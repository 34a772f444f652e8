// @ts-check
// The program's process, bundled by fast-start.js: `@pulumi/pulumi/cmd/run`, what the language host starts, with
// the SDK and gRPC in one file. It then loads the program (src/pulumi/main.js) as the SDK's own entry would.
require("./provide-sdk").provideSdk();
require("@pulumi/pulumi/cmd/run");
