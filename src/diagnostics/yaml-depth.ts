/**
 * A nesting guard that runs before the YAML parser: the parser recurses once per nesting level, and thousands of
 * levels overflow its stack. V8 does not always turn that into a catchable `RangeError`: a regular expression
 * compiled lazily near the end of the stack can end the process with a fatal "RegExpCompiler Allocation failed"
 * instead. So the text is scanned first, without recursion, and a file nested far beyond anything the kit's
 * formats use is refused before it is parsed.
 *
 * The scan estimates depth from the text alone: block indentation levels, compact sequence entries (`- - a`) and
 * flow brackets outside quotes and comments; block scalars (`|`, `>`) are skipped. It is an estimate, so callers
 * give it a generous limit and keep the exact check on the parsed document.
 */

/** Where nesting first goes beyond `limit`, 1-based, or `undefined` when it never does. */
export function firstNestingBeyond(text: string, limit: number): { line: number; column: number } | undefined {
  const indents: number[] = [];
  let flow = 0;
  let blockScalarIndent: number | undefined;
  let lineNo = 0;
  let start = 0;
  while (start <= text.length) {
    const newline = text.indexOf("\n", start);
    const end = newline === -1 ? text.length : newline;
    const line = text.slice(start, end);
    start = end + 1;
    lineNo++;
    const indent = leadingSpaces(line);
    const blank = indent === line.length || line[indent] === "#" || line[indent] === "\r";
    if (blockScalarIndent !== undefined && (blank || indent > blockScalarIndent)) continue;
    blockScalarIndent = undefined;
    if (blank) continue;
    if (flow === 0) {
      while (indents.length > 0 && (indents[indents.length - 1] as number) >= indent) indents.pop();
      indents.push(indent);
    }
    let depth = indents.length;
    let i = indent;
    if (flow === 0) {
      // `- - - a`: each compact entry opens a sequence inside the previous one.
      while (line[i] === "-" && (line[i + 1] === " " || i + 1 === line.length)) {
        depth++;
        i += 1;
        while (line[i] === " ") i++;
      }
    }
    if (depth + flow > limit) return { line: lineNo, column: i + 1 };
    for (; i < line.length; i++) {
      const c = line[i];
      const tokenStart = i === 0 || " \t[{,:".includes(line[i - 1] as string);
      if (c === "#" && (i === 0 || line[i - 1] === " " || line[i - 1] === "\t")) break;
      if ((c === '"' || c === "'") && tokenStart) {
        i = closingQuote(line, i);
        continue;
      }
      if (c === "[" || c === "{") {
        flow++;
        if (depth + flow > limit) return { line: lineNo, column: i + 1 };
      } else if ((c === "]" || c === "}") && flow > 0) flow--;
    }
    if (flow === 0 && /(?:^|[\s:-])[|>][0-9+-]*\s*(?:#.*)?\r?$/.test(line.slice(indent))) blockScalarIndent = indent;
  }
  return undefined;
}

function leadingSpaces(line: string): number {
  let i = 0;
  while (line[i] === " ") i++;
  return i;
}

/** The index of the quote closing the one at `open` on this line (or the line's end). */
function closingQuote(line: string, open: number): number {
  const quote = line[open];
  for (let i = open + 1; i < line.length; i++) {
    if (quote === '"' && line[i] === "\\") i++;
    else if (line[i] === quote) {
      if (quote === "'" && line[i + 1] === "'") i++;
      else return i;
    }
  }
  return line.length;
}
