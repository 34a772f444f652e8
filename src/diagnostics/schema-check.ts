/**
 * First validation pass: the JSON Schemas of `policies/schema/` checked with ajv (all errors), each error turned
 * into a located diagnostic. The schemas are data handed in by the edge; this module reads no files.
 *
 * @see https://ajv.js.org/api.html#validation-errors
 * @see https://json-schema.org/draft/2020-12/json-schema-validation
 */
import type Ajv2020 from "ajv/dist/2020";
import type { ErrorObject, ValidateFunction } from "ajv/dist/2020";
import type { Diagnostic, DiagnosticCode } from "./diagnostic";
import { didYouMean } from "./suggest";
import { type ParsedDocument, pointerSegments } from "./yaml-source";

/** The three JSON Schemas, as parsed JSON. */
export interface PolicySchemas {
  preset: object;
  stack: object;
  levels: object;
}

export type SchemaName = keyof PolicySchemas;

type Compiled = Record<SchemaName, ValidateFunction>;

/** The custom formats a validator calls, by name. */
export type SchemaFormats = Readonly<Record<string, (value: string) => boolean>>;

/** The three validators of a schema set from their standalone code: the module a {@link ValidatorStore} keeps. */
export type ValidatorFactory = (formats: SchemaFormats) => Compiled;

/**
 * Where compiled validators outlive a process (the edge gives one: src/stack/validator-store.ts). Compiling the
 * three schemas costs about 0.15 s of CPU at every `pulumi` and `fakit` run; loading ajv's standalone code of
 * the same validators costs a few milliseconds, and ajv itself is then not loaded at all.
 */
export interface ValidatorStore {
  /** The validators kept under `key`, or undefined. */
  load(key: string): ValidatorFactory | undefined;
  /** Keeps `moduleText` (CommonJS whose `module.exports` is a {@link ValidatorFactory}) under `key`. */
  save(key: string, moduleText: string): void;
}

/** Whitespace or a control character (C0, DEL, C1): never part of a URL FusionAuth stores or compares. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE_IN_URL = /[\s\u0000-\u001f\u007f-\u009f]/;

/**
 * The URL formats of the stack schema, checked with the WHATWG URL parser FusionAuth's clients use; a pattern alone
 * let `"not a url\n\r"` through as an issuer.
 *
 * @see https://url.spec.whatwg.org/#concept-url-parser
 */
const URL_FORMATS: SchemaFormats = {
  /** An absolute http(s) URL with a host: the FusionAuth url and a tenant's issuer. */
  "http-url": (v) => {
    if (UNSAFE_IN_URL.test(v) || !URL.canParse(v)) return false;
    const url = new URL(v);
    return (url.protocol === "https:" || url.protocol === "http:") && url.hostname !== "";
  },
  /** An absolute URI of any scheme: redirect URIs of native apps (`com.example.app:/callback`). */
  "absolute-uri": (v) => !UNSAFE_IN_URL.test(v) && /^[A-Za-z][A-Za-z0-9+.-]*:/.test(v) && URL.canParse(v),
};

// Compiling the three schemas costs ~30 ms, far more than a validation. The edge re-reads the files at every
// validation, so identity would miss every time: key by content (and identity first, which is free), and every
// validation in a process after the first reuses the compiled functions.
const byIdentity = new WeakMap<PolicySchemas, Compiled>();
const byContent = new Map<string, Compiled>();

let store: ValidatorStore | undefined;

/** Compiled validators come from `s` and go to it from now on (undefined: compiled in each process). */
export function useValidatorStore(s: ValidatorStore | undefined): void {
  store = s;
}

/** ajv, loaded on first use: a process whose validators come from a store never loads it (about 50 ms). */
const ajvModule = () => require("ajv/dist/2020") as typeof import("ajv/dist/2020");

/**
 * An ajv with the options every schema here is checked with: all errors, strict, with the failing data.
 * `standalone` also keeps the generated code, with the custom formats read from a `formats` argument.
 */
function newAjv(standalone = false): Ajv2020 {
  const { default: Ajv, _ } = ajvModule();
  return new Ajv({
    allErrors: true,
    verbose: true,
    strict: true,
    strictTypes: false,
    strictRequired: false,
    allowUnionTypes: true,
    logger: false,
    // ajv's optimizer passes over the generated code took 60% of compiling these schemas (about 90 ms of each
    // `fakit validate`, `plan` and `bundle` run, which compile them once and then validate a few documents).
    // The unoptimized code reports the same errors.
    code: { optimize: false, ...(standalone ? { source: true, formats: _`formats` } : {}) },
  });
}

/**
 * Compiles the three schemas; with a store, also their standalone code (one CommonJS module: a function of the
 * formats returning the three validators), which the store keeps for the next process.
 */
