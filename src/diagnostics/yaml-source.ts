/**
 * YAML documents parsed with their source positions, so that every diagnostic can name a line and a column.
 * Pure: takes text, never reads files.
 *
 * @see https://eemeli.org/yaml/#documents
 */
import {
  type Document,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
} from "yaml";
import type { Diagnostic } from "./diagnostic";
import { firstNestingBeyond } from "./yaml-depth";

/** A text file handed to the core by the edge. */
export interface SourceFile {
  path: string;
  text: string;
}

/** Which part of a mapping entry a diagnostic points at. */
export type Target = "key" | "value";

export interface ParsedDocument {
  path: string;
  /** The document as plain JSON-like data; `undefined` when the YAML could not be parsed. */
  value: unknown;
  /**
   * Line and column of the node at `pointer`. When the node does not exist (a missing key), the position of the
   * nearest existing ancestor: the key naming the enclosing mapping, or the mapping itself. `file` is set when
   * the node lives in another file than `path` (a stack composed with its shared file).
   */
  locate(pointer: string, target?: Target): { line: number; column: number; file?: string };
}

/** Splits an RFC 6901 JSON pointer into its unescaped segments. */
export function pointerSegments(pointer: string): string[] {
  if (pointer === "" || pointer === "/") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** Builds a JSON pointer from segments. */
export function toPointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}

/**
 * Limits on what a policy or stack file may make the kit do. Real files are a few kilobytes, nest about ten levels
 * deep and use no aliases; anything far beyond is a mistake or an attack (a "billion laughs" alias bomb, nesting
 * that overflows the parser's stack), answered with a located error instead of a crash.
 */
export const YAML_LIMITS = {
  /** Bytes (UTF-16 code units) of one file. */
  maxSourceLength: 1024 * 1024,
  /** Nesting of mappings and lists. */
  maxDepth: 64,
  /** Alias nodes resolved while building the document's value (the yaml package's own bound). */
  maxAliasCount: 100,
} as const;

/** What {@link parseYamlSource} returns. */
type ParsedSource = { doc: ParsedDocument; diagnostics: Diagnostic[] };

/** Parses YAML text, reporting syntax errors as `KIT_YAML_SYNTAX` / `KIT_YAML_DUPLICATE_KEY` diagnostics. */
export function parseYamlSource(file: SourceFile): ParsedSource {
  const lineCounter = new LineCounter();
  const failed = (code: Diagnostic["code"], message: string, offset = 0) =>
    failedParse(file.path, lineCounter, code, message, offset);
  if (file.text.length > YAML_LIMITS.maxSourceLength) {
    return failed(
      "KIT_FILE_TOO_LARGE",
      `the file has ${file.text.length} characters; the limit is ${YAML_LIMITS.maxSourceLength}`,
    );
  }
  // Far beyond maxDepth, refused before the parser can overflow its stack (see yaml-depth.ts); the exact limit is
  // checked on the parsed document below.
  const deepAt = firstNestingBeyond(file.text, YAML_LIMITS.maxDepth * 2);
  if (deepAt !== undefined) {
    const only = failed("KIT_YAML_TOO_DEEP", tooDeep());
    only.diagnostics = only.diagnostics.map((d) => ({ ...d, ...deepAt }));
    return only;
  }
  let document: Document.Parsed;
  try {
    document = parseDocument(file.text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  } catch (e) {
    // The parser recurses per nesting level; a stack overflow is the nesting limit reached the hard way.
    if (e instanceof RangeError) return failed("KIT_YAML_TOO_DEEP", tooDeep());
    throw e;
  }
  // The composer can also overflow its stack on deep nesting and record it as an error, once or several times
  // depending on how much stack the engine has left: one located KIT_YAML_TOO_DEEP says it, whatever the count.
  const overflowAt = document.errors.find((e) => /call stack/i.test(e.message));
  if (overflowAt !== undefined) return failed("KIT_YAML_TOO_DEEP", tooDeep(), overflowAt.pos[0]);
  const diagnostics = syntaxDiagnostics(document, file.path, lineCounter);
  if (diagnostics.length === 0) {
    const deep = firstNodeBeyond(document.contents, YAML_LIMITS.maxDepth);
    if (deep !== undefined) return failed("KIT_YAML_TOO_DEEP", tooDeep(), deep.range?.[0]);
  }
  const locate = locator(document, lineCounter);
  let value: unknown;
  if (diagnostics.length === 0) {
    const data = toData(document, failed);
    if ("doc" in data) return data;
    value = data.value;
  }
  return { doc: { path: file.path, value, locate }, diagnostics };
}

/** A parse refused as a whole: no value, and one diagnostic at `offset`. */
function failedParse(
  path: string,
  lineCounter: LineCounter,
  code: Diagnostic["code"],
  message: string,
  offset: number,
): ParsedSource {
  const pos = lineCounter.linePos(offset);
  const diagnostic: Diagnostic = {
    severity: "error",
    code,
    message,
    file: path,
    // Before parsing, the line counter knows no lines yet: the file's start.
    line: Math.max(pos.line, 1),
    column: Math.max(pos.col, 1),
    pointer: "",
  };
  return {
    doc: { path, value: undefined, locate: () => ({ line: 1, column: 1 }) },
    diagnostics: [diagnostic],
  };
}

/** The parser's errors as located diagnostics. */
function syntaxDiagnostics(document: Document.Parsed, path: string, lineCounter: LineCounter): Diagnostic[] {
  return document.errors.map((e) => {
    const pos = lineCounter.linePos(e.pos[0]);
    const duplicate = e.code === "DUPLICATE_KEY";
    return {
      severity: "error",
      code: duplicate ? "KIT_YAML_DUPLICATE_KEY" : "KIT_YAML_SYNTAX",
      message: duplicate ? "mapping key is defined twice; remove one of them" : firstLine(e.message),
      file: path,
      line: pos.line,
      column: pos.col,
      pointer: "",
    };
  });
}

/** {@link ParsedDocument.locate} over a parsed document. */
function locator(document: Document.Parsed, lineCounter: LineCounter): ParsedDocument["locate"] {
  const at = (offset: number | undefined) => {
    const pos = lineCounter.linePos(offset ?? 0);
    return { line: pos.line, column: pos.col };
  };
  return (pointer: string, target: Target = "value") => {
    let node: unknown = document.contents;
    let keyNode: Node | undefined;
    for (const segment of pointerSegments(pointer)) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === segment);
        if (pair === undefined) return at(keyNode?.range?.[0] ?? (node as Node).range?.[0]);
        keyNode = pair.key as Node;
        node = pair.value;
      } else if (isSeq(node)) {
        const item = node.items[Number(segment)];
        if (item === undefined) return at(keyNode?.range?.[0] ?? (node as Node).range?.[0]);
        keyNode = undefined;
        node = item;
      } else {
        break;
      }
    }
    if (target === "key" && keyNode !== undefined) return at(keyNode.range?.[0]);
    const range = (node as Node | null)?.range ?? keyNode?.range;
    return at(range?.[0]);
  };
}

