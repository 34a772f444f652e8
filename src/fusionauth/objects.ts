/**
 * What the kit writes into FusionAuth objects, as "managed shapes" (see managed-fields.ts): the fields the kit
 * owns, with their values, derived from the effective policy. Pure: the providers apply these shapes.
 *
 * @see https://fusionauth.io/docs/apis/tenants#request-body (tenant.jwtConfiguration)
 * @see https://fusionauth.io/docs/apis/applications#request-body (oauthConfiguration, loginConfiguration)
 */

import type {
  Application,
  ClientAuthenticationPolicy,
  GrantType,
  JWTConfiguration,
  LoginConfiguration,
  OAuth2Configuration,
  ProofKeyForCodeExchangePolicy,
  RefreshTokenExpirationPolicy,
  RefreshTokenRevocationPolicy,
  RefreshTokenUsagePolicy,
  Tenant,
} from "@fusionauth/typescript-client";
import type { EffectivePolicy } from "../policy/types";
import type { JsonObject } from "./managed-fields";

/**
 * The managed fields of a tenant, typed with the FusionAuth client's own interfaces: a misspelled or removed
 * field fails `npm run typecheck` instead of being silently ignored by a real FusionAuth. Each object literal
 * below is annotated with its FusionAuth type, so TypeScript's excess-property check applies to every level
 * (a spread would escape it).
 */
export type TenantShape = Required<Pick<Tenant, "name" | "issuer">> & {
  jwtConfiguration: JWTConfiguration & { refreshTokenRevocationPolicy: RefreshTokenRevocationPolicy };
};

/** The managed fields of an application; see {@link TenantShape}. */
export type ApplicationShape = Required<Pick<Application, "name">> & {
  oauthConfiguration: OAuth2Configuration;
  loginConfiguration: LoginConfiguration;
  jwtConfiguration: JWTConfiguration;
};

/** A shape as the providers store it: plain JSON (the typed shapes hold only JSON values). */
export function asJson(shape: TenantShape | ApplicationShape): JsonObject {
  return shape as unknown as JsonObject;
}

/** The key ids a tenant (and its applications with their own JWT configuration) sign and verify with. */
export interface KeyRefs {
  /** The key that signs access and id tokens. */
  signingKeyId: string;
  /** Keys trusted for verification besides the signing key (retired keys still within retention). */
  verificationKeyIds: string[];
}

/** The key length FusionAuth needs to generate a key of this algorithm, if any. */
export function keyLength(alg: EffectivePolicy["accessToken"]["algorithm"]): number | undefined {
  switch (alg) {
    case "ES256":
      return 256;
    case "ES384":
      return 384;
    case "ES512":
      return 521;
    case "RS256":
    case "RS384":
    case "RS512":
      return 2048;
    case "Ed25519":
      return undefined;
  }
}

function tokenLifetimes(policy: EffectivePolicy): JWTConfiguration {
  const r = policy.refreshToken;
  const lifetimes: JWTConfiguration = {
    timeToLiveInSeconds: policy.accessToken.ttlSeconds,
    refreshTokenTimeToLiveInMinutes: r.lifetimeMinutes,
    // The policy's values are FusionAuth's enum values (the preset schema lists exactly those).
    refreshTokenExpirationPolicy: r.expirationPolicy as RefreshTokenExpirationPolicy,
    refreshTokenSlidingWindowConfiguration: { maximumTimeToLiveInMinutes: r.maximumLifetimeMinutes },
    refreshTokenUsagePolicy: r.usagePolicy as RefreshTokenUsagePolicy,
    refreshTokenOneTimeUseConfiguration: { gracePeriodInSeconds: r.oneTimeUseGraceSeconds },
  };
  return lifetimes;
}

function keyFields(keys: KeyRefs): JWTConfiguration {
  const verification = [...keys.verificationKeyIds].sort();
  const fields: JWTConfiguration = {
    accessTokenKeyId: keys.signingKeyId,
    idTokenKeyId: keys.signingKeyId,
    accessTokenVerificationKeyIds: verification,
    idTokenVerificationKeyIds: verification,
  };
  return fields;
}

