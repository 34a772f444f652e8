/**
 * Validators for the schemas derived from FusionAuth's OpenAPI description (test/fixtures/fusionauth-openapi/,
 * scripts/derive-openapi-fixture.ts). Every object schema is closed (additionalProperties: false), so a field
 * FusionAuth's model does not have is an error, not ignored.
 */
import Ajv, { type ValidateFunction } from "ajv";

/**
 * Every object schema with properties closed. `openEmpty`: an object declared with no properties at all stays
 * open (the description models the userinfo claims that way: any claim).
 */
export function closeObjects(node: unknown, openEmpty = false): unknown {
  if (Array.isArray(node)) return node.map((n) => closeObjects(n, openEmpty));
  if (typeof node !== "object" || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === "example" ? v : closeObjects(v, openEmpty);
  const props = out.properties as Record<string, unknown> | undefined;
  const empty = props !== undefined && Object.keys(props).length === 0;
  if (out.type === "object" && props !== undefined && out.additionalProperties === undefined && !(openEmpty && empty))
    out.additionalProperties = false;
  return out;
}

/** A validator per `#/components/schemas/X` reference, compiled once. */
export function compileValidators(
  schemas: Record<string, unknown>,
  openEmpty = false,
): (ref: string) => ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const uuid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
  ajv.addFormat("uuid", uuid).addFormat("UUID", uuid).addFormat("URI", true).addFormat("binary", true);
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat("double", { type: "number", validate: () => true });
  ajv.addSchema({ $id: "fusionauth.json", components: closeObjects({ schemas }, openEmpty) });
  const cache = new Map<string, ValidateFunction>();
  return (ref) => {
    let fn = cache.get(ref);
    if (fn === undefined) {
      fn = ajv.compile({ $ref: `fusionauth.json${ref}` });
      cache.set(ref, fn);
    }
    return fn;
  };
}
