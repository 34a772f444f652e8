/**
 * The emulator's JSON Patch against the examples of RFC 6902, appendix A (as data), plus its own limits.
 * @see https://www.rfc-editor.org/rfc/rfc6902#appendix-A
 */
import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/emulator/errors";
import { applyJsonPatch } from "../../src/emulator/json-patch";

interface Vector {
  name: string;
  doc: unknown;
  patch: unknown[];
  /** The result, or "error" when the patch must be refused. */
  want: unknown;
}

const RFC6902_APPENDIX_A: Vector[] = [
  {
    name: "A.1 add an object member",
    doc: { foo: "bar" },
    patch: [{ op: "add", path: "/baz", value: "qux" }],
    want: { baz: "qux", foo: "bar" },
  },
  {
    name: "A.2 add an array element",
    doc: { foo: ["bar", "baz"] },
    patch: [{ op: "add", path: "/foo/1", value: "qux" }],
    want: { foo: ["bar", "qux", "baz"] },
  },
  {
    name: "A.3 remove an object member",
    doc: { baz: "qux", foo: "bar" },
    patch: [{ op: "remove", path: "/baz" }],
    want: { foo: "bar" },
  },
  {
    name: "A.4 remove an array element",
    doc: { foo: ["bar", "qux", "baz"] },
    patch: [{ op: "remove", path: "/foo/1" }],
    want: { foo: ["bar", "baz"] },
  },
  {
    name: "A.5 replace a value",
    doc: { baz: "qux", foo: "bar" },
    patch: [{ op: "replace", path: "/baz", value: "boo" }],
    want: { baz: "boo", foo: "bar" },
  },
  {
    name: "A.6 move a value",
    doc: { foo: { bar: "baz", waldo: "fred" }, qux: { corge: "grault" } },
    patch: [{ op: "move", from: "/foo/waldo", path: "/qux/thud" }],
    want: { foo: { bar: "baz" }, qux: { corge: "grault", thud: "fred" } },
  },
  {
    name: "A.7 move an array element",
    doc: { foo: ["all", "grass", "cows", "eat"] },
    patch: [{ op: "move", from: "/foo/1", path: "/foo/3" }],
    want: { foo: ["all", "cows", "eat", "grass"] },
  },
  {
    name: "A.8 test a value: success",
    doc: { baz: "qux", foo: ["a", 2, "c"] },
    patch: [
      { op: "test", path: "/baz", value: "qux" },
      { op: "test", path: "/foo/1", value: 2 },
    ],
    want: { baz: "qux", foo: ["a", 2, "c"] },
  },
  {
    name: "A.9 test a value: error",
    doc: { baz: "qux" },
    patch: [{ op: "test", path: "/baz", value: "bar" }],
    want: "error",
  },
  {
    name: "A.10 add a nested member object",
    doc: { foo: "bar" },
    patch: [{ op: "add", path: "/child", value: { grandchild: {} } }],
    want: { foo: "bar", child: { grandchild: {} } },
  },
  {
    name: "A.11 ignore unrecognized elements",
    doc: { foo: "bar" },
    patch: [{ op: "add", path: "/baz", value: "qux", xyz: 123 }],
    want: { foo: "bar", baz: "qux" },
  },
  {
    name: "A.12 add to a nonexistent target",
    doc: { foo: "bar" },
    patch: [{ op: "add", path: "/baz/bat", value: "qux" }],
    want: "error",
  },
  {
    name: "A.14 ~ escape ordering",
    doc: { "/": 9, "~1": 10 },
    patch: [{ op: "test", path: "/~01", value: 10 }],
    want: { "/": 9, "~1": 10 },
  },
  {
    name: "A.15 comparing strings and numbers",
    doc: { "/": 9, "~1": 10 },
    patch: [{ op: "test", path: "/~01", value: "10" }],
    want: "error",
  },
  {
    name: "A.16 add an array value",
    doc: { foo: ["bar"] },
    patch: [{ op: "add", path: "/foo/-", value: ["abc", "def"] }],
    want: { foo: ["bar", ["abc", "def"]] },
  },
];

const EMULATOR_LIMITS: Vector[] = [
  {
    name: "copy",
    doc: { a: { b: [1] } },
    patch: [{ op: "copy", from: "/a/b", path: "/c" }],
    want: { a: { b: [1] }, c: [1] },
  },
  {
    name: "move into its own child",
    doc: { a: { b: 1 } },
    patch: [{ op: "move", from: "/a", path: "/a/c" }],
    want: "error",
  },
  { name: "index past the end", doc: { a: [1] }, patch: [{ op: "add", path: "/a/2", value: 3 }], want: "error" },
  { name: "leading-zero index", doc: { a: [1, 2] }, patch: [{ op: "remove", path: "/a/01" }], want: "error" },
  { name: "replace a missing member", doc: { a: 1 }, patch: [{ op: "replace", path: "/b", value: 2 }], want: "error" },
  { name: "the whole document", doc: { a: 1 }, patch: [{ op: "replace", path: "", value: {} }], want: "error" },
  {
    name: "a __proto__ segment",
    doc: { a: {} },
    patch: [{ op: "add", path: "/a/__proto__", value: { x: 1 } }],
    want: "error",
  },
  { name: "an unknown op", doc: { a: 1 }, patch: [{ op: "increment", path: "/a" }], want: "error" },
  { name: "add without a value", doc: { a: 1 }, patch: [{ op: "add", path: "/b" }], want: "error" },
  { name: "an operation that is not an object", doc: { a: 1 }, patch: ["add"], want: "error" },
];

describe("applyJsonPatch", () => {
  it.each([...RFC6902_APPENDIX_A, ...EMULATOR_LIMITS])("$name", ({ doc, patch, want }) => {
    const before = structuredClone(doc);
    if (want === "error") {
      expect(() => applyJsonPatch(doc, patch)).toThrow(ApiError);
      try {
        applyJsonPatch(doc, patch);
      } catch (e) {
        expect((e as ApiError).status).toBe(400);
      }
    } else {
      expect(applyJsonPatch(doc, patch)).toEqual(want);
    }
    expect(doc).toEqual(before); // the input is never modified, even by a patch that fails half-way
  });

  it("refuses a body that is not a list of operations", () => {
    expect(() => applyJsonPatch({}, { op: "add" })).toThrow(ApiError);
  });
});
