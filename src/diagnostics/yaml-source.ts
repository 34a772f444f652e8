/**
 * YAML documents parsed with their source positions, so that every diagnostic can name a line and a column.
 * Pure: takes text, never reads files.
 *
 * @see https://eemeli.org/yaml/#documents
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument, visit } from "yaml";
import type { Diagnostic } from "./diagnostic";

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

/** Parses YAML text, reporting syntax errors as `KIT_YAML_SYNTAX` / `KIT_YAML_DUPLICATE_KEY` diagnostics. */
export function parseYamlSource(file: SourceFile): { doc: ParsedDocument; diagnostics: Diagnostic[] } {
  const lineCounter = new LineCounter();
  const document = parseDocument(file.text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const diagnostics: Diagnostic[] = document.errors.map((e) => {
    const pos = lineCounter.linePos(e.pos[0]);
    const duplicate = e.code === "DUPLICATE_KEY";
    return {
      severity: "error",
      code: duplicate ? "KIT_YAML_DUPLICATE_KEY" : "KIT_YAML_SYNTAX",
      message: duplicate ? "mapping key is defined twice; remove one of them" : firstLine(e.message),
      file: file.path,
      line: pos.line,
      column: pos.col,
      pointer: "",
    };
  });
  const at = (offset: number | undefined) => {
    const pos = lineCounter.linePos(offset ?? 0);
    return { line: pos.line, column: pos.col };
  };
  const locate = (pointer: string, target: Target = "value") => {
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
  let value: unknown;
  if (diagnostics.length === 0) {
    try {
      value = document.toJS({ maxAliasCount: 100 });
    } catch (err) {
      // The parser accepts an alias to an anchor that is never set (`*missing`) or one that expands too often;
      // only the conversion to data notices. Report it at the alias, like a syntax error.
      let offset: number | undefined;
      visit(document, {
        Alias(_key, node) {
          if (node.resolve(document) === undefined) {
            offset = node.range?.[0];
            return visit.BREAK;
          }
          return undefined;
        },
      });
      const pos = at(offset);
      diagnostics.push({
        severity: "error",
        code: "KIT_YAML_SYNTAX",
        message: firstLine((err as Error).message),
        file: file.path,
        ...pos,
        pointer: "",
      });
    }
  }
  return { doc: { path: file.path, value, locate }, diagnostics };
}

function firstLine(message: string): string {
  return (message.split("\n")[0] ?? message).trim();
}
