// The stack-file YAML writer: every string it writes reads back as the same string under YAML 1.1 (the rules
// Pulumi's Go rewrite resolves plain scalars by) and YAML 1.2, and it quotes exactly what such a reader retypes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { isWritable, needsQuotes, writeStackYaml, YamlWriteError, yamlString } from "../../src/lib/yaml-writer";
import { hostileString } from "../../testkit/helpers/hostile-strings";

const read11 = (text: string) => parse(text, { version: "1.1" });
const read12 = (text: string) => parse(text);

describe("needsQuotes", () => {
  it.each([
    "0b101",
    "0o17",
    "0x1f",
    "017",
    "1_000",
    "1:20",
    "190:20:30",
    "-5",
    "+12",
    "1e3",
    ".5",
    "3.",
    "yes",
    "No",
    "ON",
    "off",
    "y",
    "N",
    "True",
    "FALSE",
    "~",
    "null",
    "Null",
    "NULL",
    "",
    " ",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10 -5",
    ".inf",
    "-.Inf",
    ".NaN",
    "inf",
    "NaN",
    "Infinity",
    "e7",
    "E-5",
    "<<",
    "=",
    "a  b",
    "a ",
    " a",
    "a: b",
    "a #b",
    "x:",
    "-",
    "@x",
    "`x",
    "!x",
    "&x",
    "*x",
    "line\nbreak",
    "tab\tx",
    "\u001b]0;title\u0007",
    "é",
    "None",
    "nil",
  ])("quotes %j", (s) => {
    expect(needsQuotes(s)).toBe(true);
  });

  it.each([
    "field-ops",
    "mobile-crews",
    "https://auth.example.com:8443/crews",
    "ES256",
    "SlidingWindow",
    "a_b.c",
    "Crew App",
  ])("leaves %j plain", (s) => {
    expect(needsQuotes(s)).toBe(false);
    expect(writeStackYaml({ k: s })).toBe(`k: ${s}\n`);
  });
});

describe("writeStackYaml", () => {
  it("writes the strings Pulumi's rewrite retyped quoted, a time included", () => {
    expect(writeStackYaml({ a: "0b101", b: "1_000", c: "2001-12-14", d: "2027-05-28T12:00:00Z" })).toBe(
      'a: "0b101"\nb: "1_000"\nc: "2001-12-14"\nd: "2027-05-28T12:00:00Z"\n',
    );
  });

  it("escapes control characters and the line breaks YAML 1.1 folds", () => {
    expect(yamlString('a\nb\u001b[2J\u0085\u2028"\\')).toBe('"a\\u000ab\\u001b[2J\\u0085\\u2028\\"\\\\"');
  });

  it("any hostile string, as a value, a key or in a list of mappings, reads back identical (YAML 1.1 and 1.2)", () => {
    fc.assert(
      fc.property(hostileString, hostileString, (value, key) => {
        fc.pre(isWritable(value) && isWritable(key));
        const doc = { config: { [key]: value, "ns:tenants": [{ key: "t", name: value, list: [value, key] }] } };
        const text = writeStackYaml(doc);
        expect(read11(text)).toEqual(doc);
        expect(read12(text)).toEqual(doc);
      }),
      { numRuns: 1000, seed: 24 },
    );
  });

  it("what it leaves plain is a string to a YAML 1.1 reader", () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        if (needsQuotes(s)) return;
        expect(read11(`k: ${s}\n`)).toEqual({ k: s });
      }),
      { numRuns: 1000, seed: 7 },
    );
  });

  it("writes numbers, booleans, null and empty collections as such", () => {
    const doc = { n: 3, f: 1.5, t: true, z: null, e: {}, l: [], nested: { list: [[1, "x"], {}] } };
    expect(read11(writeStackYaml(doc))).toEqual(doc);
  });

  it("refuses a lone surrogate and a number a stack file cannot hold, naming where", () => {
    expect(() => writeStackYaml({ a: [{ name: "x\ud800" }] })).toThrow(YamlWriteError);
    expect(() => writeStackYaml({ a: [{ name: "x\ud800" }] })).toThrow("a[0].name is not well-formed Unicode");
    expect(() => writeStackYaml({ n: Number.NaN })).toThrow("n is NaN");
  });

  it("refuses what Pulumi's rewrite loses however it is quoted: a leading line feed or NEL, and <<", () => {
    for (const s of ["\n", "\nx", "\u0085x", "<<"]) {
      expect(isWritable(s)).toBe(false);
      expect(() => writeStackYaml({ a: { b: s } })).toThrow(/^a\.b (starts with a line break|is <<), which Pulumi/);
    }
    for (const s of ["x\n", "\r\nx", "\u2028x", "<<<", " <<"]) expect(isWritable(s)).toBe(true);
  });
});
