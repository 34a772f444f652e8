/**
 * The verifier package's public surface (issue 22 item 7): every value its main entry exports (functions,
 * classes, constants) carries TSDoc with an `@example`, and the simulation helpers stay under `/internal`.
 */
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import * as publicApi from "../../packages/verifier/src";

const ENTRY = path.join(__dirname, "../../packages/verifier/src/index.ts");

function exportedDocs(): Map<string, { kind: "value" | "type"; hasExample: boolean; hasDoc: boolean }> {
  const program = ts.createProgram([ENTRY], { strict: true, noEmit: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(ENTRY) as ts.SourceFile;
  const out = new Map<string, { kind: "value" | "type"; hasExample: boolean; hasDoc: boolean }>();
  for (const sym of checker.getExportsOfModule(checker.getSymbolAtLocation(source) as ts.Symbol)) {
    const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
    const isValue = (target.flags & ts.SymbolFlags.Value) !== 0;
    const tags = target.getJsDocTags(checker);
    out.set(sym.name, {
      kind: isValue ? "value" : "type",
      hasExample: tags.some((t) => t.name === "example"),
      hasDoc: target.getDocumentationComment(checker).length > 0,
    });
  }
  return out;
}

describe("the verifier's public exports", () => {
  const docs = exportedDocs();

  it("each value has TSDoc with an @example", () => {
    const missing = [...docs].filter(([, d]) => d.kind === "value" && !(d.hasDoc && d.hasExample)).map(([n]) => n);
    expect(missing).toEqual([]);
  });

  it("leave the simulation helpers to /internal", () => {
    for (const name of ["applyTimeRules", "advanceTrustedTime", "trustedFloor", "observeServerTime", "mergeKeyList"])
      expect(name in publicApi, name).toBe(false);
  });
});
