/**
 * Every FusionAuth endpoint and method the kit calls (the Pulumi program and providers, `fakit bundle`,
 * `fakit plan --live`), as FusionAuth API key permissions. Create the kit's API key with exactly these.
 * `GET /.well-known/jwks.json` needs no key. The end-to-end tests run with a key restricted to this list.
 * @see https://fusionauth.io/docs/apis/api-keys
 */
export const KIT_API_KEY_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  // Observe key creation times and records; rename a key to record its rotation; delete retired keys.
  "/api/key": ["GET", "PUT", "DELETE"],
  // Signing keys are generated inside FusionAuth: the private half never leaves it.
  "/api/key/generate": ["POST"],
  "/api/tenant": ["GET", "POST", "PUT", "DELETE"],
  "/api/application": ["GET", "POST", "PUT", "DELETE"],
};

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
