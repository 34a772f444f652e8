/**
 * The SDK's parses of function texts kept between runs (src/toolchain/hosts/parsed-functions.js): a parse read
 * back from its file is the parse itself, for every form the closure serializer meets (arrow, async, method,
 * class, captured `this`, unparsable text), and a provider serialized with parses read back is byte for byte the
 * provider serialized with TypeScript.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, describe, expect, it } from "vitest";
import { trampoline } from "../../src/pulumi/providers/trampoline";

type Parsed = [string, Record<string, unknown> | undefined];
type ParseModule = { parseFunction: (text: string) => Parsed };

const { keepParsedFunctions } = require("../../src/toolchain/hosts/parsed-functions.js") as {
  keepParsedFunctions: (m: ParseModule, dir: string, versionsOf: () => string) => void;
};
const sdkParse = require("@pulumi/pulumi/runtime/closure/parseFunction") as ParseModule;
const realParse = sdkParse.parseFunction;

const dir = mkdtempSync(join(tmpdir(), "fakit-parsed-"));
afterAll(() => {
  sdkParse.parseFunction = realParse;
  rmSync(dir, { recursive: true, force: true });
});

class Base {
  constructor(readonly n: number) {}
}
class Derived extends Base {
  twice() {
    return this.n * 2;
  }
}
const outer = 3;
const TEXTS = [
  String(trampoline("tenant").configure),
  "() => provider",
  String(async (x: number) => x + outer),
  String(function named(this: { a: number }) {
    return this.a + outer;
  }),
  String(Derived),
  String(Derived.prototype.twice),
  "() => this.x",
  "function (a {",
  "[Function: bound]",
  "function () { [native code] }",
];

describe("keepParsedFunctions", () => {
  it("gives the parse itself, first parsed and then read back from its file", () => {
    const memo: ParseModule = { parseFunction: realParse };
    let versionReads = 0;
    keepParsedFunctions(memo, dir, () => {
      versionReads++;
      return "test versions";
    });
    for (const text of TEXTS) {
      const expected = realParse(text);
      expect(memo.parseFunction(text)).toEqual(expected);
      expect(memo.parseFunction(text)).toEqual(expected);
    }
    expect(versionReads).toBe(1);
    expect(readdirSync(dir).filter((f) => f.startsWith("parsed-function-")).length).toBe(TEXTS.length);
    // The captured variables come back as the Maps the serializer iterates.
    const [, configure] = memo.parseFunction(TEXTS[0] as string);
    const captured = configure?.capturedVariables as { required: Map<string, unknown> };
    expect(captured.required).toBeInstanceOf(Map);
    expect([...captured.required.keys()]).toContain("name");
  });

  it("parses again when its file is not one of its own", () => {
    const own = mkdtempSync(join(dir, "broken-"));
    const memo: ParseModule = { parseFunction: realParse };
    keepParsedFunctions(memo, own, () => "test versions");
    const text = "(a) => a + b";
    memo.parseFunction(text);
    const files = readdirSync(own);
    expect(files.length).toBe(1);
    writeFileSync(join(own, files[0] as string), "{ not json");
    expect(memo.parseFunction(text)).toEqual(realParse(text));
  });

  it("serializes a trampoline to the same text with parses read back as with TypeScript", async () => {
    const serialize = async () =>
      (await pulumi.runtime.serializeFunction(() => trampoline("application"), { allowSecrets: true })).text;
    sdkParse.parseFunction = realParse;
    const parsedByTypeScript = await serialize();
    keepParsedFunctions(sdkParse, dir, () => "serialize versions");
    const firstRun = await serialize();
    let parses = 0;
    const reads = sdkParse.parseFunction;
    const counting = (text: string) => {
      parses++;
      return realParse(text);
    };
    sdkParse.parseFunction = counting;
    keepParsedFunctions(sdkParse, dir, () => "serialize versions");
    const laterRun = await serialize();
    expect(firstRun).toBe(parsedByTypeScript);
    expect(laterRun).toBe(parsedByTypeScript);
    expect(parses).toBe(0);
    sdkParse.parseFunction = reads;
  });
});
