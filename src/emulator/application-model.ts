/**
 * Applications: FusionAuth's defaults and validation.
 * @see https://fusionauth.io/docs/apis/applications
 */

import { randomBytes, randomUUID } from "node:crypto";
import { isPlainObject as isObj } from "../lib/plain-object";
import { ErrorCollector } from "./errors";
import { defaultJwtConfiguration, validateJwtConfiguration } from "./jwt-configuration";
import type { EmulatorState, Json } from "./state";
import { DEFAULT_SIGNING_KEY_ID } from "./tenant-model";

/** The FusionAuth admin application, present in every install. */
export const FUSIONAUTH_APP_ID = "3c219e58-ed0e-4b18-ad48-f4f92793ae32";

export const GRANTS = [
  "authorization_code",
  "implicit",
  "password",
  "refresh_token",
  "urn:ietf:params:oauth:grant-type:device_code",
];
const CLIENT_AUTH_POLICIES = ["Required", "NotRequired", "NotRequiredWhenUsingPKCE"];
const PKCE_POLICIES = ["Required", "NotRequired", "NotRequiredWhenUsingClientAuthentication"];

/** Builds the stored application from a request's `application`. Throws a 400 with every problem found. */
export function buildApplication(
  input: unknown,
  id: string,
  tenantId: string,
  existing: Json | undefined,
  state: EmulatorState,
  now: number,
): Json {
  const errors = new ErrorCollector();
  const a: Json = isObj(input) ? structuredClone(input) : {};
  for (const f of ["id", "insertInstant", "lastUpdateInstant", "state", "tenantId"]) delete a[f];
  if (typeof a.name !== "string" || a.name.trim() === "") {
    errors.field("application.name", "blank", "You must specify the [name] of the application.");
  }
  a.active = existing?.active ?? true;
  a.data ??= {};
  a.jwtConfiguration = defaultJwtConfiguration(a.jwtConfiguration, false, DEFAULT_SIGNING_KEY_ID);
  validateJwtConfiguration(
    a.jwtConfiguration,
    "application.jwtConfiguration",
    state,
    errors,
    a.jwtConfiguration.enabled === true,
  );
  const l = isObj(a.loginConfiguration) ? a.loginConfiguration : {};
  l.allowTokenRefresh ??= false;
  l.generateRefreshTokens ??= false;
  l.requireAuthentication ??= true;
  a.loginConfiguration = l;
  a.oauthConfiguration = buildOAuth(a.oauthConfiguration, id, existing?.oauthConfiguration, errors);
  a.registrationConfiguration ??= { enabled: false, type: "basic" };
  a.passwordlessConfiguration ??= { enabled: false };
  a.roles = (Array.isArray(a.roles) ? a.roles : []).map((r: Json) => {
    const prev = existing?.roles?.find((p: Json) => p.name === r?.name);
    return {
      isDefault: false,
      isSuperRole: false,
      ...r,
      id: r?.id ?? prev?.id ?? randomUUID(),
      insertInstant: prev?.insertInstant ?? now,
      lastUpdateInstant: now,
    };
  });
  if (a.verifyRegistration === true && a.verificationEmailTemplateId === undefined) {
    errors.field(
      "application.verificationEmailTemplateId",
      "blank",
      "You must specify [verificationEmailTemplateId] when [verifyRegistration] is enabled.",
    );
  }
  errors.throwIfAny();
  return {
    ...a,
    id,
    tenantId,
    state: a.active ? "Active" : "Inactive",
    insertInstant: existing?.insertInstant ?? now,
    lastUpdateInstant: now,
  };
}

function buildOAuth(input: unknown, id: string, existing: Json | undefined, errors: ErrorCollector): Json {
  const o: Json = isObj(input) ? input : {};
  o.clientId = id;
  // A blank secret is generated on create and kept on update (documented carve-out of PUT).
  if (typeof o.clientSecret !== "string" || o.clientSecret === "") {
    o.clientSecret = existing?.clientSecret ?? randomBytes(32).toString("base64url");
  }
  if (o.clientAuthenticationPolicy === undefined) {
    o.clientAuthenticationPolicy = o.requireClientAuthentication === false ? "NotRequired" : "Required";
  }
  if (!CLIENT_AUTH_POLICIES.includes(o.clientAuthenticationPolicy)) {
    errors.field(
      "application.oauthConfiguration.clientAuthenticationPolicy",
      "invalid",
      `The [clientAuthenticationPolicy] must be one of ${CLIENT_AUTH_POLICIES.join(", ")}.`,
    );
  }
  o.requireClientAuthentication = o.clientAuthenticationPolicy === "Required";
  o.proofKeyForCodeExchangePolicy ??= "NotRequired";
  if (!PKCE_POLICIES.includes(o.proofKeyForCodeExchangePolicy)) {
    errors.field(
      "application.oauthConfiguration.proofKeyForCodeExchangePolicy",
      "invalid",
      `The [proofKeyForCodeExchangePolicy] must be one of ${PKCE_POLICIES.join(", ")}.`,
    );
  }
  o.enabledGrants ??= [];
  for (const g of Array.isArray(o.enabledGrants) ? o.enabledGrants : [o.enabledGrants]) {
    if (!GRANTS.includes(g)) {
      errors.field(
        "application.oauthConfiguration.enabledGrants",
        "invalid",
        `The grant [${String(g)}] is not a valid grant type.`,
      );
    }
  }
  o.authorizedRedirectURLs ??= [];
  o.authorizedOriginURLs ??= [];
  o.authorizedURLValidationPolicy ??= "ExactMatch";
  o.generateRefreshTokens ??= true;
  o.requireRegistration ??= false;
  o.scopeHandlingPolicy ??= "Strict";
  o.unknownScopePolicy ??= "Reject";
  o.consentMode ??= "AlwaysPrompt";
  o.relationship ??= "FirstParty";
  o.logoutBehavior ??= "AllApplications";
  o.debug ??= false;
  return o;
}
