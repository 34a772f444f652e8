/**
 * The permissions of the separate, narrow key `fakit revoke` uses (stolen device or account, a bad release): read
 * a user to check it exists, revoke refresh tokens. Kept apart from the kit's key so that the people on call for
 * a stolen phone can revoke sessions without being able to change tenants or keys.
 * @see https://fusionauth.io/docs/apis/jwt#revoke-refresh-tokens
 */
export const REVOKE_API_KEY_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  "/api/user": ["GET"],
  "/api/jwt/refresh": ["DELETE"],
};
