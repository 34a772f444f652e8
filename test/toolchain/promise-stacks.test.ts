/**
 * The program's host takes the SDK's promise-leak stacks only when leak debugging is on
 * (src/toolchain/hosts/promise-stacks.js), on the SDK's own `debuggablePromise`: with it off a registration's
 * promises carry no stack but are still tracked as leak candidates, and the leak report at exit still counts
 * them; with `PULUMI_DEBUG_PROMISE_LEAKS` the stack is recorded as before, naming where the promise was made.
 */
import { afterEach, describe, expect, it } from "vitest";

type Tagged = Promise<unknown> & { _debugId: number; _debugCtx: unknown; _debugStackTrace: string };
interface Debuggable {
  debuggablePromise: (p: Promise<unknown>, ctx: unknown) => Promise<unknown>;
  debugPromiseLeaks: boolean;
  leakedPromises: () => [Set<Promise<unknown>>, string];
  promiseDebugString: (p: Promise<unknown>) => string;
}

const debuggable = require("@pulumi/pulumi/runtime/debuggable") as Debuggable;
const { spareLeakStacks } = require("../../src/toolchain/hosts/promise-stacks.js") as {
  spareLeakStacks: (m: Debuggable) => void;
};
const sdkOwn = debuggable.debuggablePromise;

/** A promise the SDK tags, made by a named function so that its frame shows in a full stack. */
function madeHere(p: Promise<unknown>, ctx: string): Tagged {
  // The SDK tags the promise it is given and returns a chained one; the tags are on the first.
  debuggable.debuggablePromise(p, ctx).catch(() => undefined);
  return p as Tagged;
}

afterEach(() => {
  debuggable.debuggablePromise = sdkOwn;
  debuggable.debugPromiseLeaks = false;
  debuggable.leakedPromises();
});

describe("the SDK's promise tags in the program's process", () => {
  it("records a full stack without the host (the SDK's own behaviour, the cost it removes)", () => {
    const p = madeHere(Promise.resolve(1), "own");
    expect(p._debugStackTrace).toMatch(/^Error:? ?\n\s+at /);
    expect(p._debugStackTrace).toContain("madeHere");
  });

  it("takes no stack while leak debugging is off, and restores the stack limit", () => {
    spareLeakStacks(debuggable);
    const limit = Error.stackTraceLimit;
    const p = madeHere(Promise.resolve(1), "spared");
    // The bare error line (under vitest, whose stack formatting adds ": "), no frame.
    expect(p._debugStackTrace).toMatch(/^Error:? ?$/);
    expect(p._debugCtx).toBe("spared");
    expect(typeof p._debugId).toBe("number");
    expect(Error.stackTraceLimit).toBe(limit);
    expect(new Error("after").stack).toMatch(/\n\s+at /);
  });

  it("still tracks unsettled promises for the leak report at exit", async () => {
    spareLeakStacks(debuggable);
    debuggable.leakedPromises();
    const pending = madeHere(new Promise(() => undefined), "never settles");
    const settled = madeHere(Promise.resolve(2), "settles");
    await settled;
    await new Promise((r) => setImmediate(r));
    const [leaks, message] = debuggable.leakedPromises();
    expect([...leaks]).toEqual([pending]);
    expect(message).toContain("1 promise was still active");
  });

  it("records the full stack when PULUMI_DEBUG_PROMISE_LEAKS asks for it", () => {
    spareLeakStacks(debuggable);
    debuggable.debugPromiseLeaks = true;
    const p = madeHere(new Promise(() => undefined), "debugged");
    expect(p._debugStackTrace).toContain("madeHere");
    expect(debuggable.promiseDebugString(p)).toMatch(/CONTEXT\(\d+\): debugged\nSTACK_TRACE:\nError:? ?\n\s+at /);
  });

  it("restores the stack limit when the SDK's function throws", () => {
    const limit = Error.stackTraceLimit;
    debuggable.debuggablePromise = () => {
      throw new Error("boom");
    };
    spareLeakStacks(debuggable);
    expect(() => debuggable.debuggablePromise(Promise.resolve(), "x")).toThrow("boom");
    expect(Error.stackTraceLimit).toBe(limit);
  });
});
