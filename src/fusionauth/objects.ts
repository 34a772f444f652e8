/**
 * What the kit writes into FusionAuth objects, as "managed shapes" (see managed-fields.ts): the fields the kit
 * owns, with their values, derived from the effective policy. Pure: the providers apply these shapes.
 *
 * @see https://fusionauth.io/docs/apis/tenants#request-body (tenant.jwtConfiguration)
 * @see https://fusionauth.io/docs/apis/applications#request-body (oauthConfiguration, loginConfiguration)
 */

import type { EffectivePolicy } from "../policy/types";
import type { JsonObject } from "./managed-fields";

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

function tokenLifetimes(policy: EffectivePolicy): JsonObject {
  const r = policy.refreshToken;
  return {
    timeToLiveInSeconds: policy.accessToken.ttlSeconds,
    refreshTokenTimeToLiveInMinutes: r.lifetimeMinutes,
    refreshTokenExpirationPolicy: r.expirationPolicy,
    refreshTokenSlidingWindowConfiguration: { maximumTimeToLiveInMinutes: r.maximumLifetimeMinutes },
    refreshTokenUsagePolicy: r.usagePolicy,
    refreshTokenOneTimeUseConfiguration: { gracePeriodInSeconds: r.oneTimeUseGraceSeconds },
  };
}

function keyFields(keys: KeyRefs): JsonObject {
  const verification = [...keys.verificationKeyIds].sort();
  return {
    accessTokenKeyId: keys.signingKeyId,
    idTokenKeyId: keys.signingKeyId,
    accessTokenVerificationKeyIds: verification,
    idTokenVerificationKeyIds: verification,
  };
}

/** The managed fields of a tenant. Revocation triggers exist only at the tenant level in FusionAuth. */
export function tenantShape(
  tenant: { name: string; issuer: string; policy: EffectivePolicy },
  keys: KeyRefs,
): JsonObject {
  const revoke = tenant.policy.refreshToken.revokeOn;
  return {
    name: tenant.name,
    issuer: tenant.issuer,
    jwtConfiguration: {
      ...tokenLifetimes(tenant.policy),
      ...keyFields(keys),
      refreshTokenRevocationPolicy: {
        onLoginPrevented: revoke.loginPrevented,
        onPasswordChanged: revoke.passwordChange,
        onMultiFactorEnable: revoke.multiFactorEnable,
        onOneTimeTokenReuse: revoke.oneTimeTokenReuse,
      },
    },
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
): JsonObject {
  return {
    name: app.name,
    oauthConfiguration: {
      authorizedRedirectURLs: [...app.redirectUris],
      clientAuthenticationPolicy: "NotRequiredWhenUsingPKCE",
      proofKeyForCodeExchangePolicy: "Required",
      enabledGrants: ["authorization_code", "refresh_token"],
      generateRefreshTokens: true,
      requireRegistration: true,
    },
    loginConfiguration: { allowTokenRefresh: true, generateRefreshTokens: true, requireAuthentication: true },
    jwtConfiguration: app.ownJwtConfiguration
      ? { enabled: true, ...tokenLifetimes(app.policy), ...keyFields(keys) }
      : { enabled: false },
  };
}
