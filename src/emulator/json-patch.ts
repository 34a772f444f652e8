/**
 * JSON Patch (RFC 6902) for `PATCH` with `Content-Type: application/json-patch+json` (FusionAuth 1.39+).
 * FusionAuth applies the operations to the request form of the object, so paths start with the request's
 * wrapper: `[{"op":"replace","path":"/tenant/name","value":"x"}]`. Any failing operation (a `test` that does
 * not match, a missing path) rejects the whole patch with 400 and changes nothing.
 * @see https://www.rfc-editor.org/rfc/rfc6902
 * @see https://www.rfc-editor.org/rfc/rfc6901 (JSON Pointer)
 * @see https://fusionauth.io/docs/apis/#the-patch-http-method
 */
import { isDeepStrictEqual } from "node:util";
import { ApiError, ErrorCollector } from "./errors";
import { FORBIDDEN_KEYS } from "./merge";
import type { Json } from "./state";

/** Operations one request may carry: enough for any real patch, bounded against hostile input. */
const MAX_OPERATIONS = 1000;

class PatchError extends Error {}

function reject(index: number, message: string): never {
  throw new ApiError(
    400,
    new ErrorCollector().general_("[invalidJSONPatch]", `JSON Patch operation ${index}: ${message}`).toBody(),
  );
}

function parsePointer(pointer: unknown): string[] {
  if (typeof pointer !== "string") throw new PatchError("the path must be a JSON Pointer string");
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new PatchError(`the path [${pointer}] must start with "/"`);
  return pointer
    .slice(1)
    .split("/")
    .map((t) => {
      const token = t.replace(/~1/g, "/").replace(/~0/g, "~");
      if (FORBIDDEN_KEYS.has(token)) throw new PatchError(`the path may not name [${token}]`);
      return token;
    });
}

const isContainer = (v: unknown): v is Record<string, unknown> | unknown[] => typeof v === "object" && v !== null;

function arrayIndex(arr: unknown[], token: string, forAdd: boolean): number {
  if (forAdd && token === "-") return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new PatchError(`[${token}] is not an array index`);
  const i = Number(token);
  if (i > arr.length || (!forAdd && i === arr.length)) throw new PatchError(`index ${i} is out of bounds`);
  return i;
}

function parentOf(doc: Json, path: string[]): { parent: Record<string, unknown> | unknown[]; last: string } {
  if (path.length === 0) throw new PatchError("the path may not be the whole document");
  let node: unknown = doc;
  for (const token of path.slice(0, -1)) {
    if (Array.isArray(node)) node = node[arrayIndex(node, token, false)];
    else if (isContainer(node) && Object.hasOwn(node, token)) node = (node as Record<string, unknown>)[token];
    else throw new PatchError(`the path does not exist at [${token}]`);
  }
  if (!isContainer(node)) throw new PatchError("the parent of the path is not an object or array");
  return { parent: node, last: path[path.length - 1] as string };
}

function get(doc: Json, path: string[]): unknown {
  if (path.length === 0) return doc;
  const { parent, last } = parentOf(doc, path);
  if (Array.isArray(parent)) return parent[arrayIndex(parent, last, false)];
  if (!Object.hasOwn(parent, last)) throw new PatchError(`the path does not exist at [${last}]`);
  return parent[last];
}

function add(doc: Json, path: string[], value: unknown): void {
  const { parent, last } = parentOf(doc, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, true), 0, value);
  else parent[last] = value;
}

function remove(doc: Json, path: string[]): unknown {
  const { parent, last } = parentOf(doc, path);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, last, false), 1)[0];
  if (!Object.hasOwn(parent, last)) throw new PatchError(`the path does not exist at [${last}]`);
  const old = parent[last];
  delete parent[last];
  return old;
}

/** Returns `document` with `operations` applied (the input is not modified); throws a 400 on any failure. */
export function applyJsonPatch(document: Json, operations: unknown): Json {
  if (!Array.isArray(operations))
    throw new ApiError(
      400,
      new ErrorCollector().general_("[invalidJSONPatch]", "A JSON Patch body must be an array of operations.").toBody(),
    );
  if (operations.length > MAX_OPERATIONS) reject(MAX_OPERATIONS, `at most ${MAX_OPERATIONS} operations are accepted`);
  const doc = structuredClone(document);
  operations.forEach((op: Json, i) => {
    try {
      if (typeof op !== "object" || op === null || Array.isArray(op)) throw new PatchError("must be an object");
      const path = parsePointer(op.path);
      const needsValue = ["add", "replace", "test"].includes(op.op);
      if (needsValue && !Object.hasOwn(op, "value")) throw new PatchError(`[${op.op}] needs a value`);
      const value = structuredClone(op.value);
      switch (op.op) {
        case "add":
          add(doc, path, value);
          break;
        case "remove":
          remove(doc, path);
          break;
        case "replace":
          get(doc, path);
          remove(doc, path);
          add(doc, path, value);
          break;
        case "move": {
          const from = parsePointer(op.from);
          if (path.length > from.length && from.every((t, k) => path[k] === t))
            throw new PatchError("cannot move a value into itself");
          add(doc, path, remove(doc, from));
          break;
        }
        case "copy":
          add(doc, path, structuredClone(get(doc, parsePointer(op.from))));
          break;
        case "test":
          if (!isDeepStrictEqual(get(doc, path), value)) throw new PatchError(`test failed at [${op.path}]`);
          break;
        default:
          throw new PatchError(`unknown op [${String(op.op)}]`);
      }
    } catch (e) {
      if (e instanceof PatchError) reject(i, e.message);
      throw e;
    }
  });
  return doc;
}
