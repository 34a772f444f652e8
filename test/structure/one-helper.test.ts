// Helpers the kit keeps in one place, so a fix lands once: the plain-object check (src/lib/plain-object.ts) and the
// seeded generator (src/lib/seeded-random.ts). A file that writes its own copy fails here, naming the file.
// packages/verifier is left out: an installable package that imports nothing of src/.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isPlainObject } from "../../src/lib/plain-object";
import { codeFiles } from "./layers";

const ROOT = path.resolve(__dirname, "../..");
const files = ["src", "scripts", "bench", "testkit", "test"].flatMap((top) => codeFiles(path.join(ROOT, top)));

function filesMatching(pattern: RegExp): string[] {
  return files.filter((f) => pattern.test(readFileSync(f, "utf8"))).map((f) => path.relative(ROOT, f));
}

describe("helpers written once", () => {
  it("isPlainObject tells a mapping from null, arrays and scalars", () => {
    expect([{}, { a: 1 }, Object.create(null)].every((v) => isPlainObject(v))).toBe(true);
    expect([null, undefined, [], [1], "x", 1, true].some((v) => isPlainObject(v))).toBe(false);
  });

  it("writes the plain-object check only in src/lib/plain-object.ts", () => {
    const check = /typeof (\w+) === "object" && \1 !== null && !Array\.isArray\(\1\)/;
    expect(filesMatching(check)).toEqual(["src/lib/plain-object.ts"]);
  });

  it("writes the seeded generator only in src/lib/seeded-random.ts", () => {
    // mulberry32's increment, spelled in two parts so this file does not match itself.
    expect(filesMatching(new RegExp(["0x6d2b", "79f5"].join(""), "i"))).toEqual(["src/lib/seeded-random.ts"]);
  });
});
