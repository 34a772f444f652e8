/**
 * The one YAML writer for everything the kit writes into a stack file (`fakit import` today, any `config set`
 * helper tomorrow). Pulumi reads and rewrites stack files with Go's YAML library, which resolves plain scalars
 * by YAML 1.1 rules: `0b101`, `017`, `1_000`, `1:20`, `yes`, `off`, `~` and `2001-12-14` are not strings there,
 * so after any `pulumi config set` they come back as `5`, `15`, `1000`, `80`, `true`, `false`, `null` and
 * `2001-12-14 00:00:00 +0000 UTC`. This writer leaves a string plain only when it matches {@link PLAIN_SAFE} and is
 * none of {@link RESERVED_WORDS} (any case); every other string is double-quoted, and within the quotes every
 * character outside YAML's printable set, and every line or paragraph separator a YAML 1.1 reader would fold, is
 * a `\u` escape. A string Pulumi's rewrite would change however it is written is refused ({@link YamlWriteError}).
 * The document is JSON-like (mappings, lists, strings, finite numbers, booleans, null); the writer
 * emits block style only, never folds a line, and writes nothing it cannot read back.
 *
 * @see https://yaml.org/type/ (the YAML 1.1 types: bool, int, float, null, timestamp, merge, value)
 * @see https://yaml.org/spec/1.1/#id868742 (the printable characters, and NEL, LS, PS as line breaks)
 * @see https://github.com/go-yaml/yaml/blob/v3/resolve.go (the resolver Pulumi's rewrite goes through)
 */

import { KitError } from "./errors";

/**
 * A string written plain: a letter, then letters, digits and `_ . / - @`, with `:` or one space only between such
 * characters (so URLs and names stay readable, and neither `: ` nor ` #` can occur). It never starts with a digit, sign, dot or indicator, so no number in any base, no
 * timestamp, sexagesimal, `.inf`, `<<`, `=` or `~` can match; the words a letter starts are in
 * {@link RESERVED_WORDS}.
 */
const PLAIN_SAFE = /^[A-Za-z][A-Za-z0-9_./@-]*(?:[: ][A-Za-z0-9_./@-]+)*$/;

/**
 * Words some YAML reader types (YAML 1.1 booleans and null, YAML 1.2 core, and Go's float parser's names for
 * infinity and NaN), compared case-insensitively: stricter than any one reader, so that none retypes them.
 */
const RESERVED_WORDS = new Set([
  "y",
  "n",
  "yes",
  "no",
  "on",
  "off",
  "true",
  "false",
  "null",
  "nil",
  "none",
  "inf",
  "infinity",
  "nan",
]);

/** `e7`, `E-5`: a float without digits before the exponent, which the JavaScript `yaml` package's 1.1 schema reads. */
const BARE_EXPONENT = /^[eE][-+]?[0-9_]+$/;

/**
 * Strings Pulumi's rewrite does not keep, however they are quoted (tried against `pulumi config set`, v3.274):
 * its Go YAML reader drops a line feed or NEL (U+0085) that starts a double-quoted scalar (`"\n\nx"` reads
 * `"\nx"`), and it writes a value `<<` back as `!!merge "<<"`, which other readers take for a merge key.
 */
const PULUMI_LOSES = /^(?:[\n\u0085]|<<$)/;

/**
 * A string the writer cannot write: it is not well-formed Unicode (a lone surrogate has no UTF-8 form), or
 * Pulumi's rewrite would change it ({@link PULUMI_LOSES}).
 */
export class YamlWriteError extends KitError {
  override readonly name = "YamlWriteError";
  declare readonly code: "KIT_STACK_VALUE_UNWRITABLE";
  constructor(
    readonly path: string,
    message: string,
  ) {
    super("KIT_STACK_VALUE_UNWRITABLE", message);
  }
}

/** Whether a string scalar must be quoted so that a YAML 1.1 or 1.2 reader reads it back as the same string. */
export function needsQuotes(value: string): boolean {
  return !PLAIN_SAFE.test(value) || RESERVED_WORDS.has(value.toLowerCase()) || BARE_EXPONENT.test(value);
}

