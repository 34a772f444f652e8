// @ts-check
/**
 * Keeps what the SDK's closure serializer learns from a function's text between runs. To serialize a dynamic
 * provider, `@pulumi/pulumi` parses the text of each function it reaches with the TypeScript compiler
 * (`runtime/closure/parseFunction`) to find the variables the function captures: the program's process loaded
 * TypeScript (about 0.1 s of CPU with V8's code cache) at every run for the three trampolines, whose text never
 * changes. The result is a function of the text alone, given the SDK's, TypeScript's and Node.js's versions (the
 * last decides which names are Node.js globals), so it is kept in a file named by a hash of all four, in the
 * folder of the bundle that runs this (the checkout's cache, see src/toolchain/precompiled.js). The values the
 * variables hold are still read from the running program, as before: only the parse is reused. A file that cannot
 * be read or written is no cache: the text is parsed as before.
 */
const fs = require("node:fs");
const path = require("node:path");
const crypto = require("node:crypto");
const { writeAtomically } = require("../write-atomically");

/** Bumped when the file's layout changes. */
const FORMAT = "parsed-function-1";

/** @typedef {{ required: Map<string, unknown[]>, optional: Map<string, unknown[]> }} CapturedVariables */
/** @typedef {[string, (Record<string, unknown> & { capturedVariables?: CapturedVariables }) | undefined]} Parsed */

/**
 * @param {Parsed} parsed
 * @returns {string}
 */
function toJson([error, fn]) {
  if (fn === undefined) return JSON.stringify({ error });
  const { capturedVariables, ...rest } = fn;
  const captured =
    capturedVariables === undefined
      ? undefined
      : { required: [...capturedVariables.required], optional: [...capturedVariables.optional] };
  return JSON.stringify({ error, fn: rest, captured });
}

/**
 * @param {string} text
 * @returns {Parsed}
 */
function fromJson(text) {
  const { error, fn, captured } = JSON.parse(text);
  if (typeof error !== "string") throw new Error("not a parsed function");
  if (fn === undefined) return [error, undefined];
  if (captured !== undefined)
    fn.capturedVariables = { required: new Map(captured.required), optional: new Map(captured.optional) };
  return [error, fn];
}

/**
 * Replaces `parseFunctionModule.parseFunction` (the SDK's module, as bundled in this process) with one that
 * reuses earlier results from `dir`.
 * @param {{ parseFunction: (text: string) => Parsed }} parseFunctionModule
 * @param {string} dir
 * @param {() => string} versionsOf what besides the text decides the result (SDK, TypeScript, Node.js), read at
 *   the first parse
 */
function keepParsedFunctions(parseFunctionModule, dir, versionsOf) {
  const parse = parseFunctionModule.parseFunction;
  /** @type {string | undefined} */
  let versions;
  parseFunctionModule.parseFunction = (text) => {
    versions ??= versionsOf();
    const hash = crypto.createHash("sha256").update(`${FORMAT}\0${versions}\0${text}`).digest("hex").slice(0, 32);
    const file = path.join(dir, `parsed-function-${hash}.json`);
    try {
      return fromJson(fs.readFileSync(file, "utf8"));
    } catch {
      // Not parsed yet (or a file from elsewhere): parse it.
    }
    const parsed = parse(text);
    try {
      writeAtomically(file, toJson(parsed));
    } catch {
      // A cache folder that cannot be written: parsed again next time.
    }
    return parsed;
  };
}

/**
 * The versions a parse depends on besides the text: the bundled SDK's, the TypeScript the bundle loads on first
 * use (resolved from `dir`, as it is), and Node.js's.
 * @param {string} sdkVersion
 * @param {string} dir
 */
function parseVersions(sdkVersion, dir) {
  let typescript = "unknown";
  try {
    // A variable, not a literal: the bundle leaves it to Node.js, which resolves it from `dir` upwards.
    const id = "typescript/package.json";
    typescript = require(require.resolve(id, { paths: [dir] })).version;
  } catch {
    // Not installed: the SDK falls back to its own copy; the key still differs from an installed one's.
  }
  return `sdk ${sdkVersion}, typescript ${typescript}, node ${process.version}`;
}

module.exports = { keepParsedFunctions, parseVersions, toJson, fromJson };
