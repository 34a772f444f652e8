// Every code vocabulary against its table in docs/, both ways: a code the kit can print is documented, and a
// documented code is one the kit can print. Then the sources against the lists: every `"KIT_..."` string in
// src/ and the verifier package is in a list, and every listed code is raised somewhere besides its list.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BUNDLE_PROBLEM_CODES } from "../../packages/verifier/src/format";
import { REASON_CODES } from "../../packages/verifier/src/reasons";
import { BUNDLE_CHECK_CODES } from "../../src/bundle/check";
import { DIAGNOSTIC_CODES as DIAGNOSTICS } from "../../src/diagnostics/codes";
import { IMPORT_ERROR_CODES } from "../../src/import/import-error";
import { KIT_ERROR_CODES } from "../../src/lib/errors";

const ROOT = join(__dirname, "..", "..");
const DIAGNOSTIC_CODES: readonly string[] = [...DIAGNOSTICS, ...IMPORT_ERROR_CODES];
/** `PrecompileError` (src/toolchain/precompiled.js) runs before any TypeScript: the one code outside KitError. */
const PRECOMPILE_CODE = "KIT_SOURCE_COMPILE_FAILED";

const doc = (name: string): string => readFileSync(join(ROOT, "docs", name), "utf8");

/** The text under the heading `## <title>` (to the next `## `). */
function section(text: string, title: string): string {
  const start = text.indexOf(`\n## ${title}`);
  if (start < 0) throw new Error(`no section "## ${title}"`);
  const end = text.indexOf("\n## ", start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

/** The codes in the first column of the table rows of `text` that match `code`. */
function firstColumnCodes(text: string, code: RegExp): string[] {
  return text
    .split("\n")
    .filter((l) => l.startsWith("| `"))
    .flatMap((l) => [...(l.split("|")[1] ?? "").matchAll(code)].map((m) => m[1] as string));
}

const KIT_CODE = /`(KIT_[A-Z0-9_]+)`/g;
const REASON_CODE = /`([a-z][a-z-]*)`/g;

const VOCABULARIES: { name: string; listed: readonly string[]; documented: () => string[] }[] = [
  {
    name: "diagnostics (docs/policy.md, Diagnostics)",
    listed: DIAGNOSTIC_CODES,
    documented: () => firstColumnCodes(section(doc("policy.md"), "Diagnostics"), KIT_CODE),
  },
  {
    name: "kit errors (docs/errors.md, Kit errors)",
    listed: [...KIT_ERROR_CODES, PRECOMPILE_CODE],
    documented: () => firstColumnCodes(section(doc("errors.md"), "Kit errors"), KIT_CODE),
  },
  {
    name: "bundle checks (docs/errors.md, Bundle checks)",
    listed: BUNDLE_CHECK_CODES,
    documented: () => firstColumnCodes(section(doc("errors.md"), "Bundle checks"), KIT_CODE),
  },
  {
    name: "the verifier's bundle loader (docs/offline-verifier.md, 11)",
    listed: BUNDLE_PROBLEM_CODES,
    documented: () => firstColumnCodes(section(doc("offline-verifier.md"), "11. Reason codes"), KIT_CODE),
  },
  {
    name: "the verifier's reason codes (docs/offline-verifier.md, 11)",
    listed: REASON_CODES,
    documented: () => firstColumnCodes(section(doc("offline-verifier.md"), "11. Reason codes"), REASON_CODE),
  },
];

describe.each(VOCABULARIES)("$name", ({ listed, documented }) => {
  it("every listed code is documented", () => {
    const known = new Set(documented());
    expect(listed.filter((c) => !known.has(c))).toEqual([]);
  });

  it("every documented code is listed", () => {
    const known = new Set<string>(listed);
    expect(documented().filter((c) => !known.has(c))).toEqual([]);
  });

  it("has no duplicates", () => {
    expect(new Set(listed).size).toBe(listed.length);
  });
});

describe("diagnostic codes", () => {
  it("are KIT_ codes, warnings the KIT_WARN_ ones", () => {
    expect(DIAGNOSTIC_CODES.every((c) => /^KIT_[A-Z0-9_]+$/.test(c))).toBe(true);
  });
});

/** Every .ts and .js file under `dir`, but generated ones. */
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith(".d.ts"))
    .map((f) => readFileSync(join(ROOT, dir, f), "utf8"));
}

describe("the sources against the lists", () => {
  const texts = [...sources("src"), ...sources("bin"), ...sources("packages/verifier/src")];
  const literals = texts.flatMap((t) => [...t.matchAll(/"(KIT_[A-Z0-9_]*[A-Z0-9])"/g)].map((m) => m[1] as string));
  // A code built from a template (`KIT_FLOOR_${kind}`) is raised for every listed code with that prefix.
  const prefixes = texts.flatMap((t) => [...t.matchAll(/`(KIT_[A-Z0-9_]+_)\$\{/g)].map((m) => m[1] as string));
  const kitLists: (readonly string[])[] = [
    DIAGNOSTICS,
    IMPORT_ERROR_CODES,
    KIT_ERROR_CODES,
    BUNDLE_CHECK_CODES,
    BUNDLE_PROBLEM_CODES,
  ];
  const listedAnywhere = new Set<string>([...kitLists.flat(), PRECOMPILE_CODE]);

  it("every KIT_ code the sources hold is in a documented list", () => {
    expect([...new Set(literals)].filter((c) => !listedAnywhere.has(c)).sort()).toEqual([]);
  });

  it("every listed code is raised somewhere besides the lists that declare it (no dead codes)", () => {
    const count = new Map<string, number>();
    for (const c of literals) count.set(c, (count.get(c) ?? 0) + 1);
    const dead = [...listedAnywhere].filter((code) => {
      const declared = kitLists.filter((l) => l.includes(code)).length;
      return (count.get(code) ?? 0) <= declared && !prefixes.some((p) => code.startsWith(p));
    });
    expect(dead.sort()).toEqual([]);
  });
});

describe("error classes", () => {
  // Errors that never reach a user as such: the emulator's answers on the wire (FusionAuth's bodies) and its
  // request-parsing signals, the verifier's refusals (a decision's reason code), and the one thrown before any
  // TypeScript of the kit runs (reported by bin/fakit.js with its code).
  const OUTSIDE_KIT_ERROR: Record<string, string> = {
    ApiError: "src/emulator/errors.ts: an HTTP answer of the emulator, FusionAuth's status and body",
    PatchError: "src/emulator/json-patch.ts: becomes the emulator's 400 answer",
    BodyTooLarge: "src/emulator/server.ts: becomes the emulator's 413 answer",
    Refusal: "packages/verifier/src/token-steps.ts: becomes a decision's reason code",
    PrecompileError: "src/toolchain/precompiled.js: KIT_SOURCE_COMPILE_FAILED, before the kit's TypeScript runs",
  };

  it("every other error class is a KitError", () => {
    const parents = new Map<string, string>();
    for (const dir of ["src", "packages/verifier/src"])
      for (const text of sources(dir))
        for (const m of text.matchAll(/\bclass (\w+) extends (\w+)/g)) parents.set(m[1] as string, m[2] as string);
    const rootOf = (name: string): string => {
      const parent = parents.get(name);
      return parent === undefined || name === "KitError" ? name : rootOf(parent);
    };
    const errors = [...parents.keys()].filter((c) => /Error$/.test(rootOf(c)));
    expect(errors.length).toBeGreaterThan(10);
    const outside = errors.filter((c) => rootOf(c) !== "KitError").sort();
    expect(outside).toEqual(Object.keys(OUTSIDE_KIT_ERROR).sort());
  });
});
