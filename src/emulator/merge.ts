/**
 * PATCH semantics.
 *
 * `application/json` (what the TS client sends): FusionAuth's legacy merge. Objects merge recursively and
 * `null` removes a value. Arrays are appended to ("known limitation" in the FusionAuth docs), except the
 * lists FusionAuth replaces (`@JsonMerge(false)` in its domain: OAuth redirect/origin URLs and grants).
 * `application/merge-patch+json`: RFC 7396, arrays replaced.
 * @see https://fusionauth.io/docs/apis/#the-patch-http-method
 * @see https://www.rfc-editor.org/rfc/rfc7396
 */
import { isPlainObject as isObj } from "../lib/plain-object";
import type { PatchArrayPolicy } from "./context";
import type { Json } from "./state";

/** Dotted paths (below the top-level object) whose arrays a legacy PATCH replaces. */
export const REPLACED_ARRAYS = new Set([
  "oauthConfiguration.authorizedRedirectURLs",
  "oauthConfiguration.authorizedOriginURLs",
  "oauthConfiguration.enabledGrants",
]);

/**
 * Keys that would reach an object's prototype machinery through an assignment (`out["__proto__"] = …` sets the
 * prototype): dropped from parsed bodies and never merged, so they never reach stored objects (issue #16).
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** A `JSON.parse` reviver that drops {@link FORBIDDEN_KEYS} at every depth. */
export const dropForbiddenKeys = (key: string, value: unknown): unknown =>
  FORBIDDEN_KEYS.has(key) ? undefined : value;

/** Returns `target` patched by `patch` (neither is modified). */
export function mergePatch(target: Json, patch: Json, arrays: PatchArrayPolicy, path = ""): Json {
  if (!isObj(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObj(target) ? structuredClone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (FORBIDDEN_KEYS.has(k)) continue;
    const p = path === "" ? k : `${path}.${k}`;
    if (v === null) delete out[k];
    else if (Array.isArray(v) && Array.isArray(out[k]) && arrays === "append" && !REPLACED_ARRAYS.has(p)) {
      out[k] = [...(out[k] as unknown[]), ...structuredClone(v)];
    } else if (isObj(v)) out[k] = mergePatch(out[k], v, arrays, p);
    else out[k] = structuredClone(v);
  }
  return out;
}
