// @ts-check
// The program's process, bundled by fast-start.js: `@pulumi/pulumi/cmd/run`, what the language host starts, with
// the SDK and gRPC in one file. It then loads the program (src/pulumi/main.js) as the SDK's own entry would.
require("./provide-sdk").provideSdk();
// The closure serializer's parses of function texts (the providers' trampolines) are kept between runs, so a run
// that serializes only functions it has seen before never loads TypeScript.
const sdkVersion = () => require("@pulumi/pulumi/package.json").version;
const { keepParsedFunctions, parseVersions } = require("./parsed-functions");
keepParsedFunctions(require("@pulumi/pulumi/runtime/closure/parseFunction"), __dirname, () =>
  parseVersions(sdkVersion(), __dirname),
);
// The trampolines' serialized text is kept between runs too, and the inspector session the serializer needs is
// opened only when something is still serialized (serialized-providers.js).
require("./serialized-providers").keepSerializedProviders(
  require("@pulumi/pulumi/runtime/closure/serializeClosure"),
  require("@pulumi/pulumi/runtime/closure/v8Hooks"),
  __dirname,
  () => `sdk ${sdkVersion()}, node ${process.version}`,
);
// Promises' leak-report stacks are taken only when leak debugging is on (promise-stacks.js).
require("./promise-stacks").spareLeakStacks(require("@pulumi/pulumi/runtime/debuggable"));
require("@pulumi/pulumi/cmd/run");