/** The managed fields of a tenant. Revocation triggers exist only at the tenant level in FusionAuth. */
export function tenantShape(
  tenant: { name: string; issuer: string; policy: EffectivePolicy },
  keys: KeyRefs,
): TenantShape {
  const revoke = tenant.policy.refreshToken.revokeOn;
  const refreshTokenRevocationPolicy: RefreshTokenRevocationPolicy = {
    onLoginPrevented: revoke.loginPrevented,
    onPasswordChanged: revoke.passwordChange,
    onMultiFactorEnable: revoke.multiFactorEnable,
    onOneTimeTokenReuse: revoke.oneTimeTokenReuse,
  };
  return {
    name: tenant.name,
    issuer: tenant.issuer,
    jwtConfiguration: { ...tokenLifetimes(tenant.policy), ...keyFields(keys), refreshTokenRevocationPolicy },
  };
}

/**
 * The managed fields of an application: a public native client (PKCE required, no client secret with PKCE,
 * authorization code and refresh token grants, refresh tokens for `offline_access`), with its own JWT
 * configuration only when its policy differs from its tenant's. Its keys are always the tenant's.
 */
export function applicationShape(
  app: { name: string; redirectUris: string[]; policy: EffectivePolicy; ownJwtConfiguration: boolean },
  keys: KeyRefs,
): ApplicationShape {
  const oauthConfiguration: OAuth2Configuration = {
    authorizedRedirectURLs: [...app.redirectUris],
    clientAuthenticationPolicy: "NotRequiredWhenUsingPKCE" as ClientAuthenticationPolicy,
    proofKeyForCodeExchangePolicy: "Required" as ProofKeyForCodeExchangePolicy,
    enabledGrants: ["authorization_code", "refresh_token"] as GrantType[],
    generateRefreshTokens: true,
    requireRegistration: true,
  };
  const loginConfiguration: LoginConfiguration = {
    allowTokenRefresh: true,
    generateRefreshTokens: true,
    requireAuthentication: true,
  };
  const jwtConfiguration: JWTConfiguration = app.ownJwtConfiguration
    ? { enabled: true, ...tokenLifetimes(app.policy), ...keyFields(keys) }
    : { enabled: false };
  return { name: app.name, oauthConfiguration, loginConfiguration, jwtConfiguration };
}

const JWT_SETTINGS = {
  timeToLiveInSeconds: null,
  refreshTokenTimeToLiveInMinutes: null,
  refreshTokenExpirationPolicy: null,
  refreshTokenSlidingWindowConfiguration: { maximumTimeToLiveInMinutes: null },
  refreshTokenUsagePolicy: null,
  refreshTokenOneTimeUseConfiguration: { gracePeriodInSeconds: null },
  accessTokenKeyId: null,
  idTokenKeyId: null,
  accessTokenVerificationKeyIds: null,
  idTokenVerificationKeyIds: null,
};
const CLIENT_SETTINGS = {
  name: null,
  oauthConfiguration: {
    authorizedRedirectURLs: null,
    clientAuthenticationPolicy: null,
    proofKeyForCodeExchangePolicy: null,
    enabledGrants: null,
    generateRefreshTokens: null,
    requireRegistration: null,
  },
  loginConfiguration: { allowTokenRefresh: null, generateRefreshTokens: null, requireAuthentication: null },
};

/**
 * Every layout a managed shape can have: its field names, values `null`. One for a tenant; two for an
 * application (with and without a JWT configuration of its own). The providers read these fields back on
 * `pulumi refresh`, when the state holds only the digest of the desired shape. test/fusionauth/shapes-table.test.ts
 * keeps them equal to what {@link tenantShape} and {@link applicationShape} produce.
 */
export const MANAGED_LAYOUTS: Readonly<Record<"tenant" | "application", readonly JsonObject[]>> = {
  tenant: [
    {
      name: null,
      issuer: null,
      jwtConfiguration: {
        ...JWT_SETTINGS,
        refreshTokenRevocationPolicy: {
          onLoginPrevented: null,
          onPasswordChanged: null,
          onMultiFactorEnable: null,
          onOneTimeTokenReuse: null,
        },
      },
    },
  ],
  application: [
    { ...CLIENT_SETTINGS, jwtConfiguration: { enabled: null } },
    { ...CLIENT_SETTINGS, jwtConfiguration: { enabled: null, ...JWT_SETTINGS } },
  ],
};
