/**
 * The kit manages only some fields of a FusionAuth object. These pure helpers pick those fields out of a full
 * object, write them into one, and compare them, so that updates never clobber fields the kit does not own and
 * server defaults the kit never set cannot cause perpetual diffs.
 *
 * A "shape" is a plain JSON object whose leaves (scalars and arrays) are the managed values; arrays are leaves,
 * replaced whole, because FusionAuth's PATCH appends to most arrays (see the API reference on PATCH).
 */

import { isPlainObject } from "../lib/plain-object";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

const isObject = isPlainObject<JsonObject>;

/** The dotted paths of every leaf of a shape, in a stable order. */
export function listManagedPaths(shape: JsonObject, prefix = ""): string[] {
  const paths: string[] = [];
  for (const key of Object.keys(shape).sort()) {
    const value = shape[key];
    const path = prefix === "" ? key : `${prefix}.${key}`;
    if (isObject(value)) paths.push(...listManagedPaths(value, path));
    else paths.push(path);
  }
  return paths;
}

function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split(".")) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/**
 * Picks from `actual` the values at the leaves of `shape`, giving an object of the same shape. A value the
 * server does not have becomes `null`, so a removed field shows as a change.
 */
export function pickManaged(actual: unknown, shape: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(shape).sort()) {
    const want = shape[key];
    const have = isObject(actual) ? actual[key] : undefined;
    if (isObject(want)) out[key] = pickManaged(have, want);
    else out[key] = have === undefined ? null : (structuredClone(have) as Json);
  }
  return out;
}

/** Every field of any of the layouts (shapes whose values do not matter), as one layout with `null` values. */
export function unionLayouts(layouts: readonly JsonObject[]): JsonObject {
  const out: JsonObject = {};
  for (const layout of layouts) {
    for (const [key, value] of Object.entries(layout)) {
      const mine = out[key];
      out[key] = isObject(value) ? unionLayouts([isObject(mine) ? mine : {}, value]) : null;
    }
  }
  return out;
}

/** A copy of `current` with every leaf of `desired` written into it; nothing else changes. */
export function applyManaged<T>(current: T, desired: JsonObject): T {
  const out = (isObject(current) ? structuredClone(current) : {}) as JsonObject;
  for (const key of Object.keys(desired)) {
    const want = desired[key];
    if (isObject(want)) out[key] = applyManaged(out[key], want) as Json;
    else if (want === null) delete out[key];
    else out[key] = structuredClone(want);
  }
  return out as T;
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0);
}

/** JSON equality where a missing value, null and an empty array are the same (FusionAuth omits empty lists). */
function sameJson(a: unknown, b: unknown): boolean {
  if (isEmpty(a) && isEmpty(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!sameJson(a[k], b[k])) return false;
    return true;
  }
  return (a ?? null) === (b ?? null);
}

/** The managed paths whose values differ between the recorded state and the desired shape. */
export function diffManaged(recorded: unknown, desired: JsonObject): string[] {
  return listManagedPaths(desired).filter((path) => !sameJson(getPath(recorded, path), getPath(desired, path)));
}
