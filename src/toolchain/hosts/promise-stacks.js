// @ts-check
/**
 * The SDK tags every promise of a registration (`debuggablePromise` in @pulumi/pulumi/runtime/debuggable: the
 * resource's own, each output property's value, known-ness, secretness and dependencies) with `new Error().stack`,
 * which it prints only when `PULUMI_DEBUG_PROMISE_LEAKS` is set and a promise leaks. Capturing and formatting those
 * stacks was about a sixth of the program's CPU at 1,000 applications (1.2 s of 7 s, and more in garbage
 * collection). Here the tag is taken with `Error.stackTraceLimit` at 0 while leak debugging is off, so its stack is
 * the bare "Error"; everything else `debuggablePromise` does (the id, the context, the leak candidates and the leak
 * report at exit) is unchanged, and with `PULUMI_DEBUG_PROMISE_LEAKS` set it records full stacks as before.
 */

/**
 * @typedef {{ debuggablePromise: (p: Promise<unknown>, ctx: unknown) => Promise<unknown>, debugPromiseLeaks: boolean }}
 *   DebuggableModule the exports of @pulumi/pulumi/runtime/debuggable
 */

/**
 * Replaces the module's `debuggablePromise`, which the SDK's modules call through the module's exports.
 * @param {DebuggableModule} debuggable
 */
function spareLeakStacks(debuggable) {
  const original = debuggable.debuggablePromise;
  debuggable.debuggablePromise = function debuggablePromise(p, ctx) {
    if (debuggable.debugPromiseLeaks) return original(p, ctx);
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return original(p, ctx);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
}

module.exports = { spareLeakStacks };
