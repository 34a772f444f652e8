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

/**
 * The permissions of the read-only key `fakit import` uses: a GET on each endpoint it reads. Kept here, apart
 * from the import's network edge, so that the API key kind can declare the role without loading the import's
 * response checks (and ajv) into the Pulumi program.
 */
export const IMPORT_API_KEY_PERMISSIONS = {
  "/api/tenant": ["GET"],
  "/api/application": ["GET"],
  "/api/key": ["GET"],
} as const satisfies Readonly<Record<string, readonly string[]>>;
