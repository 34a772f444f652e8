// The diagnostic code union and `fakit import`'s codes against the code table of docs/policy.md, both ways: a
// code the kit can print is documented, and a documented code is one the kit can print.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DIAGNOSTIC_CODES as DIAGNOSTICS } from "../../src/diagnostics/codes";
import { IMPORT_ERROR_CODES } from "../../src/import/import-error";

const DIAGNOSTIC_CODES: readonly string[] = [...DIAGNOSTICS, ...IMPORT_ERROR_CODES];

const DOCS = readFileSync(join(__dirname, "..", "..", "docs", "policy.md"), "utf8");

/** The codes in the first column of the table under `## Diagnostics`. */
function documentedCodes(): string[] {
  const section = DOCS.slice(DOCS.indexOf("## Diagnostics"), DOCS.indexOf("\n## ", DOCS.indexOf("## Diagnostics") + 1));
  return section
    .split("\n")
    .filter((l) => l.startsWith("| `KIT_"))
    .flatMap((l) => [...(l.split("|")[1] ?? "").matchAll(/`(KIT_[A-Z0-9_]+)`/g)].map((m) => m[1] as string));
}

describe("diagnostic codes", () => {
  it("every code in the union is documented in docs/policy.md", () => {
    const documented = new Set(documentedCodes());
    expect(DIAGNOSTIC_CODES.filter((c) => !documented.has(c))).toEqual([]);
  });

  it("every documented code is in the union", () => {
    const known = new Set<string>(DIAGNOSTIC_CODES);
    expect(documentedCodes().filter((c) => !known.has(c))).toEqual([]);
  });

  it("has no duplicates, and warnings are the KIT_WARN_ codes", () => {
    expect(new Set(DIAGNOSTIC_CODES).size).toBe(DIAGNOSTIC_CODES.length);
    expect(DIAGNOSTIC_CODES.every((c) => /^KIT_[A-Z0-9_]+$/.test(c))).toBe(true);
  });
});