/** Whether {@link yamlString} writes `value` (rather than refusing it with a {@link YamlWriteError}). */
export function isWritable(value: string): boolean {
  return !LONE_SURROGATE.test(value) && !PULUMI_LOSES.test(value);
}

/** Whether the code point may stand unescaped between double quotes (YAML 1.1 printable, not a line break). */
function printable(cp: number): boolean {
  if (cp >= 0x20 && cp <= 0x7e) return true;
  if (cp >= 0xa0 && cp <= 0xd7ff) return cp !== 0x2028 && cp !== 0x2029;
  if (cp >= 0xe000 && cp <= 0xfffd) return cp !== 0xfeff;
  return cp >= 0x10000 && cp <= 0x10ffff;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** `value` as a YAML scalar that every YAML 1.1 and 1.2 reader reads back as the same string. */
export function yamlString(value: string, path = ""): string {
  if (LONE_SURROGATE.test(value))
    throw new YamlWriteError(path, `${path || "a string"} is not well-formed Unicode (a lone surrogate)`);
  if (PULUMI_LOSES.test(value))
    throw new YamlWriteError(
      path,
      `${path || "a string"} ${value === "<<" ? "is <<" : "starts with a line break"}, which Pulumi's rewrite of a stack file does not keep`,
    );
  if (!needsQuotes(value)) return value;
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0) as number;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (printable(cp)) out += ch;
    else out += `\\u${cp.toString(16).padStart(4, "0")}`;
  }
  return `${out}"`;
}

function scalar(value: unknown, path: string): string {
  if (typeof value === "string") return yamlString(value, path);
  if (typeof value === "number" && !Number.isFinite(value))
    throw new YamlWriteError(path, `${path} is ${value}, which a stack file cannot hold`);
  if (value === null || typeof value === "number" || typeof value === "boolean") return String(value);
  throw new YamlWriteError(path, `${path} is a ${typeof value}, which a stack file cannot hold`);
}

function isCollection(v: unknown): v is readonly unknown[] | Readonly<Record<string, unknown>> {
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return Array.isArray(v) || proto === Object.prototype || proto === null;
}

/** The lines of a collection at `indent` spaces; an empty collection is written inline by its parent. */
function lines(value: unknown, indent: number, path: string): string[] {
  const pad = " ".repeat(indent);
  if (Array.isArray(value)) {
    return value.flatMap((item: unknown, i) => {
      const at = `${path}[${i}]`;
      if (!isCollection(item) || isEmpty(item)) return [`${pad}- ${inline(item, at)}`];
      const inner = lines(item, indent + 2, at);
      // `- key: value` for a mapping's first entry; a nested list starts on the next line.
      return Array.isArray(item) ? [`${pad}-`, ...inner] : [`${pad}- ${inner[0]?.trimStart()}`, ...inner.slice(1)];
    });
  }
  return Object.entries(value as Record<string, unknown>).flatMap(([key, v]) => {
    if (v === undefined) return [];
    const at = path === "" ? key : `${path}.${key}`;
    const k = yamlString(key, at);
    if (!isCollection(v) || isEmpty(v)) return [`${pad}${k}: ${inline(v, at)}`];
    return [`${pad}${k}:`, ...lines(v, indent + 2, at)];
  });
}

function isEmpty(v: unknown): boolean {
  return Array.isArray(v) ? v.length === 0 : isCollection(v) && Object.keys(v).length === 0;
}

function inline(v: unknown, path: string): string {
  if (!isCollection(v)) return scalar(v, path);
  return Array.isArray(v) ? "[]" : "{}";
}

/**
 * The YAML text of a stack document: block mappings and lists, two-space indents, each string through
 * {@link yamlString}, keys too (a key written `yes:` is retyped like a value). `undefined` members are left out.
 *
 * @throws {YamlWriteError} for a string that is not well-formed Unicode, a number that is not finite, or anything
 *   but plain objects, arrays, strings, numbers, booleans and null.
 */
export function writeStackYaml(document: Readonly<Record<string, unknown>>): string {
  const out = lines(document, 0, "");
  return out.length === 0 ? "{}\n" : `${out.join("\n")}\n`;
}