function compileWithAjv(schemas: PolicySchemas, key: string): Compiled {
  const ajv = newAjv(store !== undefined);
  for (const [name, check] of Object.entries(URL_FORMATS)) ajv.addFormat(name, check);
  ajv.addSchema(schemas.preset).addSchema(schemas.stack).addSchema(schemas.levels);
  const idOf = (s: object) => {
    const id = (s as { $id?: string }).$id;
    if (id === undefined || ajv.getSchema(id) === undefined)
      throw new Error(`schema without a usable $id: ${String(id)}`);
    return id;
  };
  const ids: Record<SchemaName, string> = {
    preset: idOf(schemas.preset),
    stack: idOf(schemas.stack),
    levels: idOf(schemas.levels),
  };
  const get = (name: SchemaName) => ajv.getSchema(ids[name]) as ValidateFunction;
  const compiled = { preset: get("preset"), stack: get("stack"), levels: get("levels") };
  store?.save(key, validatorModule(ajv, ids));
  return compiled;
}

/** ajv's standalone code of the validators `ids` names, as a module exporting a {@link ValidatorFactory}. */
function validatorModule(ajv: Ajv2020, ids: Record<SchemaName, string>): string {
  const standaloneCode = (require("ajv/dist/standalone") as typeof import("ajv/dist/standalone")).default;
  // The code starts with its own "use strict" and sets `exports.<name>`: here those are the factory's result.
  const code = standaloneCode(ajv, ids).replace(/^"use strict";/, "");
  return `"use strict";\nmodule.exports = function validators(formats) {\nconst exports = {};\n${code}\nreturn exports;\n};\n`;
}

/** The validators the store keeps under `key`, unless it has none or they do not load. */
function fromStore(key: string): Compiled | undefined {
  try {
    const v = store?.load(key)?.(URL_FORMATS);
    const complete = v !== undefined && SCHEMA_NAMES.every((name) => typeof v[name] === "function");
    return complete ? v : undefined;
  } catch {
    return undefined;
  }
}

const SCHEMA_NAMES: readonly SchemaName[] = ["preset", "stack", "levels"];

/**
 * What the compiled validators depend on besides the schemas: ajv's version (the standalone code requires its
 * runtime), the options, the formats' names and this module's way of wrapping them.
 */
function compileKey(schemasJson: string): string {
  const ajvVersion = (require("ajv/package.json") as { version: string }).version;
  return JSON.stringify(["validators-1", ajvVersion, Object.keys(URL_FORMATS), schemasJson]);
}

function compile(schemas: PolicySchemas): Compiled {
  const same = byIdentity.get(schemas);
  if (same !== undefined) return same;
  const key = JSON.stringify([schemas.preset, schemas.stack, schemas.levels]);
  const cached = byContent.get(key);
  if (cached !== undefined) {
    byIdentity.set(schemas, cached);
    return cached;
  }
  const compiled = fromStore(compileKey(key)) ?? compileWithAjv(schemas, compileKey(key));
  byIdentity.set(schemas, compiled);
  if (byContent.size >= 8) byContent.clear(); // a bound for processes that see many schema versions (tests)
  byContent.set(key, compiled);
  return compiled;
}

/** A readable field name for a JSON pointer: `config.fusionauth-offline-kit:tenants[0].overrides.accessToken.ttl`. */
export function fieldName(pointer: string): string {
  let out = "";
  for (const s of pointerSegments(pointer)) out += /^\d+$/.test(s) ? `[${s}]` : out === "" ? s : `.${s}`;
  return out === "" ? "the document" : out;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  // JSON quoting shows control characters escaped; a huge value is cut so the message stays readable.
  if (typeof value === "string")
    return value.length > 80 ? `${JSON.stringify(value.slice(0, 80))}...` : JSON.stringify(value);
  return `${typeof value} ${String(value)}`;
}

const TYPE_NAMES: Record<string, string> = {
  object: "a mapping",
  array: "a list",
  string: "a string",
  integer: "an integer",
  boolean: "true or false",
  number: "a number",
};

function isDurationSchema(e: ErrorObject): boolean {
  return e.schemaPath.includes("/duration/");
}

