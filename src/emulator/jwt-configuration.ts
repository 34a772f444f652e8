/**
 * `jwtConfiguration` of tenants and applications: FusionAuth's defaults and validation rules.
 * @see https://fusionauth.io/docs/apis/tenants#request-body (jwtConfiguration)
 */
import { isPlainObject as isObj } from "../lib/plain-object";
import type { ErrorCollector } from "./errors";
import type { EmulatorState, Json } from "./state";

export const EXPIRATION_POLICIES = ["Fixed", "SlidingWindow", "SlidingWindowWithMaximumLifetime"];
export const USAGE_POLICIES = ["Reusable", "OneTimeUse"];

/** Ids of the three OIDC client-secret "shadow" HMAC keys every FusionAuth has. */
export const SHADOW_KEY_IDS = [
  "092dbedc-30af-4149-9c61-b578f2c72f59",
  "4b8f1c06-518e-45bd-9ac5-d549686ae02a",
  "c753a44d-7f2e-48d3-bc4e-c2c16488a23b",
];

/**
 * Fills FusionAuth's defaults into a jwtConfiguration: 3600 s access tokens, 43200 minute refresh tokens,
 * `Fixed`, `Reusable`, sliding maximum 43200, grace 0 and, for tenants, the revocation policy
 * (true, true, false, false) and the default signing key.
 */
export function defaultJwtConfiguration(input: unknown, forTenant: boolean, defaultKeyId: string): Json {
  const c: Json = isObj(input) ? structuredClone(input) : {};
  c.timeToLiveInSeconds ??= 3600;
  c.refreshTokenTimeToLiveInMinutes ??= 43200;
  c.refreshTokenExpirationPolicy ??= "Fixed";
  c.refreshTokenUsagePolicy ??= "Reusable";
  c.refreshTokenSlidingWindowConfiguration = isObj(c.refreshTokenSlidingWindowConfiguration)
    ? c.refreshTokenSlidingWindowConfiguration
    : {};
  c.refreshTokenSlidingWindowConfiguration.maximumTimeToLiveInMinutes ??= 43200;
  c.refreshTokenOneTimeUseConfiguration = isObj(c.refreshTokenOneTimeUseConfiguration)
    ? c.refreshTokenOneTimeUseConfiguration
    : {};
  c.refreshTokenOneTimeUseConfiguration.gracePeriodInSeconds ??= 0;
  if (forTenant) {
    c.enabled ??= true;
    c.accessTokenKeyId ??= defaultKeyId;
    c.idTokenKeyId ??= defaultKeyId;
    const r = isObj(c.refreshTokenRevocationPolicy) ? c.refreshTokenRevocationPolicy : {};
    r.onLoginPrevented ??= true;
    r.onPasswordChanged ??= true;
    r.onMultiFactorEnable ??= false;
    r.onOneTimeTokenReuse ??= false;
    c.refreshTokenRevocationPolicy = r;
  } else {
    c.enabled ??= false;
  }
  return c;
}

const positiveInt = (v: unknown) => Number.isInteger(v) && (v as number) > 0;

/**
 * Validates a defaulted jwtConfiguration under `prefix` (`tenant.jwtConfiguration`). For applications the
 * rules apply only when `enabled` (a disabled block is not used, so it is not checked: emulator choice).
 */
