/**
 * The shape `fakit import` accepts from each FusionAuth response, checked before any of it is used: a server
 * that sends `tenants` as an object, a name as a number or null, a TTL of -5, `"900"` or an object, or a string
 * Pulumi's rewrite cannot keep, is refused with every problem located (the JSON path and the kind of value found),
 * instead of crashing the import further on. Only the fields the import reads are checked; others pass as they are.
 * Pure: the parsed body comes in, the problems go out.
 *
 * @see https://fusionauth.io/docs/apis/tenants
 * @see https://fusionauth.io/docs/apis/applications
 * @see https://fusionauth.io/docs/apis/keys
 */
import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020";
import { isWritable } from "../lib/yaml-writer";

/** FusionAuth's integer fields are Java ints. */
const INT_MAX = 2_147_483_647;
const UUID = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

const text = { type: "string", writable: true, maxLength: 2048 };
const uuid = { type: "string", pattern: UUID };
const whole = (minimum: number) => ({ type: "integer", minimum, maximum: INT_MAX });
const flag = { type: "boolean" };

const jwtConfiguration = {
  type: "object",
  properties: {
    enabled: flag,
    timeToLiveInSeconds: whole(1),
    refreshTokenTimeToLiveInMinutes: whole(1),
    refreshTokenExpirationPolicy: text,
    refreshTokenSlidingWindowConfiguration: {
      type: "object",
      properties: { maximumTimeToLiveInMinutes: whole(1) },
    },
    refreshTokenUsagePolicy: text,
    refreshTokenOneTimeUseConfiguration: { type: "object", properties: { gracePeriodInSeconds: whole(0) } },
    accessTokenKeyId: uuid,
    idTokenKeyId: uuid,
    accessTokenVerificationKeyIds: { type: "array", items: uuid },
    idTokenVerificationKeyIds: { type: "array", items: uuid },
    refreshTokenRevocationPolicy: {
      type: "object",
      properties: {
        onLoginPrevented: flag,
        onPasswordChanged: flag,
        onMultiFactorEnable: flag,
        onOneTimeTokenReuse: flag,
      },
    },
  },
};

const tenant = {
  type: "object",
  required: ["id", "name"],
  properties: { id: uuid, name: text, issuer: text, jwtConfiguration },
};

const application = {
  type: "object",
  required: ["id", "tenantId", "name"],
  properties: {
    id: uuid,
    tenantId: uuid,
    name: text,
    oauthConfiguration: { type: "object", properties: { authorizedRedirectURLs: { type: "array", items: text } } },
    jwtConfiguration,
  },
};

// A key's kid, algorithm and name are only compared and printed (escaped), never written to the stack file.
const label = { type: "string", maxLength: 2048 };
const key = { type: "object", required: ["id"], properties: { id: uuid, kid: label, algorithm: label, name: label } };

const list = (name: string, item: object) => ({
  type: "object",
  properties: { [name]: { type: "array", items: item } },
});

/** Each endpoint's response schema, by endpoint. */
const RESPONSES = {
  "/api/tenant": list("tenants", tenant),
  "/api/application": list("applications", application),
  "/api/key": list("keys", key),
} as const;

export type ImportEndpoint = keyof typeof RESPONSES;

let compiled: Record<ImportEndpoint, ValidateFunction> | undefined;

function validators(): Record<ImportEndpoint, ValidateFunction> {
  if (compiled !== undefined) return compiled;
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  ajv.addKeyword({
    keyword: "writable",
    type: "string",
    schemaType: "boolean",
    validate: writableCheck,
    errors: false,
  });
  compiled = {
    "/api/tenant": ajv.compile(RESPONSES["/api/tenant"]),
    "/api/application": ajv.compile(RESPONSES["/api/application"]),
    "/api/key": ajv.compile(RESPONSES["/api/key"]),
  };
  return compiled;
}

function writableCheck(_schema: boolean, data: string): boolean {
  return isWritable(data);
}

/** `tenants[3].jwtConfiguration.timeToLiveInSeconds` from the JSON pointer `/tenants/3/jwtConfiguration/...`. */
export function jsonPath(pointer: string): string {
  if (pointer === "") return "(the whole response)";
  return pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((out, seg) => (/^\d+$/.test(seg) ? `${out}[${seg}]` : out === "" ? seg : `${out}.${seg}`), "");
}

/** The kind of a JSON value, as a message names it: `the number -5`, `a string`, `null`, `a list`. */
export function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "number") return `the number ${value}`;
  if (typeof value === "boolean") return `the boolean ${value}`;
  if (typeof value === "string") return `a string of ${[...value].length} character(s)`;
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

const EXPECTED_TYPE: Record<string, string> = {
  object: "an object",
  array: "a list",
  string: "a string",
  integer: "a whole number",
  boolean: "true or false",
};

function valueAt(body: unknown, pointer: string): unknown {
  let node = body;
  for (const seg of pointer.split("/").slice(1)) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[seg.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return node;
}

function describe(e: ErrorObject, body: unknown): string {
  if (e.keyword === "required") {
    const field = (e.params as { missingProperty: string }).missingProperty;
    const at = jsonPath(e.instancePath);
    return `${at === "(the whole response)" ? field : `${at}.${field}`} is missing`;
  }
  const value = valueAt(body, e.instancePath);
  const found = `${jsonPath(e.instancePath)} is ${kindOf(value)}`;
  switch (e.keyword) {
    case "type":
      return `${found}, expected ${EXPECTED_TYPE[(e.params as { type: string }).type] ?? e.params.type}`;
    case "minimum":
      return `${found}, expected a whole number of at least ${e.params.limit}`;
    case "maximum":
      return `${found}, expected a whole number of at most ${e.params.limit}`;
    case "pattern":
      return `${found}, expected a UUID`;
    case "maxLength":
      return `${found}, expected at most ${e.params.limit} characters`;
    case "writable":
      return `${found} that ${typeof value === "string" && /^[\n\u0085]/.test(value) ? "starts with a line break" : value === "<<" ? "is <<" : "is not well-formed Unicode"}, which a stack file cannot hold through Pulumi's rewrite`;
    default:
      return `${found}: ${e.message}`;
  }
}

/** The problems of one response body, each located; empty when the import can use it. At most `limit` listed. */
export function checkResponse(endpoint: ImportEndpoint, body: unknown, limit = 10): string[] {
  const validate = validators()[endpoint];
  if (validate(body)) return [];
  const errors = validate.errors ?? [];
  // A field with a wrong type also fails its other keywords; one message per place is enough.
  const seen = new Set<string>();
  const out: string[] = [];
  for (const e of errors) {
    const where = `${e.instancePath}|${e.keyword === "required" ? (e.params as { missingProperty: string }).missingProperty : ""}`;
    if (seen.has(where)) continue;
    seen.add(where);
    out.push(describe(e, body));
  }
  return out.length > limit ? [...out.slice(0, limit), `and ${out.length - limit} more`] : out;
}