function toDiagnostic(doc: ParsedDocument, e: ErrorObject): Diagnostic | undefined {
  const where = fieldName(e.instancePath);
  const base = { severity: "error" as const, file: doc.path };
  const at = (pointer: string, target: "key" | "value", code: DiagnosticCode, message: string): Diagnostic => ({
    ...base,
    ...doc.locate(pointer, target),
    pointer,
    code,
    message,
  });
  switch (e.keyword) {
    case "additionalProperties": {
      const key = String(e.params.additionalProperty);
      const allowed = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
      const pointer = `${e.instancePath}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
      // An unqualified Pulumi config key (`tenants`) most likely lacks the project namespace.
      const qualified = allowed.find((a) => a.endsWith(`:${key}`));
      const hint = qualified === undefined ? didYouMean(key, allowed) : `; did you mean "${qualified}"?`;
      return at(pointer, "key", "KIT_UNKNOWN_KEY", `unknown key "${key}" in ${where}${hint}`);
    }
    case "required":
      return at(
        e.instancePath,
        "key",
        "KIT_MISSING_KEY",
        `missing required key "${String(e.params.missingProperty)}" in ${where}`,
      );
    case "type": {
      const wanted = String(e.params.type)
        .split(",")
        .map((t) => TYPE_NAMES[t] ?? t)
        .join(" or ");
      const hint = isDurationSchema(e) ? ' (durations are quoted or plain strings such as "15m", "0s")' : "";
      return at(
        e.instancePath,
        "value",
        "KIT_SCHEMA_TYPE",
        `${where} must be ${wanted}, got ${describe(e.data)}${hint}`,
      );
    }
    case "enum": {
      const allowed = (e.params.allowedValues as unknown[]).map(String);
      const got = describe(e.data);
      const hint = typeof e.data === "string" ? didYouMean(e.data, allowed) : "";
      return at(
        e.instancePath,
        "value",
        "KIT_SCHEMA_ENUM",
        `${where} must be one of ${allowed.join(", ")}; got ${got}${hint}`,
      );
    }
    case "pattern":
      if (isDurationSchema(e)) {
        return at(
          e.instancePath,
          "value",
          "KIT_DURATION_INVALID",
          `${where}: "${String(e.data)}" is not a duration; write whole numbers with units d, h, m, s in that order, e.g. 90s, 15m, 1h30m, 7d`,
        );
      }
      {
        const what = e.schemaPath.includes("/uuid/")
          ? "a UUID such as 2b2c2f4e-0000-4000-8000-000000000001"
          : e.schemaPath.includes("/slug/")
            ? "a slug: lower-case letters, digits and dashes, starting with a letter"
            : e.schemaPath.includes("/size/")
              ? "a memory size: a whole number of KiB, MiB or GiB (binary units), e.g. 19MiB"
              : e.schemaPath.includes("/text/")
                ? "plain text: it holds a control character (such as NUL, a tab or a line break) or an unpaired surrogate"
                : `a value matching ${String(e.params.pattern)}`;
        return at(e.instancePath, "value", "KIT_SCHEMA_PATTERN", `${where}: ${describe(e.data)} is not ${what}`);
      }
    case "format": {
      const what =
        e.params.format === "http-url"
          ? "an http(s) URL such as https://auth.example.com/tenant"
          : "an absolute URI such as com.example.app:/oauth2/callback or https://app.example.com/callback";
      return at(e.instancePath, "value", "KIT_SCHEMA_PATTERN", `${where}: ${describe(e.data)} is not ${what}`);
    }
    case "maxLength":
      return at(
        e.instancePath,
        "value",
        "KIT_SCHEMA_RANGE",
        `${where} is ${String(e.data).length} characters long; the limit is ${String(e.params.limit)}`,
      );
    case "minimum":
    case "maximum":
    case "minItems":
    case "maxItems":
    case "minLength":
      return at(e.instancePath, "value", "KIT_SCHEMA_RANGE", `${where} ${e.message ?? "is out of range"}`);
    default:
      return at(e.instancePath, "value", "KIT_SCHEMA_INVALID", `${where} ${e.message ?? "is invalid"}`);
  }
}

const standaloneCache = new WeakMap<object, ValidateFunction>();

/**
 * Validates a parsed document against a schema of its own (for example `simulation.schema.json`), with the same
 * ajv options and the same located diagnostics as the policy schemas.
 */
export function checkAgainstSchema(doc: ParsedDocument, schema: object): Diagnostic[] {
  let validate = standaloneCache.get(schema);
  if (validate === undefined) {
    validate = newAjv().compile(schema);
    standaloneCache.set(schema, validate);
  }
  if (validate(doc.value)) return [];
  return (validate.errors ?? []).flatMap((e) => toDiagnostic(doc, e) ?? []);
}

/** Validates a parsed document against one of the schemas and reports every violation. */
export function checkSchema(doc: ParsedDocument, schemas: PolicySchemas, which: SchemaName): Diagnostic[] {
  const validate = compile(schemas)[which];
  if (validate(doc.value)) return [];
  const out: Diagnostic[] = [];
  for (const e of validate.errors ?? []) {
    const d = toDiagnostic(doc, e);
    if (d !== undefined) out.push(d);
  }
  return out;
}