/**
 * The document as plain data, or the parse refused when an alias cannot be resolved: one to an anchor never set,
 * or aliases expanding beyond {@link YAML_LIMITS}.maxAliasCount.
 */
function toData(
  document: Document.Parsed,
  failed: (code: Diagnostic["code"], message: string, offset?: number) => ParsedSource,
): { value: unknown } | ParsedSource {
  try {
    return { value: document.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount }) };
  } catch (err) {
    // yaml throws a ReferenceError for an alias bomb (aliases expanding beyond maxAliasCount) and for an alias
    // to an anchor that is never set (`*missing`); only the conversion to data notices either.
    if (!(err instanceof ReferenceError)) throw err;
    let unresolved: number | undefined;
    visit(document, {
      Alias(_key, node) {
        if (node.resolve(document) === undefined) {
          unresolved = node.range?.[0];
          return visit.BREAK;
        }
        return undefined;
      },
    });
    if (unresolved !== undefined) return failed("KIT_YAML_SYNTAX", firstLine(err.message), unresolved);
    return failed(
      "KIT_YAML_ALIAS_LIMIT",
      `aliases expand beyond ${YAML_LIMITS.maxAliasCount} nodes; write the values out instead of using anchors (&) and aliases (*)`,
      firstAlias(document.contents)?.range?.[0],
    );
  }
}

function tooDeep(): string {
  return `mappings and lists nest more than ${YAML_LIMITS.maxDepth} levels deep; the kit's formats need about ten`;
}

/** The first collection nested deeper than `limit`, walked without recursion so depth cannot overflow here. */
function firstNodeBeyond(root: unknown, limit: number): Node | undefined {
  const stack: { node: unknown; depth: number }[] = [{ node: root, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: unknown; depth: number };
    if (!isCollection(node)) continue;
    if (depth >= limit) return node;
    for (const item of node.items) {
      if (isPair(item)) {
        stack.push({ node: item.key, depth: depth + 1 }, { node: item.value, depth: depth + 1 });
      } else stack.push({ node: item, depth: depth + 1 });
    }
  }
  return undefined;
}

/** The first alias node of a document, in source order. */
function firstAlias(root: unknown): Node | undefined {
  let first: Node | undefined;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isAlias(node)) {
      if (first === undefined || (node.range?.[0] ?? 0) < (first.range?.[0] ?? 0)) first = node;
    } else if (isCollection(node)) {
      for (const item of node.items) stack.push(...(isPair(item) ? [item.key, item.value] : [item]));
    }
  }
  return first;
}

function firstLine(message: string): string {
  return (message.split("\n")[0] ?? message).trim();
}
