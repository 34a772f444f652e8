// @ts-check
/**
 * Has the engine start the dynamic providers' process now, while the program loads, validates the stack and reads
 * FusionAuth, instead of at the first resource the program registers. The engine starts a provider's plugin
 * when something first needs it; until now that was the first signing key's registration, so the provider's
 * start (a Node.js process loading its bundle: about 0.3 s of wall time) came after everything the program did
 * first, on the critical path of every run. An invoke addressed to the dynamic provider's package needs the same
 * default provider the resources use, so the engine registers and starts it at once, on the second core.
 *
 * The dynamic provider implements no invoke: it answers "unknown function", which is the expected answer and is
 * dropped. The default provider it starts is the one the resources then use (the same package, no version), so
 * the state holds what it held before. Only src/pulumi/main.js, the entry the engine runs, calls this: a program
 * under `pulumi.runtime.setMocks` has no engine to start anything.
 */
const pulumi = require("@pulumi/pulumi");

/** A function of the dynamic provider's package that no provider implements. */
const TOKEN = "pulumi-nodejs:dynamic:startEarly";

function startProviderProcess() {
  pulumi.runtime.invoke(TOKEN, {}).catch(() => undefined);
}

module.exports = { startProviderProcess, TOKEN };
