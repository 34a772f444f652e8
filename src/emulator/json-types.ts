/**
 * JSON types of the request fields the emulator interprets. FusionAuth binds a request body to typed Java
 * objects, so a value of the wrong JSON type (a list where a string goes, a string where an object goes) is a
 * 400 before any validation, reported as a field error keyed by the field path with the code `[invalidJSON]`
 * (the convention of FusionAuth's web framework, prime-mvc's JacksonContentHandler). `null` is always allowed
 * (it means "absent"); fields not listed here are kept verbatim and not checked.
 * @see https://fusionauth.io/docs/apis/errors
 */
import { isPlainObject as isObj } from "../lib/plain-object";
import { ErrorCollector } from "./errors";

export type JsonType =
  | "string"
  | "boolean"
  | "integer"
  | "number"
  | "uuid"
  | "object"
  | "array"
  | { object: Record<string, JsonType> }
  | { array: JsonType };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a UUID string in FusionAuth's canonical 8-4-4-4-12 hex form (any case). */
export const isUuid = (v: unknown): v is string => typeof v === "string" && UUID.test(v);

function describe(v: unknown): string {
  if (Array.isArray(v)) return "an array";
  if (v === null) return "null";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

function expected(t: JsonType): string {
  if (typeof t === "object") return "object" in t ? "an object" : "an array";
  return t === "uuid" ? "a UUID string" : t === "integer" ? "an integer" : `${t === "object" ? "an" : "a"} ${t}`;
}

function matches(v: unknown, t: JsonType): boolean {
  if (typeof t === "object") return "object" in t ? isObj(v) : Array.isArray(v);
  switch (t) {
    case "string":
      return typeof v === "string";
    case "boolean":
      return typeof v === "boolean";
    case "integer":
      return Number.isSafeInteger(v);
    case "number":
      return typeof v === "number" && Number.isFinite(v);
    case "uuid":
      return isUuid(v);
    case "object":
      return isObj(v);
    case "array":
      return Array.isArray(v);
  }
}

/** Adds an `[invalidJSON]` field error for every value under `path` whose JSON type differs from `type`. */
export function checkJsonTypes(value: unknown, type: JsonType, path: string, errors: ErrorCollector): void {
  if (value === null || value === undefined) return;
  if (!matches(value, type)) {
    errors.invalidJson(path, `${expected(type)} was expected, not ${describe(value)}`);
    return;
  }
  if (typeof type !== "object") return;
  if ("object" in type) {
    for (const [k, t] of Object.entries(type.object))
      checkJsonTypes((value as Record<string, unknown>)[k], t, `${path}.${k}`, errors);
  } else {
    for (const item of value as unknown[]) checkJsonTypes(item, type.array, path, errors);
  }
}

/** Checks `body` against request fields (top-level names to types); throws one 400 with every problem. */
export function assertJsonTypes(body: unknown, fields: Record<string, JsonType>): void {
  const errors = new ErrorCollector();
  if (isObj(body)) for (const [k, t] of Object.entries(fields)) checkJsonTypes(body[k], t, k, errors);
  errors.throwIfAny();
}

const STR = "string" as const;
const BOOL = "boolean" as const;
const INT = "integer" as const;

const refreshTokenSettings = {
  timeToLiveInSeconds: INT,
  refreshTokenTimeToLiveInMinutes: INT,
  refreshTokenExpirationPolicy: STR,
  refreshTokenUsagePolicy: STR,
  refreshTokenSlidingWindowConfiguration: { object: { maximumTimeToLiveInMinutes: INT } },
  refreshTokenOneTimeUseConfiguration: { object: { gracePeriodInSeconds: INT } },
} as const;

const JWT_CONFIGURATION: JsonType = {
  object: {
    ...refreshTokenSettings,
    enabled: BOOL,
    accessTokenKeyId: "uuid",
    idTokenKeyId: "uuid",
    refreshTokenRevocationPolicy: {
      object: {
        onLoginPrevented: BOOL,
        onPasswordChanged: BOOL,
        onMultiFactorEnable: BOOL,
        onOneTimeTokenReuse: BOOL,
      },
    },
  },
};

export const TENANT: JsonType = {
  object: {
    name: STR,
    issuer: STR,
    httpSessionMaxInactiveInterval: INT,
    jwtConfiguration: JWT_CONFIGURATION,
    loginConfiguration: { object: { requireAuthentication: BOOL } },
    data: "object",
  },
};

export const APPLICATION: JsonType = {
  object: {
    name: STR,
    tenantId: "uuid",
    active: BOOL,
    verifyRegistration: BOOL,
    verificationEmailTemplateId: "uuid",
    data: "object",
    jwtConfiguration: JWT_CONFIGURATION,
    loginConfiguration: {
      object: { allowTokenRefresh: BOOL, generateRefreshTokens: BOOL, requireAuthentication: BOOL },
    },
    oauthConfiguration: {
      object: {
        clientSecret: STR,
        clientAuthenticationPolicy: STR,
        requireClientAuthentication: BOOL,
        proofKeyForCodeExchangePolicy: STR,
        enabledGrants: { array: STR },
        authorizedRedirectURLs: { array: STR },
        authorizedOriginURLs: { array: STR },
        generateRefreshTokens: BOOL,
        requireRegistration: BOOL,
      },
    },
    roles: { array: { object: { id: "uuid", name: STR, description: STR, isDefault: BOOL, isSuperRole: BOOL } } },
  },
};

export const KEY: JsonType = {
  object: {
    name: STR,
    algorithm: STR,
    length: INT,
    issuer: STR,
    kid: STR,
    certificate: STR,
    publicKey: STR,
    privateKey: STR,
    secret: STR,
  },
};

export const USER: JsonType = {
  object: {
    id: "uuid",
    email: STR,
    username: STR,
    phoneNumber: STR,
    password: STR,
    active: BOOL,
    verified: BOOL,
    passwordChangeRequired: BOOL,
    firstName: STR,
    lastName: STR,
    data: "object",
    twoFactor: { object: { methods: "array" } },
  },
};

/** The `search` criteria of the tenant, application and key search APIs. */
export const SEARCH: Record<string, JsonType> = {
  search: {
    object: {
      name: STR,
      numberOfResults: INT,
      startRow: INT,
      orderBy: STR,
      tenantId: "uuid",
      state: STR,
      algorithm: STR,
      type: STR,
    },
  },
};

export const REGISTRATION: JsonType = {
  object: { id: "uuid", applicationId: "uuid", roles: { array: STR }, data: "object", username: STR },
};