export function validateJwtConfiguration(
  c: Json,
  prefix: string,
  state: EmulatorState,
  errors: ErrorCollector,
  checkRules: boolean,
): void {
  if (checkRules) {
    if (!positiveInt(c.timeToLiveInSeconds)) {
      errors.field(
        `${prefix}.timeToLiveInSeconds`,
        "invalid",
        "The [timeToLiveInSeconds] must be an integer greater than 0.",
      );
    }
    if (!positiveInt(c.refreshTokenTimeToLiveInMinutes)) {
      errors.field(
        `${prefix}.refreshTokenTimeToLiveInMinutes`,
        "invalid",
        "The [refreshTokenTimeToLiveInMinutes] must be an integer greater than 0.",
      );
    }
    if (!EXPIRATION_POLICIES.includes(c.refreshTokenExpirationPolicy)) {
      errors.field(
        `${prefix}.refreshTokenExpirationPolicy`,
        "invalid",
        `The [refreshTokenExpirationPolicy] must be one of ${EXPIRATION_POLICIES.join(", ")}.`,
      );
    }
    if (!USAGE_POLICIES.includes(c.refreshTokenUsagePolicy)) {
      errors.field(
        `${prefix}.refreshTokenUsagePolicy`,
        "invalid",
        `The [refreshTokenUsagePolicy] must be one of ${USAGE_POLICIES.join(", ")}.`,
      );
    }
    const max = c.refreshTokenSlidingWindowConfiguration.maximumTimeToLiveInMinutes;
    const maxField = `${prefix}.refreshTokenSlidingWindowConfiguration.maximumTimeToLiveInMinutes`;
    if (!positiveInt(max))
      errors.field(maxField, "invalid", "The [maximumTimeToLiveInMinutes] must be an integer greater than 0.");
    else if (
      c.refreshTokenExpirationPolicy === "SlidingWindowWithMaximumLifetime" &&
      positiveInt(c.refreshTokenTimeToLiveInMinutes) &&
      max < c.refreshTokenTimeToLiveInMinutes
    ) {
      errors.field(
        maxField,
        "invalid",
        "The [maximumTimeToLiveInMinutes] must be greater than or equal to [refreshTokenTimeToLiveInMinutes].",
      );
    }
    const grace = c.refreshTokenOneTimeUseConfiguration.gracePeriodInSeconds;
    if (!(Number.isInteger(grace) && grace >= 0 && grace < 86400)) {
      errors.field(
        `${prefix}.refreshTokenOneTimeUseConfiguration.gracePeriodInSeconds`,
        "invalid",
        "The [gracePeriodInSeconds] must be 0 (disabled) or greater than 0 and less than 86400.",
      );
    }
  }
  validateKeyReference(c.accessTokenKeyId, `${prefix}.accessTokenKeyId`, state, errors, {
    sign: true,
    shadowAllowed: false,
  });
  validateKeyReference(c.idTokenKeyId, `${prefix}.idTokenKeyId`, state, errors, { sign: true, shadowAllowed: true });
  for (const field of ["accessTokenVerificationKeyIds", "idTokenVerificationKeyIds"]) {
    const list = c[field];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      errors.field(`${prefix}.${field}`, "invalid", `The [${field}] must be an array of key ids.`);
      continue;
    }
    for (const id of list)
      validateKeyReference(id, `${prefix}.${field}`, state, errors, { sign: false, shadowAllowed: false });
  }
}

/**
 * Emulator choice (undocumented in FusionAuth): a referenced key must exist (`[missing]`), a signing key
 * must hold a private half or secret (`[invalid]`), and a shadow key may only be an id-token key.
 */
function validateKeyReference(
  id: unknown,
  field: string,
  state: EmulatorState,
  errors: ErrorCollector,
  opts: { sign: boolean; shadowAllowed: boolean },
): void {
  if (id === undefined || id === null) return;
  const key = typeof id === "string" ? state.keys[id] : undefined;
  if (key === undefined) {
    errors.field(field, "missing", `The key with id [${String(id)}] does not exist.`);
    return;
  }
  if (SHADOW_KEY_IDS.includes(key.id)) {
    if (!opts.shadowAllowed) {
      errors.field(
        field,
        "invalid",
        `The OpenID Connect client secret key [${key.id}] can only be used to sign id tokens.`,
      );
    }
    return;
  }
  if (opts.sign && key.privateKey === undefined && key.secret === undefined) {
    errors.field(field, "invalid", `The key with id [${key.id}] has no private key and cannot sign.`);
  }
}

/** Key ids a jwtConfiguration refers to (signing and verification). */
export function referencedKeyIds(c: Json): string[] {
  if (!isObj(c)) return [];
  const ids = [
    c.accessTokenKeyId,
    c.idTokenKeyId,
    ...(Array.isArray(c.accessTokenVerificationKeyIds) ? c.accessTokenVerificationKeyIds : []),
    ...(Array.isArray(c.idTokenVerificationKeyIds) ? c.idTokenVerificationKeyIds : []),
  ];
  return ids.filter((v): v is string => typeof v === "string");
}
