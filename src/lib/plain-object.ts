/**
 * The kit's one plain-object check: a JSON object or YAML mapping, as opposed to null, an array or a scalar.
 */

/** Whether `v` is a mapping: an object that is neither null nor an array. `T` names the mapping's known shape. */
export function isPlainObject<T extends object = Record<string, unknown>>(v: unknown): v is T {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
